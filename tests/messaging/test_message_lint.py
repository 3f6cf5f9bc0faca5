"""The message file: lint rules and language choice."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.messaging.message_lint import TIME_ESTIMATE_PROBLEM, lint_messages
from app.messaging.texts import MESSAGES_PATH, Deployment, render_message

# A deployment whose names say nothing, and one whose domain names the PCC and "victims".
CLEAN = Deployment(
    base_url="https://yourviews.example.org.uk",
    verify_url="https://yourviews.example.org.uk",
    organisation="Office of the Police and Crime Commissioner",
)
TELLING = Deployment(
    base_url="https://victims.westmidlands-pcc.gov.uk",
    verify_url="https://www.westmidlands-pcc.gov.uk/check",
    organisation="West Midlands Police and Crime Commissioner",
)

SMS_OK = (
    "{organisation}: your views please {link}\nReal? {verify_url}\nStop: {stop_link}\n"
    "Reply STOP to stop"
)
SPECIALIST_SMS = "Your views please {link}\nReal? {verify_url}\nReply STOP to stop"
SPECIALIST_EMAIL = "Hello. Your views: {link} Check: {verify_url} Stop: {stop_link}"
EMAIL_BODY = "Hello. {organisation} asks your views: {link} Check: {verify_url} Stop: {stop_link}"


def _write(
    tmp_path: Path,
    invitation_sms: object,
    translations: object = None,
    *,
    specialist_sms: object = SPECIALIST_SMS,
    specialist_subject: object = "Your views",
) -> Path:
    document = {
        "translations": translations or {"pl": {"status": "draft"}},
        "messages": {
            kind: {
                "sms": {"body": invitation_sms if kind == "invitation" else SMS_OK},
                "email": {"subject": "Your views – {organisation}", "body": EMAIL_BODY},
            }
            for kind in ("invitation", "reminder")
        },
        "specialist_messages": {
            kind: {
                "sms": {"body": specialist_sms if kind == "invitation" else SPECIALIST_SMS},
                "email": {"subject": specialist_subject, "body": SPECIALIST_EMAIL},
            }
            for kind in ("invitation", "reminder")
        },
    }
    path = tmp_path / "messages.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return path


def _errors(path: Path, deployment: Deployment = CLEAN) -> list[tuple[str, str, str]]:
    return [problem for problem in lint_messages(path, deployment) if problem[2] == "error"]


def test_the_service_message_file_has_no_errors() -> None:
    assert _errors(MESSAGES_PATH) == []


def _specialist_parts() -> set[str]:
    return {
        f"specialist_messages.{kind}.{part}[{language}]"
        for kind in ("invitation", "reminder")
        for part in ("sms.body", "email.subject", "email.body")
        for language in ("en", "ur", "pl")
    }


def test_the_service_message_file_on_a_clean_and_a_telling_deployment() -> None:
    """Every kind × channel × language of both sets, rendered as sent: clean on a neutral
    deployment; on one whose domain names the PCC and victims, every specialist message that
    carries a link fails (an error in English, a warning in a draft translation), and no
    general one does."""
    # Not even a warning: the draft translations fit and say nothing too.
    assert lint_messages(MESSAGES_PATH, CLEAN) == []
    telling = lint_messages(MESSAGES_PATH, TELLING)
    named = {p[0]: p for p in telling if p[1].startswith("as sent, names")}
    bodies = {where for where in _specialist_parts() if ".body[" in where}
    assert set(named) == bodies
    assert all("pcc" in p[1] and "victim" in p[1] for p in named.values())
    assert {p[2] for where, p in named.items() if where.endswith("[en]")} == {"error"}
    assert not any(where.startswith(("invitation", "reminder")) for where in named)


def test_a_specialist_message_never_names_the_organisation(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        SMS_OK,
        specialist_sms="{organisation}: views {link} {verify_url}\nReply STOP to stop",
        specialist_subject="Your views – {organisation}",
    )
    problems = {(p[0], p[1].split(" (")[0]) for p in _errors(path)}
    assert (
        "specialist_messages.invitation.sms.body[en]",
        "must not name {organisation}",
    ) in problems
    assert (
        "specialist_messages.invitation.email.subject[en]",
        "must not name {organisation}",
    ) in problems


@pytest.mark.parametrize(
    "body",
    [
        "{organisation}: your views {link} takes about 10 minutes\nStop: {stop_link}",
        "{organisation}: a few minutes of your views {link}\nStop: {stop_link}",
        "{organisation}: ankieta, około 10 minut {link}\nStop: {stop_link}",
    ],
)
def test_a_message_stating_a_time_estimate_fails(tmp_path: Path, body: str) -> None:
    """The start page gives the one estimate, from the route the victim will see."""
    path = _write(tmp_path, body + "\nReply STOP to stop")
    problems = {(p[0], p[1].split(" (")[0]) for p in _errors(path)}
    assert ("invitation.sms.body[en]", TIME_ESTIMATE_PROBLEM) in problems


@pytest.mark.parametrize(
    ("subject", "named"),
    [
        ("Your views – Northshire Police", "police"),
        ("Your views – the Commissioner", "commissioner"),
        ("Your views – OPCC", "opcc"),
        ("Ankieta policji", "policj"),
        ("پولیس کی رائے", "پولیس"),
        ("Ankieta komisarza", "komisarz"),
    ],
)
def test_a_specialist_subject_naming_who_sends_it_fails(
    tmp_path: Path, subject: str, named: str
) -> None:
    problems = _errors(_write(tmp_path, SMS_OK, specialist_subject=subject))
    subject_problems = [
        p for p in problems if p[0] == "specialist_messages.invitation.email.subject[en]"
    ]
    assert any(named in p[1] for p in subject_problems)


def test_a_specialist_link_domain_that_names_the_police_fails(tmp_path: Path) -> None:
    path = _write(tmp_path, SMS_OK)
    assert _errors(path) == []
    joined = Deployment("https://surveys.northshirepolice.uk", CLEAN.verify_url, "O")
    problems = _errors(path, joined)
    assert problems and all(p[0].startswith("specialist_messages.") for p in problems)
    assert all("police" in p[1] for p in problems)
    verify = Deployment(CLEAN.base_url, "https://www.northshire-opcc.gov.uk/", "O")
    assert any("opcc" in p[1] for p in _errors(path, verify))
    # The general set names the organisation, and may live on such a domain.
    assert not any(p[0].startswith(("invitation", "reminder")) for p in problems)


@pytest.mark.parametrize(
    "verify_url",
    [
        # Police, Fire and Crime Commissioners: "pfcc" does not contain "pcc".
        "https://www.northyorkshire-pfcc.gov.uk",
        "https://www.staffordshire-pfcc.gov.uk/real",
        # London's Mayor's Office for Policing and Crime.
        "https://www.london.gov.uk/mopac",
        "https://policing.example.org.uk",
        # A domain written without a scheme or a path is still a domain on the lock screen.
        "thamesvalleypcc.org.uk",
        "WWW.NORTHSHIREPOLICE.UK",
    ],
)
def test_a_specialist_verify_address_naming_the_police_in_any_form_fails(
    tmp_path: Path, verify_url: str
) -> None:
    path = _write(tmp_path, SMS_OK)
    telling = Deployment(CLEAN.base_url, verify_url, "O")
    problems = _errors(path, telling)
    assert problems and all(p[0].startswith("specialist_messages.") for p in problems)


def test_a_missing_specialist_set_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, SMS_OK)
    document = yaml.safe_load(path.read_text())
    del document["specialist_messages"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    assert ("specialist_messages", "the specialist message set is missing", "error") in _errors(
        path
    )


def test_clean_file(tmp_path: Path) -> None:
    assert _errors(_write(tmp_path, SMS_OK)) == []


def test_words_that_reveal_the_subject_are_errors(tmp_path: Path) -> None:
    for text in (
        "Victim survey from {organisation} {link} {verify_url}\nReply STOP to stop",
        "{organisation}: after your rape report {link} {verify_url}\nReply STOP to stop",
        "{organisation} Domestic Abuse team {link} {verify_url}\nReply STOP to stop",
    ):
        problems = _errors(_write(tmp_path, text))
        assert any("not neutral" in message for _, message, _ in problems), text
    polish = {"en": SMS_OK, "pl": "{organisation} ofiara {link} {verify_url} {stop_link}"}
    problems = _errors(_write(tmp_path, polish))
    assert problems and problems[0][0] == "invitation.sms.body[pl]"


def test_neutral_words_that_merely_contain_forbidden_ones_pass(tmp_path: Path) -> None:
    text = "{organisation}: courtesy reminder, your views {link} {verify_url}\nReply STOP to stop"
    assert _errors(_write(tmp_path, text)) == []


def test_required_placeholders(tmp_path: Path) -> None:
    problems = _errors(_write(tmp_path, "{organisation}: your views {link}\nReply STOP to stop"))
    assert ("invitation.sms.body[en]", "must include {verify_url}", "error") in problems
    # An SMS is stopped by a STOP reply, so its stop link is optional; an email needs it.
    no_stop_link = "{organisation}: your views {link} {verify_url}\nReply STOP to stop"
    assert _errors(_write(tmp_path, no_stop_link)) == []
    problems = _errors(_write(tmp_path, "Your views {link} {stop_link}\nReply STOP to stop"))
    messages = {message for _, message, _ in problems}
    assert {"must include {organisation}", "must include {verify_url}"} <= messages
    problems = _errors(_write(tmp_path, SMS_OK + " {name}"))
    assert any("unknown placeholder {name}" in message for _, message, _ in problems)


def test_every_sms_ends_with_the_stop_reply_of_its_language(tmp_path: Path) -> None:
    ending_missing = "{organisation}: your views {link} {verify_url}"
    problems = _errors(_write(tmp_path, ending_missing))
    assert ("invitation.sms.body[en]", "must end with “Reply STOP to stop”", "error") in problems
    problems = _errors(_write(tmp_path, SMS_OK, specialist_sms="Views {link} {verify_url}"))
    assert (
        "specialist_messages.invitation.sms.body[en]",
        "must end with “Reply STOP to stop”",
        "error",
    ) in problems
    polish = {
        "en": SMS_OK,
        "pl": "{organisation}: opinia {link} {verify_url}\nOdpisz STOP, aby zrezygnować",
        "ur": "{organisation}: رائے {link} {verify_url}\nStop",
    }
    approved = {"pl": {"status": "approved"}, "ur": {"status": "approved"}}
    problems = _errors(_write(tmp_path, polish, approved))
    assert [p[0] for p in problems] == ["invitation.sms.body[ur]"]
    assert "must end with “روکنے کے لیے STOP بھیجیں”" in problems[0][1]


def test_sms_length_is_measured_as_sent_with_the_deployments_values(tmp_path: Path) -> None:
    # 306 GSM-7 septets at most as sent: the text, the organisation and the links together.
    fits = _write(
        tmp_path, "{organisation} {link} {verify_url}\n" + "a" * 130 + "\nReply STOP to stop"
    )
    assert _errors(fits) == []
    long_url = Deployment(
        base_url="https://" + "a" * 60 + ".example.org.uk",
        verify_url="https://" + "a" * 60 + ".example.org.uk",
        organisation=CLEAN.organisation,
    )
    problems = _errors(fits, long_url)
    assert ("invitation.sms.body[en]", "too long: at most 2 fr") in [
        (p[0], p[1][:22]) for p in problems
    ]
    assert "as sent 3 GSM-7 fragments" in problems[0][1]


def test_english_must_stay_in_gsm7(tmp_path: Path) -> None:
    problems = _errors(
        _write(tmp_path, "{organisation} “quoted” {link} {verify_url}\nReply STOP to stop")
    )
    assert any("must stay in GSM-7" in message for _, message, _ in problems)


def test_urdu_and_polish_may_take_three_ucs2_fragments(tmp_path: Path) -> None:
    def polish(filler: int) -> dict[str, str]:
        text = (
            "{organisation} {link} {verify_url}\n" + "ł" * filler + "\nOdpisz STOP, aby zrezygnować"
        )
        return {"en": SMS_OK, "pl": text}

    approved = {"pl": {"status": "approved"}}
    short = Deployment("https://v.example.uk", "https://v.example.uk", "Office")
    values = len("Office https://v.example.uk/s/xxxxxxxxxxxxxxxxx https://v.example.uk\n\n")
    filler = 201 - values - len("Odpisz STOP, aby zrezygnować")
    assert _errors(_write(tmp_path, polish(filler), approved), short) == []
    problems = _errors(_write(tmp_path, polish(filler + 1), approved), short)
    assert [p[0] for p in problems] == ["invitation.sms.body[pl]"]
    assert "as sent 4 UCS-2 fragments (202 characters)" in problems[0][1]


def test_draft_translation_problems_are_warnings_approved_are_errors(tmp_path: Path) -> None:
    urdu = {"en": SMS_OK, "ur": "{organisation} آپ کی رائے {link} {verify_url} {stop_link}"}
    draft = lint_messages(_write(tmp_path, urdu, {"ur": {"status": "draft"}}))
    assert ("invitation.sms.body[ur]", "error") not in {(p[0], p[2]) for p in draft}
    assert any(p[0] == "invitation.sms.body[ur]" and p[2] == "warning" for p in draft)
    approved = lint_messages(_write(tmp_path, urdu, {"ur": {"status": "approved"}}))
    assert any(
        p[0] == "invitation.sms.body[ur]" and "must end with" in p[1] and p[2] == "error"
        for p in approved
    )


def _render(path: Path, language: str) -> str:
    return render_message(
        "invitation",
        "sms",
        language,
        link="L",
        stop_link="S",
        organisation="O",
        verify_url="V",
        path=path,
    ).language


def test_only_approved_translations_are_sent(tmp_path: Path) -> None:
    polish = {"en": SMS_OK, "pl": "{organisation}: opinia {link} {verify_url} {stop_link}"}
    draft = _write(tmp_path, polish, {"pl": {"status": "draft"}})
    assert _render(draft, "pl") == "en"
    approved = _write(tmp_path, polish, {"pl": {"status": "approved"}})
    # Every part of the message must be approved: here only the SMS body is translated.
    assert _render(approved, "pl-PL") == "pl"
    rendered = render_message(
        "invitation",
        "email",
        "pl",
        link="L",
        stop_link="S",
        organisation="O",
        verify_url="V",
        path=approved,
    )
    assert rendered.language == "en"


@pytest.mark.parametrize(
    "sender",
    [
        "NorthshirePolice <no-reply@example.org.uk>",
        "ThamesValleyPCC <no-reply@example.org.uk>",
        "no-reply@northshirepolice.uk",
        "survey@example.org.uk (Northshire OPCC)",
    ],
)
def test_a_specialist_email_sender_naming_the_police_in_its_name_fails(
    tmp_path: Path, sender: str
) -> None:
    path = _write(tmp_path, SMS_OK)
    deployment = Deployment(CLEAN.base_url, CLEAN.verify_url, "O", email_sender=sender)
    problems = _errors(path, deployment)
    assert [p[0] for p in problems] == ["specialist_messages.email.sender"]


def test_a_neutral_email_sender_passes(tmp_path: Path) -> None:
    path = _write(tmp_path, SMS_OK)
    sender = "Your views <no-reply@yourviews.example.org.uk>"
    deployment = Deployment(CLEAN.base_url, CLEAN.verify_url, "O", email_sender=sender)
    assert _errors(path, deployment) == []


@pytest.mark.parametrize("name", ["Northshire Police survey", "Victim views", "NorthshirePCC"])
def test_a_service_name_naming_the_police_or_the_topic_fails(tmp_path: Path, name: str) -> None:
    """VV_SERVICE_NAME ends every page title, so it is in the browser history of a victim of
    a specialist group."""
    path = _write(tmp_path, SMS_OK)
    deployment = Deployment(CLEAN.base_url, CLEAN.verify_url, "O", service_name=name)
    assert [p[0] for p in _errors(path, deployment)] == ["settings.VV_SERVICE_NAME"]
    neutral = Deployment(CLEAN.base_url, CLEAN.verify_url, "O", service_name="Your views")
    assert _errors(path, neutral) == []
