"""The message file: lint rules and language choice."""

from __future__ import annotations

from pathlib import Path

import yaml

from app.messaging.message_lint import gsm7_length, lint_messages, sms_fits
from app.messaging.texts import MESSAGES_PATH, render_message

SMS_OK = "{organisation}: your views please {link}\nReal? {verify_url}\nStop: {stop_link}"
EMAIL_BODY = "Hello. {organisation} asks your views: {link} Check: {verify_url} Stop: {stop_link}"


def _write(tmp_path: Path, invitation_sms: object, translations: object = None) -> Path:
    document = {
        "translations": translations or {"pl": {"status": "draft"}},
        "messages": {
            kind: {
                "sms": {"body": invitation_sms if kind == "invitation" else SMS_OK},
                "email": {"subject": "Your views – {organisation}", "body": EMAIL_BODY},
            }
            for kind in ("invitation", "reminder")
        },
    }
    path = tmp_path / "messages.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True))
    return path


def _errors(path: Path) -> list[tuple[str, str, str]]:
    return [problem for problem in lint_messages(path) if problem[2] == "error"]


def test_the_service_message_file_has_no_errors() -> None:
    assert _errors(MESSAGES_PATH) == []


def test_clean_file(tmp_path: Path) -> None:
    assert _errors(_write(tmp_path, SMS_OK)) == []


def test_words_that_reveal_the_subject_are_errors(tmp_path: Path) -> None:
    for text in (
        "Victim survey from {organisation} {link} {verify_url} {stop_link}",
        "{organisation}: after your rape report {link} {verify_url} {stop_link}",
        "{organisation} Domestic Abuse team {link} {verify_url} {stop_link}",
    ):
        problems = _errors(_write(tmp_path, text))
        assert any("not neutral" in message for _, message, _ in problems), text
    polish = {"en": SMS_OK, "pl": "{organisation} ofiara {link} {verify_url} {stop_link}"}
    problems = _errors(_write(tmp_path, polish))
    assert problems and problems[0][0] == "invitation.sms.body[pl]"


def test_neutral_words_that_merely_contain_forbidden_ones_pass(tmp_path: Path) -> None:
    text = "{organisation}: courtesy reminder, your views {link} {verify_url} {stop_link}"
    assert _errors(_write(tmp_path, text)) == []


def test_required_placeholders(tmp_path: Path) -> None:
    problems = _errors(_write(tmp_path, "{organisation}: your views {link} {verify_url}"))
    assert ("invitation.sms.body[en]", "must include {stop_link}", "error") in problems
    problems = _errors(_write(tmp_path, "Your views {link} {stop_link}"))
    messages = {message for _, message, _ in problems}
    assert {"must include {organisation}", "must include {verify_url}"} <= messages
    problems = _errors(_write(tmp_path, SMS_OK + " {name}"))
    assert any("unknown placeholder {name}" in message for _, message, _ in problems)


def test_sms_length_with_realistic_links(tmp_path: Path) -> None:
    long_text = SMS_OK + " " + "please " * 20
    problems = _errors(_write(tmp_path, long_text))
    assert any("too long for two SMS fragments" in message for _, message, _ in problems)


def test_draft_translation_problems_are_warnings_approved_are_errors(tmp_path: Path) -> None:
    urdu = {"en": SMS_OK, "ur": "{organisation} آپ کی رائے {link} {verify_url} {stop_link}"}
    draft = lint_messages(_write(tmp_path, urdu, {"ur": {"status": "draft"}}))
    assert ("invitation.sms.body[ur]", "error") not in {(p[0], p[2]) for p in draft}
    assert any(p[0] == "invitation.sms.body[ur]" and p[2] == "warning" for p in draft)
    approved = lint_messages(_write(tmp_path, urdu, {"ur": {"status": "approved"}}))
    assert any(
        p[0] == "invitation.sms.body[ur]" and "UCS-2" in p[1] and p[2] == "error" for p in approved
    )


def test_gsm7_counting() -> None:
    assert gsm7_length("abc") == 3
    assert gsm7_length("€[") == 4
    assert gsm7_length("łódź") is None
    assert sms_fits("a" * 306)[0] and not sms_fits("a" * 307)[0]
    assert sms_fits("ł" * 134)[0] and not sms_fits("ł" * 135)[0]


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
