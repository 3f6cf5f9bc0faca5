"""Partner review (issue 13 point 8, DESIGN13 rule 5): a question marked `review: pending` is
never shown to victims — not in the survey, the JSON API, "Question X of Y" or the time
estimate — until an approver records the partner's sign-off of its wording; a rewording needs a
new sign-off; the staff pages list and tag what awaits review."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.audit import AuditEvent
from app.banks import signoff
from app.banks.models import QuestionSignoff
from app.banks.schema import normalize, parse_document
from app.cli import app as cli
from app.db import get_engine
from app.enums import Role
from app.survey import bank as survey_bank
from tests.auth_helpers import create_staff_user, signed_in_client, staff_csrf_token
from tests.factories import create_bank_version
from tests.survey.factories import create_invitation, enter, token_for

YES_NO = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]
NEW_TEXT = "Were you offered a named officer to contact?"
runner = CliRunner()


def bank(new_text: str = NEW_TEXT, *, hint: str | None = None) -> dict[str, Any]:
    """Two settled questions, one awaiting review, and one its show_if opens."""
    pending: dict[str, Any] = {
        "id": "named_officer",
        "type": "yes_no",
        "text": new_text,
        "options": YES_NO,
        "review": "pending",
    }
    if hint:
        pending["hint"] = hint
    return normalize(
        parse_document(
            {
                "slug": "general",
                "title": "Your views",
                "sections": [
                    {
                        "id": "core",
                        "title": "Core",
                        "questions": [
                            {
                                "id": "overall",
                                "type": "yes_no",
                                "text": "All right?",
                                "options": YES_NO,
                            },
                            pending,
                            {
                                "id": "officer_helped",
                                "type": "yes_no",
                                "text": "Did they help?",
                                "options": YES_NO,
                                "show_if": {"question": "named_officer", "in": ["yes"]},
                            },
                            {"id": "better", "type": "text", "text": "What would have helped?"},
                        ],
                    }
                ],
            }
        )
    )


@pytest.fixture(autouse=True)
def _fresh_bank_cache() -> Any:
    survey_bank.clear_cache()
    yield
    survey_bank.clear_cache()


def listed(client: TestClient, token: str) -> list[str]:
    body = client.get(f"/api/v1/survey/{token}").json()
    return [question["id"] for question in body["questions"]]


def start_page_minutes(client: TestClient, invitation: Any) -> str:
    enter(client, invitation)
    page = client.get("/survey/start").text
    match = re.search(r"(\d+) minutes?", page)
    assert match, page
    return match.group(1)


def record(slug: str = "general", question_id: str = "named_officer", **values: Any) -> None:
    with Session(get_engine()) as session:
        signoff.sign_off(
            session,
            slug,
            question_id,
            partner=values.get("partner", "Rape Crisis"),
            approver="user:1",
            actor="test",
            digest=values.get("digest"),
        )
        session.commit()


def test_a_pending_question_is_hidden_until_signed_off(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank())
    invitation = create_invitation(db)
    token = token_for(invitation)
    assert listed(client, token) == ["overall", "better"]  # nor what it opens
    before = start_page_minutes(client, invitation)
    page = client.get("/survey/begin", follow_redirects=True).text
    assert "Question 1 of 2" in page and NEW_TEXT not in page
    refused = client.put(
        f"/api/v1/survey/{token}/answers", json={"answers": {"named_officer": "yes"}}
    )
    assert refused.status_code == 422
    record()
    assert listed(client, token) == ["overall", "named_officer", "officer_helped", "better"]
    other = TestClient(client.app)
    # The estimate counts it now (and not before): 80 seconds of questions, then 100.
    assert (before, start_page_minutes(other, invitation)) == ("1", "2")
    page = other.get("/survey/begin", follow_redirects=True).text
    # Its follow-up counts in the total as if shown: no answer ever moves the total.
    assert "Question 1 of 4" in page


def test_a_rewording_needs_a_new_signoff_and_a_signoff_holds_in_every_version_with_it(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank())
    record()
    create_bank_version(db, bank(hint="Someone you could ring directly."), version=2)
    second = create_invitation(db)
    assert "named_officer" not in listed(client, token_for(second))  # the hint is wording
    create_bank_version(db, bank(), version=3)  # the signed-off wording again
    third = create_invitation(db)
    assert "named_officer" in listed(client, token_for(third))


def test_a_signoff_names_a_wording_shown_and_is_audited(db: Session) -> None:
    create_bank_version(db, bank())
    with pytest.raises(Exception, match="changed since"):
        record(digest="0" * 64)
    with pytest.raises(Exception, match="partner"):
        record(partner="   ")
    with pytest.raises(Exception, match="no question overall"):
        record(question_id="overall")  # not awaiting review
    record()
    record()  # idempotent
    rows = db.exec(select(QuestionSignoff)).all()
    assert len(rows) == 1 and rows[0].partner == "Rape Crisis"
    events = db.exec(select(AuditEvent).where(AuditEvent.action == signoff.SIGNED_OFF)).all()
    assert len(events) == 1 and events[0].object_id == "general:named_officer"
    assert "@" not in str(events[0].detail) and events[0].actor == "test"


def test_cli_sign_off_by_an_approver(db: Session) -> None:
    create_bank_version(db, bank())
    editor = create_staff_user(db, Role.editor, email="editor@example.org")
    approver = create_staff_user(db, Role.approver, email="approver@example.org")
    args = ["banks", "sign-off", "general", "named_officer", "--partner", "Rape Crisis"]
    refused = runner.invoke(cli, [*args, "--by", editor.email])
    assert refused.exit_code == 1 and "not an approver" in refused.output
    unknown = runner.invoke(
        cli, ["banks", "sign-off", "general", "nope", "--partner", "X", "--by", approver.email]
    )
    assert unknown.exit_code == 1
    done = runner.invoke(cli, [*args, "--by", approver.email])
    assert done.exit_code == 0, done.output
    row = db.exec(select(QuestionSignoff)).one()
    assert row.signed_off_by == f"user:{approver.id}" and row.partner == "Rape Crisis"
    event = db.exec(select(AuditEvent).where(AuditEvent.action == signoff.SIGNED_OFF)).one()
    assert event.actor == "cli" and "approver@example.org" not in str(event.detail)


def test_the_bank_page_lists_what_awaits_review_and_an_approver_signs_it_off(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank())
    editor = signed_in_client(TestClient(client.app), db, [Role.editor], banks=["general"])
    page = editor.get("/staff/banks/general").text
    assert "Awaiting partner review" in page and NEW_TEXT in page
    assert 'action="/staff/banks/general/sign-offs"' not in page  # not an approver's page
    digest = signoff.wording_hash(bank()["sections"][0]["questions"][1])
    form = {"question_id": "named_officer", "wording_hash": digest, "partner": "Rape Crisis"}
    denied = editor.post(
        "/staff/banks/general/sign-offs", data={**form, "csrf_token": staff_csrf_token(editor)}
    )
    assert denied.status_code == 403
    preview = editor.get("/staff/banks/general/versions/1").text
    assert "Awaiting partner review" in preview and NEW_TEXT in preview

    approver = signed_in_client(client, db, [Role.approver])
    page = approver.get("/staff/banks/general").text
    assert 'action="/staff/banks/general/sign-offs"' in page and digest in page
    no_csrf = approver.post("/staff/banks/general/sign-offs", data=form)
    assert no_csrf.status_code == 403
    empty = approver.post(
        "/staff/banks/general/sign-offs",
        data={**form, "partner": "", "csrf_token": staff_csrf_token(approver)},
    )
    assert empty.status_code == 422 and "partner" in empty.text
    done = approver.post(
        "/staff/banks/general/sign-offs", data={**form, "csrf_token": staff_csrf_token(approver)}
    )
    assert done.status_code == 200 and "sign-off of named_officer is recorded" in done.text
    assert "No question of this bank awaits partner review." in done.text
    preview = approver.get("/staff/banks/general/versions/1").text
    assert "Awaiting partner review" not in preview and NEW_TEXT in preview
    assert db.exec(select(QuestionSignoff)).one().partner == "Rape Crisis"


def test_the_demo_signs_off_the_shipped_pending_questions(db: Session) -> None:
    create_bank_version(db, bank())
    with Session(get_engine()) as session:
        assert signoff.sign_off_shipped_for_demo(session) == 1
        assert signoff.sign_off_shipped_for_demo(session) == 0
        session.commit()
    assert db.exec(select(QuestionSignoff)).one().partner == signoff.DEMO_PARTNER
