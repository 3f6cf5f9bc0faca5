"""The paraphrase classes of "what happened" (issue 13 point 7): each caught under its own
waivable rule, and the service questions of the banks left alone."""

from __future__ import annotations

from typing import Any

import pytest

from app.banks.lint import check_document
from app.banks.wording import RULES_WAIVABLE

CAUGHT = [
    ("Did you consent?", "asks_consent", "did you consent"),
    ("Did you consent to it?", "asks_consent", "did you consent"),
    ("Was it consensual?", "asks_consent", "was it consensual"),
    ("Did you agree to sex?", "asks_consent", "agree to it"),
    ("Did you agree to it?", "asks_consent", "agree to it"),
    ("Did you want it to happen?", "asks_consent", "want it to happen"),
    ("Why did you wait before telling anyone?", "asks_delay", "why did you wait"),
    ("What took you so long to come forward?", "asks_delay", "took you so long"),
    ("Could you have reported it sooner?", "asks_delay", "report it sooner"),
    ("Did you report it straight away?", "asks_delay", "report it sooner"),
    ("Is there a reason you did not report the abuse earlier?", "asks_delay", "report it sooner"),
    ("Where were you?", "asks_where_when", "where were you"),
    ("Where were you at the time?", "asks_where_when", "where were you"),
    ("Where did it happen?", "asks_where_when", "where or when did it happen"),
    ("What time did it happen?", "asks_where_when", "where or when did it happen"),
    ("When did the assault take place?", "asks_where_when", "where or when did it happen"),
    ("Please tell us where it happened.", "asks_where_when", "where it happened"),
    ("What were you doing?", "asks_what_doing", "what were you doing"),
    ("Tell us what you were doing beforehand.", "asks_what_doing", "what were you doing"),
    ("Were you alone?", "asks_alone", "were you alone"),
    ("Were you on your own at the time?", "asks_alone", "were you alone"),
    ("Was anyone with you, or were you by yourself at the time?", "asks_alone", "were you alone"),
    ("Are you still in contact with him?", "asks_contact", "still in contact with"),
    ("Are you in touch with the person who hurt you?", "asks_contact", "still in contact with"),
    ("Do you live with your partner?", "asks_contact", "do you live with"),
    ("Have you gone back to your ex?", "asks_contact", "go back to"),
    ("Did you go back to the person who abused you?", "asks_contact", "go back to"),
    ("Do you still see her?", "asks_contact", "still see"),
    ("Tell us about the person who hurt you.", "asks_about_person", "tell us about the person who"),
    ("Who was the person who attacked you?", "asks_about_person", "who was the person who"),
    ("How do you know the person who harmed you?", "asks_about_person",
     "how do you know the person who"),
    ("How did you know the other person?", "asks_about_person", "how do you know the person who"),
    ("What is your relationship to the person who did this?", "asks_about_person",
     "relationship to the person who"),
]  # fmt: skip

# Service questions, as the banks ask them: none of the new rules may catch them.
SERVICE = [
    "Were you asked to agree before your counselling or medical records were requested?",
    "Did you consent to the police looking at your phone?",
    "Did you agree to it being read out in court?",
    "Could you choose whether your statement was read out, and by whom?",
    "How long did you wait for an officer to arrive?",
    "Were you given a crime reference number straight away?",
    "Did the police tell you when the trial would happen?",
    "Were you told when the court hearing would take place?",
    "Where were you interviewed?",
    "Where were you able to give your account?",
    "Did the police explain what they were doing?",
    "Were you alone at court?",
    "Were you on your own in the video interview?",
    "Did you have to go to court alone?",
    "Are you still in contact with your ISVA?",
    "Are you still in touch with the officer in your case?",
    "Did the police speak to you where the other person could not hear?",
    "Did the police tell you about the person who dealt with your case?",
    "Would you go back to the police if it happened again?",
    "Do you still see your support worker?",
    "Were you told about the offender's release from prison?",
    "Were you told how to report it if they broke the order?",
    "Have you contacted the police again about the same person?",
    "Did you feel able to contact the police again about the same person?",
    "Did the police make a safety plan with you?",
    "Were your children's needs thought about?",
]


def _bank(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "slug": "general",
        "title": "Test",
        "questions": [{"id": "q1", "type": "text", "text": text, **extra}],
    }


def _wording(problems: list[Any]) -> list[tuple[str, str]]:
    """The wording findings (readability warnings are another test's)."""
    return [
        (p.rule, p.message)
        for p in problems
        if p.question_id == "q1" and p.rule not in ("reading_age", "too_long")
    ]


@pytest.mark.parametrize(("text", "rule", "label"), CAUGHT)
def test_each_paraphrase_class_is_caught_under_its_own_rule(
    text: str, rule: str, label: str
) -> None:
    _parsed, problems = check_document(_bank(text))
    found = dict(_wording(problems))
    # Only this class; "why did you wait" is also the older blames rule's.
    assert set(found) - {"blames"} == {rule}
    message = found[rule]
    assert message.startswith("the question asks ")
    assert f"('{label}'): ask about the service instead, or add a waiver for rule {rule} " in (
        message
    )


@pytest.mark.parametrize("text", SERVICE)
def test_service_questions_pass(text: str) -> None:
    _parsed, problems = check_document(_bank(text))
    assert _wording(problems) == []


def test_option_labels_and_hints_are_checked_too() -> None:
    document = _bank("Is there anything else?", hint="For example, where were you?")
    _parsed, problems = check_document(document)
    assert [rule for rule, _m in _wording(problems)] == ["asks_where_when"]


def test_every_class_is_waivable_with_a_reason() -> None:
    from app.banks.paraphrase import PARAPHRASE_RULES

    assert PARAPHRASE_RULES <= RULES_WAIVABLE
    document = _bank(
        "Are you still in contact with him?",
        waivers=[{"rule": "asks_contact", "reason": "Safety question agreed with the IDVA."}],
    )
    _parsed, problems = check_document(document)
    assert _wording(problems) == []


def test_the_person_who_hurt_them_is_one_rule_not_two() -> None:
    _parsed, problems = check_document(_bank("Tell us about the person who hurt you."))
    assert [rule for rule, _m in _wording(problems)] == ["asks_about_person"]


# Attack (issue 13): text that reads the same to a victim but slips past a pattern typed with
# plain spaces and letters. The rules read the text as it is shown, not as it is typed.
DISGUISED = [
    ("Did you  consent?", "asks_consent"),  # two spaces
    ("Did\u00a0you consent?", "asks_consent"),  # no-break space
    ("Did you\nconsent?", "asks_consent"),  # a line break from a YAML block
    ("Did you con\u00adsent?", "asks_consent"),  # soft hyphen (invisible)
    ("Did you con\u200bsent?", "asks_consent"),  # zero-width space
    ("Were you al\u200cone?", "asks_alone"),  # zero-width non-joiner
    ("Were\u2003you alone?", "asks_alone"),  # em space
    ("Why did you wa\u00adit?", "asks_delay"),
    ("\uff24\uff29\uff24 you consent?", "asks_consent"),  # full-width letters
    ("WHERE WERE YOU?", "asks_where_when"),
    # Plain words the service exceptions let through.
    ("Did you consent to a sexual act?", "asks_consent"),
    ("Did you consent to an act?", "asks_consent"),
    ("Did you consent to your partner touching you?", "asks_consent"),
    ("Was the sex consensual?", "asks_consent"),
    ("Did you report it straightaway?", "asks_delay"),
    # Look-alike letters from other scripts (Cyrillic о and е, Greek ο).
    ("Did you c\u043ens\u0435nt?", "asks_consent"),
    ("Were you al\u03bfne?", "asks_alone"),
]

# Attack: "where were you" passes before a past participle ("where were you interviewed?"), so
# the offence itself must be caught by its own words.
WHERE_HARMED = [
    "Where were you attacked?",
    "Where were you assaulted?",
    "When were you raped?",
    "What time were you abused?",
    "Where was she threatened?",
]


# Attack: plain rewordings of the other classes.
REWORDED = [
    ("What had you been doing?", "asks_what_doing"),
    ("What were you up to?", "asks_what_doing"),
    ("Was anyone with you when it happened?", "asks_alone"),
    ("Was anybody else with you at the time?", "asks_alone"),
    ("Are you back together with him?", "asks_contact"),
    ("Are you still together?", "asks_contact"),
    ("Have you seen him since?", "asks_contact"),
    ("Did you tell him to stop?", "asks_consent"),
]


@pytest.mark.parametrize(("text", "rule"), REWORDED)
def test_plain_rewordings_are_caught(text: str, rule: str) -> None:
    _parsed, problems = check_document(_bank(text))
    assert rule in dict(_wording(problems))


@pytest.mark.parametrize("text", WHERE_HARMED)
def test_where_or_when_the_victim_was_harmed_is_caught(text: str) -> None:
    _parsed, problems = check_document(_bank(text))
    assert "asks_where_when" in dict(_wording(problems))


# Consent to, or the place of, a step of the service stays a service question.
SERVICE_CONSENT = [
    "Was anyone with you at court?",
    "Have you seen your ISVA since the trial?",
    "Where were you seen by a nurse?",
    "Where were you examined?",
    "When were you told about the decision?",
    "Did you consent to a forensic medical examination?",
    "Did you consent to a referral to an ISVA?",
    "Did you consent to your statement being shared with the court?",
    "Did you consent to your details being passed to Victim Support?",
]


@pytest.mark.parametrize("text", SERVICE_CONSENT)
def test_consent_to_or_where_a_service_step_passes(text: str) -> None:
    _parsed, problems = check_document(_bank(text))
    assert _wording(problems) == []


@pytest.mark.parametrize(("text", "rule"), DISGUISED)
def test_invisible_characters_spacing_and_case_do_not_bypass_the_rules(
    text: str, rule: str
) -> None:
    _parsed, problems = check_document(_bank(text))
    assert rule in dict(_wording(problems))
