"""The lint on whole banks: the complete fixture passes; rules that need a full bank to show."""

from __future__ import annotations

from typing import Any

import pytest

from app.banks.lint import check_document
from app.banks.problems import Problem, has_errors
from app.banks.wording import reading_grade
from tests.banks.conftest import find_question, fixture_document


def _lines(problems: list[Problem]) -> list[str]:
    return [problem.format() for problem in problems]


def test_complete_fixture_bank_has_no_problems(document: dict[str, Any]) -> None:
    parsed, problems = check_document(document, "approved_urdu.yaml")
    assert parsed is not None
    assert _lines(problems) == []


def test_metric_no_question_feeds_is_an_error(document: dict[str, Any]) -> None:
    contact = document["sections"][0]
    contact["questions"] = [q for q in contact["questions"] if q["id"] != "pj_trust"]
    _parsed, problems = check_document(document, "general.yaml")
    assert _lines(problems) == [
        "general.yaml:(bank): no question feeds metric 'procedural_justice.trust', "
        "which applies to general banks"
    ]
    assert has_errors(problems)


def test_specialist_metrics_are_required_of_rasso_banks(document: dict[str, Any]) -> None:
    document["slug"] = "rasso"
    document["crime_group"] = "rasso"
    _parsed, problems = check_document(document, "rasso.yaml")
    assert sorted(p.message for p in problems) == sorted(
        f"no question feeds metric '{metric}', which applies to rasso banks"
        for metric in (
            "specialist_support",
            "kept_informed_bail",
            "choice_of_officer",
        )
    )


def test_a_right_missing_at_a_touchpoint_of_the_table_is_an_error(
    document: dict[str, Any],
) -> None:
    rights = document["sections"][1]
    rights["questions"] = [q for q in rights["questions"] if q["id"] != "right_10_property"]
    _parsed, problems = check_document(document, "general.yaml")
    assert _lines(problems) == [
        "general.yaml:(bank): victims_code.right_10 is not asked at investigation, outcome, "
        "where the Victims' Code table says it applies (tag a question there with one of its "
        "aspects)"
    ]
    assert has_errors(problems)


def test_one_measure_may_be_fed_by_different_questions_at_different_touchpoints(
    document: dict[str, Any],
) -> None:
    # right_8 is fed by one question at outcome and another at court: no double count.
    _parsed, problems = check_document(document, "general.yaml")
    assert not any(p.rule == "measure_twice" for p in problems)


def test_right_8_at_outcome_without_its_show_if_is_an_error(document: dict[str, Any]) -> None:
    question = find_question(document, "right_8_trial_info_outcome")
    question["show_if"] = None
    _parsed, problems = check_document(document, "general.yaml")
    assert _lines(problems) == [
        "general.yaml:right_8_trial_info_outcome: victims_code.right_8.trial_info at outcome "
        "needs a show_if (ask it only if someone was charged)",
        # and without it, everyone at outcome would see one question more (where the upload
        # gave the outcome, "Has anyone been charged?" is not asked: one fewer there)
        "general.yaml:(bank): at outcome (outcome not_known) a victim could see 19 questions "
        "without a show_if (the sections everyone is asked and the largest module): keep it to "
        "18 or fewer by moving questions into modules",
    ]


ASKS_WHAT_HAPPENED = [
    ("Can you describe what happened?", "what happened"),
    ("Please describe the attack.", "describe"),
    ("Can you describe how it started?", "describe"),
    ("Describe them in a few words.", "describe"),
    ("Tell us about the incident.", "tell us about the offence"),
    ("Tell us more about the suspect.", "tell us about the offender"),
    ("Did you know the offender before?", "questions about the offender"),
    ("What was the attacker's name?", "details of the offender"),
    ("Were you injured?", "injuries"),
    ("Were you hurt?", "were you hurt"),
    ("How many times has this happened?", "how many times"),
]
BLAMING = [
    ("Why didn't you call us straight away?", "why didn't you"),
    ("Why did you not leave?", "why didn't you"),
    ("Why were you out so late?", "why were you"),
    ("Had you been drinking?", "were you drinking"),
    ("Were you under the influence of alcohol?", "were you drinking"),
    ("Can you tell us what you were wearing?", "what were you wearing"),
    ("Did you fight back?", "did you resist"),
    ("Could you have done anything differently?", "could you have"),
    ("Do you think it was your fault?", "your fault"),
]


def _text_bank(text: str, **extra: Any) -> dict[str, Any]:
    return {
        "slug": "general",
        "title": "Test",
        "questions": [{"id": "q1", "type": "text", "text": text, **extra}],
    }


@pytest.mark.parametrize(("text", "label"), ASKS_WHAT_HAPPENED)
def test_questions_about_the_offence_offender_or_injuries_are_rejected(
    text: str, label: str
) -> None:
    _parsed, problems = check_document(_text_bank(text))
    found = [p for p in problems if p.question_id == "q1"]
    assert [(p.rule, p.severity, p.message) for p in found] == [
        (
            "asks_what_happened",
            "error",
            "the question asks the victim to describe the offence, the offender or injuries "
            f"('{label}'): ask about the service instead, or add a waiver for rule "
            "asks_what_happened with a written reason",
        )
    ]


@pytest.mark.parametrize(("text", "label"), BLAMING)
def test_blaming_questions_are_rejected(text: str, label: str) -> None:
    _parsed, problems = check_document(_text_bank(text))
    found = [p for p in problems if p.question_id == "q1"]
    assert [(p.rule, p.message) for p in found] == [
        (
            "blames",
            f"the question could read as blaming the victim ('{label}'): ask about the service "
            "instead, or add a waiver for rule blames with a written reason",
        )
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Were you offered news about the offender, such as when they leave prison?",
        "Were you told what would happen next?",
        "Did the police explain their decisions to you?",
        "How would you describe the service you got from the police?",
        "How would you describe how the police kept in touch?",
        "Were you told about the offender's release from prison?",
        "Were you told what happened next with your case?",
        "Were you told about the trial and what to expect as a witness?",
    ],
)
def test_questions_about_the_service_pass_the_wording_rules(text: str) -> None:
    _parsed, problems = check_document(_text_bank(text))
    assert [p for p in problems if p.question_id == "q1"] == []


def test_a_waiver_with_a_reason_silences_only_its_rule() -> None:
    bank = _text_bank(
        "Why didn't you feel able to describe what happened to the first officer?",
        waivers=[{"rule": "blames", "reason": "Agreed wording with the partner."}],
    )
    _parsed, problems = check_document(bank)
    assert [p.rule for p in problems if p.question_id == "q1"] == ["asks_what_happened"]


def test_a_waiver_needs_a_written_reason() -> None:
    bank = _text_bank("Tell us about the offender.", waivers=[{"rule": "asks_what_happened"}])
    parsed, problems = check_document(bank, "b.yaml")
    assert parsed is None
    assert _lines(problems) == ["b.yaml:q1: waivers[1].reason: a waiver needs a written reason"]


def test_reading_grade_scores_plain_and_hard_text() -> None:
    assert reading_grade("Were you told?") is None  # too short to judge
    plain = reading_grade("Were you told how to make a complaint if you were not happy?")
    hard = reading_grade(
        "Were the investigative communications you received satisfactorily comprehensible "
        "notwithstanding organisational considerations?"
    )
    assert plain is not None and plain < 7
    assert hard is not None and hard > 20


def test_a_draft_translation_mapping_in_a_declared_language_passes() -> None:
    bank = fixture_document()
    find_question(bank, "sat_actions")["text"]["pl"] = "Czy jesteś zadowolony z działań policji?"
    _parsed, problems = check_document(bank)
    assert problems == []


def test_a_per_string_status_in_an_undeclared_language_is_reported() -> None:
    bank = fixture_document()
    find_question(bank, "sat_actions")["text"]["ro"] = {
        "text": "Cât de mulțumit?",
        "status": "approved",
    }
    _parsed, problems = check_document(bank, "g.yaml")
    assert _lines(problems) == [
        "g.yaml:sat_actions: text in language 'ro', which is not declared in translations "
        "(add 'ro: {status: draft}')"
    ]


def test_english_in_translations_is_rejected() -> None:
    bank = fixture_document()
    bank["translations"]["en"] = {"status": "approved"}
    parsed, problems = check_document(bank, "g.yaml")
    assert parsed is None
    assert _lines(problems) == [
        "g.yaml:(bank): en is the source language: leave it out of translations"
    ]
