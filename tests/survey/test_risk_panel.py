"""Free text that discloses risk (issue 12, point 5): the help panel a text question carries,
the phrases it is given as data, the "contact me" form it leads to during the survey, and the
safeguarding statement. The browser side is tests/browser/test_risk_panel_browser.py."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.banks.files import check_paths
from app.banks.risk_words import RISK_WORDS_PATH, check_risk_words_file, risk_phrases
from app.crypto import decrypt
from app.main import create_app
from app.survey.models import ContactRequest, ContactRequestFiled, InProgressAnswer
from app.victim_page import SAFEGUARDING_URL
from tests.factories import create_bank_version
from tests.survey.factories import (
    bank_document,
    create_invitation,
    create_support_service,
    csrf_token,
    enter,
    rows,
    step_url,
    token_for,
)

REPO = Path(__file__).resolve().parents[2]
ASSET = REPO / "app" / "assets" / "risk-words.mjs"


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())
    create_support_service(db, key="everyone", name="Victim Support")


def _panel(page: str) -> str:
    found = re.search(
        r'<div class="govuk-inset-text app-risk-panel" id="risk-help".*?</ul>\s*'
        r"<p[^>]*>.*?</p>\s*</div>",
        page,
        re.S,
    )
    assert found, page
    return found.group(0)


def _contact_url(page: str) -> str:
    found = re.search(
        r'<a class="govuk-link" href="([^"]+)">Ask the victims team to contact you', page
    )
    assert found, page
    return found.group(1)


def _scripts(page: str) -> list[str]:
    return re.findall(r"<script\b[^>]*>", page)


def test_a_text_question_carries_the_phrases_as_data_and_a_hidden_panel(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    page = client.get(step_url(client, "q:comments")).text
    data = re.search(r'<script type="application/json" id="risk-words">(.*?)</script>', page, re.S)
    assert data
    phrases = json.loads(html.unescape(data.group(1)))
    assert phrases == risk_phrases() and len(phrases) > 50
    # English, and the languages the banks are translated into (draft lists, documented).
    assert {"kill myself", "in danger", "suicid*", "خودکشی", "samobój*"} <= set(phrases)
    panel = _panel(page)
    assert " hidden>" in panel.split("\n", 1)[0]  # shown only by the script, as they type
    assert 'data-field="answer"' in panel and 'id="answer"' in page
    text = html.unescape(panel)
    assert "In danger now? Call 999. If you can't speak, stay on the line and press 55" in text
    assert "Victim Support" in text and 'href="tel:08081689111"' in panel  # the page's services
    assert f'href="{SAFEGUARDING_URL}"' in panel
    # The "contact me" option: an address as opaque as a question's.
    assert re.fullmatch(r"/survey/page/[0-9a-f]{16}", _contact_url(page))
    assert 'aria-live="polite"' in page
    # Without JavaScript: a static line leads to the same statement.
    static = re.search(r'<p class="govuk-body-s" id="what-happens">(.*?)</p>', page, re.S)
    assert static and f'href="{SAFEGUARDING_URL}"' in static.group(1)
    assert '<script type="module" src="/static/js/risk-words.mjs"></script>' in page
    # Exit this page, support and skip stay.
    assert 'data-module="govuk-exit-this-page"' in page and 'value="skip" name="action"' in page


def test_no_inline_script_only_our_modules_and_json_data(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    response = client.get(step_url(client, "q:comments"))
    csp = response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    for tag in _scripts(response.text):
        assert (
            'type="application/json"' in tag
            or re.search(r'src="/static/[^"]+"', tag)
            or f'nonce="{nonce}"' in tag  # the GOV.UK template's own js-enabled switch
        ), tag
    assert "onclick" not in response.text and "oninput" not in response.text


def test_a_choice_question_carries_no_panel(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    page = client.get(step_url(client, "q:sat_overall")).text
    assert 'id="risk-words"' not in page and 'id="risk-help"' not in page
    assert "risk-words.mjs" not in page


def test_the_script_stores_and_sends_nothing() -> None:
    source = ASSET.read_text(encoding="utf-8")
    assert 'getElementById("risk-words")' in source and "JSON.parse" in source
    for forbidden in (
        "fetch(",
        "XMLHttpRequest",
        "sendBeacon",
        "localStorage",
        "sessionStorage",
        "indexedDB",
        "document.cookie",
        "WebSocket",
        ".submit(",
        "console.",
    ):
        assert forbidden not in source, forbidden
    build = (REPO / "scripts" / "build-assets.mjs").read_text(encoding="utf-8")
    assert '"risk-words.mjs"' in build


def test_the_risk_words_file_passes_the_bank_check_and_a_wrong_one_does_not(
    tmp_path: Path,
) -> None:
    assert check_risk_words_file(RISK_WORDS_PATH) == []
    assert [p.format() for p in check_paths([RISK_WORDS_PATH]).problems] == []
    wrong = tmp_path / "risk_words.yaml"
    wrong.write_text(
        "languages:\n  pl:\n    status: draft\n    danger: ['w*niebezpieczeństwie']\n"
        "    self_harm: ['samobój*']\n",
        encoding="utf-8",
    )
    messages = [p.message for p in check_paths([wrong]).problems]
    assert any("is not a phrase" in m for m in messages)
    assert any("English (en) phrases are required" in m for m in messages)
    assert risk_phrases(wrong) == []  # a wrong file gives the page no phrases, never a 500


def _title(html: str) -> str:
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title
    return " ".join(title.group(1).split())


def test_the_contact_form_during_the_survey_files_the_links_one_request(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    question = step_url(client, "q:comments")
    contact = _contact_url(client.get(question).text)
    form_page = client.get(contact)
    assert form_page.status_code == 200
    # The title of the question it came from: the history cannot tell it from a reload.
    question_title = _title(client.get(question).text)
    assert question_title.startswith("Question ")
    assert _title(form_page.text) == question_title
    assert "Ask the victims team to contact you" in form_page.text
    assert f'action="{contact}"' in form_page.text and f'href="{question}"' in form_page.text
    assert "press 55" in form_page.text and 'data-module="govuk-exit-this-page"' in form_page.text
    token = csrf_token(client, contact)
    mistaken = client.post(contact, data={"csrf_token": token, "phone": "0791"})
    assert mistaken.status_code == 422 and _title(mistaken.text) == f"Error: {question_title}"
    assert "Tick the box" in mistaken.text
    sent = client.post(
        contact,
        data={"csrf_token": token, "consent": "yes", "phone": "07911 123456"},
        follow_redirects=False,
    )
    assert sent.status_code == 303 and sent.headers["location"] == contact
    thanks = client.get(contact).text
    assert "Someone from the victims team will contact you" in thanks
    assert "Someone from the victims team will contact you" not in client.get(contact).text
    (request,) = rows(db, select(ContactRequest))
    assert '"+447911123456"' in decrypt(request.details_encrypted)
    assert len(rows(db, select(ContactRequestFiled))) == 1
    assert rows(db, select(InProgressAnswer)) == []  # nothing of the form is an answer
    # Asked again after the survey: the same request, updated.
    from tests.survey.factories import answer

    for question_id, value in [
        ("sat_overall", "very_satisfied"),
        ("someone_charged", "no"),
        ("what_would_help", ["more_updates"]),
        ("comments", "Fine."),
    ]:
        answer(client, question_id, value)
    client.post("/survey/submit", data={"csrf_token": csrf_token(client, "/survey/check")})
    page = client.get("/survey/complete").text
    assert (
        client.post(
            "/survey/complete",
            data={
                "csrf_token": csrf_token(client, "/survey/complete"),
                "consent": "yes",
                "phone": "07912 654321",
            },
        ).status_code
        == 200
    )
    assert 'action="/survey/complete"' in page
    (updated,) = rows(db, select(ContactRequest))
    assert updated.id == request.id and updated.updated_at is not None


def test_another_sessions_contact_address_is_not_found(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    contact = _contact_url(client.get(step_url(client, "q:comments")).text)
    with TestClient(create_app(), raise_server_exceptions=False) as other:
        enter(other, invitation)
        assert other.get(contact).status_code == 404


def _main(page: str) -> str:
    page = re.sub(r'nonce="[^"]+"', "", page)
    page = re.sub(r'name="csrf_token" value="[^"]+"', "", page)
    return re.sub(r"/survey/page/[0-9a-f]{16}", "/survey/page/<code>", page)


def test_a_request_during_the_survey_leaves_no_trace_on_reopening(
    client: TestClient, db: Session
) -> None:
    asked, not_asked = create_invitation(db), create_invitation(db)
    for invitation in (asked, not_asked):
        with TestClient(create_app(), raise_server_exceptions=False) as device:
            enter(device, invitation)
            device.post(
                step_url(device, "q:sat_overall"),
                data={"csrf_token": csrf_token(device), "action": "save", "answer": "satisfied"},
            )
            if invitation is asked:
                contact = _contact_url(device.get(step_url(device, "q:comments")).text)
                device.post(
                    contact,
                    data={
                        "csrf_token": csrf_token(device),
                        "consent": "yes",
                        "phone": "07911123456",
                    },
                )
    assert len(rows(db, select(ContactRequest))) == 1
    shown = []
    for invitation in (asked, not_asked):
        token = token_for(invitation)
        with TestClient(create_app(), raise_server_exceptions=False) as fresh:
            response = fresh.get(f"/s/{token}")
            assert response.status_code == 200
            shown.append((re.sub(r"[0-9a-f]{16}$", "", response.url.path), _main(response.text)))
    assert shown[0] == shown[1]


def test_the_safeguarding_statement_says_what_happens_and_is_marked_draft(
    client: TestClient, db: Session
) -> None:
    response = client.get(SAFEGUARDING_URL)
    assert response.status_code == 200
    page = html.unescape(response.text)
    assert '<strong class="govuk-tag govuk-tag--yellow">' in page and "Draft" in page
    assert "safeguarding lead" in page
    for said in (
        "Nobody reads your answers straight away",
        "The survey is not monitored.",
        "It is not a way to report a crime",
        "It is not a way to ask for help",
        "Call 999",
        "press 55",
        "101",
        "116 123",
    ):
        assert said in page, said
    assert 'data-module="govuk-exit-this-page"' in page and "Victim Support" in page
    # Linked from every victim page's footer.
    enter(client, create_invitation(db))
    for path in ("/survey/start", step_url(client, "q:sat_overall"), "/accessibility"):
        footer = client.get(path).text.split("<footer", 1)[1]
        assert f'href="{SAFEGUARDING_URL}"' in footer, path
