"""Their language: offered only when the bank and the interface are both approved in it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import i18n
from app.survey.models import Response
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    csrf_token,
    enter,
    rows,
    step_url,
    token_for,
)

URDU_QUESTION = "مجموعی طور پر، پولیس نے آپ کے ساتھ جو معاملہ کیا"


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


@pytest.fixture
def urdu_interface_approved() -> Iterator[None]:
    i18n.INTERFACE_LANGUAGES["ur"] = "approved"
    yield


def html_tag(html: str) -> str:
    match = re.search(r"<html[^>]*>", html)
    assert match
    return match.group(0)


@pytest.mark.usefixtures("urdu_interface_approved")
def test_an_approved_language_is_shown_right_to_left(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, language="ur")
    enter(client, invitation)
    start = client.get("/survey/start").text
    assert 'lang="ur"' in html_tag(start) and 'dir="rtl"' in html_tag(start)
    assert "پولیس کے ساتھ آپ کا تجربہ" in start  # the bank's title in Urdu
    page = client.get(step_url(client, "q:sat_overall")).text
    assert 'dir="rtl"' in html_tag(page)
    assert URDU_QUESTION in page and "بہت مطمئن" in page
    assert '<span lang="en">' not in page.split('id="main-content"')[1].split("<aside")[0]
    # A string with no approved Urdu text falls back to English, marked as English.
    charged = client.get(step_url(client, "q:someone_charged")).text
    assert '<span lang="en">Has anyone been charged?</span>' in charged
    assert '<span lang="en">Yes</span>' in charged
    answer(client, "sat_overall", "very_satisfied")
    token = csrf_token(client, "/survey/check")
    client.post("/survey/submit", data={"csrf_token": token})
    assert [r.language for r in rows(db, select(Response))] == ["ur"]


@pytest.mark.usefixtures("urdu_interface_approved")
def test_the_api_gives_the_approved_language(client: TestClient, db: Session) -> None:
    body = client.get(f"/api/v1/survey/{token_for(create_invitation(db, language='ur'))}").json()
    assert body["language"] == "ur"
    assert body["questions"][0]["text"].startswith(URDU_QUESTION)


def test_a_draft_interface_language_is_never_offered(client: TestClient, db: Session) -> None:
    # The bank's Urdu is approved, but the interface's Urdu strings are still draft.
    invitation = create_invitation(db, language="ur")
    enter(client, invitation)
    start = client.get("/survey/start").text
    assert html_tag(start).startswith('<html lang="en"') and "rtl" not in html_tag(start)
    assert 'name="language"' not in start  # English only: no choice to make
    assert URDU_QUESTION not in client.get(step_url(client, "q:sat_overall")).text
    token = csrf_token(client, step_url(client, "q:sat_overall"))
    client.post("/survey/language", data={"csrf_token": token, "language": "ur"})
    assert 'lang="en"' in html_tag(client.get("/survey/start").text)


def test_a_draft_bank_language_is_never_offered(client: TestClient, db: Session) -> None:
    i18n.INTERFACE_LANGUAGES["pl"] = "approved"  # the bank's Polish is still draft
    invitation = create_invitation(db, language="pl")
    enter(client, invitation)
    start = client.get("/survey/start").text
    assert 'lang="en"' in html_tag(start)
    assert "Polski" not in start
    assert "Ogólnie" not in client.get(step_url(client, "q:sat_overall")).text


@pytest.mark.usefixtures("urdu_interface_approved")
def test_a_victim_can_choose_among_approved_languages(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db, language="en"))
    start = client.get("/survey/start").text
    assert 'value="en"' in start and 'value="ur"' in start and "اردو" in start
    assert 'value="pl"' not in start
    token = csrf_token(client)
    chosen = client.post(
        "/survey/language", data={"csrf_token": token, "language": "ur"}, follow_redirects=False
    )
    assert chosen.headers["location"] == "/survey/start"
    assert 'dir="rtl"' in html_tag(client.get("/survey/start").text)
    client.post("/survey/language", data={"csrf_token": token, "language": "pl"})
    assert 'lang="ur"' in html_tag(client.get("/survey/start").text)  # unchanged


def test_interface_strings_come_from_the_catalog_when_approved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = tmp_path / "ur" / "LC_MESSAGES"
    catalog.mkdir(parents=True)
    (catalog / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Back"\nmsgstr "واپس"\n\n'
        '#, fuzzy\nmsgid "Continue"\nmsgstr "جاری رکھیں"\n\n'
        'msgid "Question %(number)s of %(total)s"\nmsgstr "سوال %(number)s از %(total)s"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._translations.cache_clear()
    try:
        draft = i18n.gettext_for("ur")
        assert draft("Back") == "Back"  # draft: English
        i18n.INTERFACE_LANGUAGES["ur"] = "approved"
        _ = i18n.gettext_for("ur")
        assert _("Back") == "واپس"
        assert _("Continue") == "Continue"  # fuzzy entries are never shown
        assert _("Question %(number)s of %(total)s", number=2, total=5) == "سوال 2 از 5"
        assert _("Question %(number)s of %(total)s", number="<b>", total=1) == (
            "سوال &lt;b&gt; از 1"
        )
    finally:
        i18n._translations.cache_clear()


def test_every_catalog_parses_and_matches_the_template() -> None:
    from babel.messages.pofile import read_po

    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template_ids = {message.id for message in read_po(handle) if message.id}
    assert "Exit this page" in template_ids and "Skip this question" in template_ids
    for language in ("ur", "pl"):
        path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog_ids = {message.id for message in read_po(handle) if message.id}
        assert catalog_ids == template_ids, language


def test_the_template_catalog_holds_every_interface_string() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from tests.conftest import REPO_ROOT

    method_map = [
        ("app/survey/**.py", "python"),
        ("app/victim_page.py", "python"),
        ("app/templates/survey/**.html", "jinja2"),
        ("app/templates/layouts/victim.html", "jinja2"),
    ]
    options = {"trim_blocks": "true", "lstrip_blocks": "true"}
    options_map = {pattern: options for pattern, method in method_map if method == "jinja2"}
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            REPO_ROOT, method_map, options_map, keywords={"_": None, "N_": None}
        )
    }
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template_ids = {message.id for message in read_po(handle) if message.id}
    assert found == template_ids, "run the pybabel extract command in app/locale/README.md"
