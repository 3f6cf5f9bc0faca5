"""Assisted completion at the victim's request, and "Answer on my own" (issue 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.db import utcnow
from app.handover.codes import code_hash
from app.handover.models import Handover
from app.invitations.models import Invitation
from app.survey.models import Response, SurveySession
from app.survey.session import delete_old_sessions
from tests.auth_helpers import staff_csrf_token
from tests.factories import create_bank_version
from tests.handover.factories import CASE_REF, held_invitation, look_up, match_ids, worker
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    csrf_token,
    enter,
    token_for,
)

ASSISTED_URL = "/staff/support/assisted"
OWN_CODE = re.compile(r'id="own-code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<')


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _start(staff: TestClient, *, requested: bool = True) -> httpx.Response:
    ids = match_ids(look_up(staff, CASE_REF).text)
    data = {"case_ref": CASE_REF, "invitation": ids[0], "csrf_token": staff_csrf_token(staff)}
    if requested:
        data["requested"] = "yes"
    return staff.post(ASSISTED_URL, data=data, follow_redirects=False)


def _assisted(client: TestClient, db: Session) -> TestClient:
    held_invitation(db)
    staff = worker(client, db)
    started = _start(staff)
    assert started.status_code == 303, started.text
    assert started.headers["location"] == "/survey/assisted"
    return staff


def _submit(browser: TestClient) -> None:
    token = csrf_token(browser, "/survey/check")
    sent = browser.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303, sent.text


def test_the_start_page_says_who_sees_the_answers(client: TestClient, db: Session) -> None:
    staff = _assisted(client, db)
    page = staff.get("/survey/assisted")
    assert page.status_code == 200
    text = page.text
    assert "will see your answers" in text
    assert "Nobody else will see them" in text
    assert "answer on your own instead" in text
    assert 'href="/survey/start"' in text


def test_the_request_must_be_ticked(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    refused = _start(staff, requested=False)
    assert refused.status_code == 400
    assert "govuk-error-summary" in refused.text and "asked you to help" in refused.text
    db.expire_all()
    assert db.exec(select(SurveySession)).all() == []
    db.commit()


def test_answer_on_my_own_is_on_every_page(client: TestClient, db: Session) -> None:
    staff = _assisted(client, db)
    for path in ("/survey/assisted", "/survey/start", "/survey/check"):
        page = staff.get(path)
        assert page.status_code == 200, path
        assert 'action="/survey/on-my-own"' in page.text, path
        assert "Answer on my own" in page.text
        # No personal address on the worker's device.
        assert "/survey/another-device" not in page.text, path
    assert staff.get("/survey/another-device").status_code == 404


def test_a_link_session_has_no_assisted_pages(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    assert "/survey/on-my-own" not in client.get("/survey/start").text
    assert client.get("/survey/assisted").status_code == 404
    token = csrf_token(client, "/survey/start")
    assert client.post("/survey/on-my-own", data={"csrf_token": token}).status_code == 404


def test_answer_on_my_own_ends_the_session_and_gives_a_code(
    client: TestClient, db: Session
) -> None:
    staff = _assisted(client, db)
    token = csrf_token(staff, "/survey/start")
    page = staff.post("/survey/on-my-own", data={"csrf_token": token})
    assert page.status_code == 200, page.text
    match = OWN_CODE.search(page.text)
    assert match
    code = match.group(1) + match.group(2)
    db.expire_all()
    assert db.exec(select(Handover)).one().code_hash == code_hash(code)
    assert all(row.ended_at is not None for row in db.exec(select(SurveySession)).all())
    db.commit()
    # The worker's device is out of the survey...
    assert staff.get("/survey/start").status_code == 401
    # ...and the victim carries on alone, not assisted.
    victim = TestClient(client.app, base_url=str(client.base_url))
    assert victim.post("/code", data={"code": code}, follow_redirects=False).status_code == 303
    assert "/survey/on-my-own" not in victim.get("/survey/start").text
    _submit(victim)
    db.expire_all()
    assert db.exec(select(Response)).one().assisted is False
    db.commit()


def _answer_alone(staff: TestClient) -> str:
    """Press "Answer on my own" on the worker's device; returns the victim's new code."""
    page = staff.post("/survey/on-my-own", data={"csrf_token": csrf_token(staff, "/survey/start")})
    assert page.status_code == 200, page.text
    match = OWN_CODE.search(page.text)
    assert match
    return match.group(1) + match.group(2)


def _redeem(client: TestClient, code: str) -> TestClient:
    victim = TestClient(client.app, base_url=str(client.base_url))
    assert victim.post("/code", data={"code": code}, follow_redirects=False).status_code == 303
    return victim


def _sent_assisted(db: Session) -> bool:
    db.expire_all()
    assisted = db.exec(select(Response)).one().assisted
    db.commit()
    return assisted


def test_answers_given_with_help_keep_the_response_assisted_after_answer_on_my_own(
    client: TestClient, db: Session
) -> None:
    staff = _assisted(client, db)
    assert answer(staff, "sat_overall", "very_dissatisfied").status_code == 303
    victim = _redeem(client, _answer_alone(staff))
    assert answer(victim, "someone_charged", "no").status_code == 303
    _submit(victim)
    assert _sent_assisted(db) is True


def test_a_skip_given_with_help_counts_as_help(client: TestClient, db: Session) -> None:
    staff = _assisted(client, db)
    assert answer(staff, "sat_overall", None).status_code == 303
    _submit(_redeem(client, _answer_alone(staff)))
    assert _sent_assisted(db) is True


def test_help_is_kept_when_sent_by_the_api_after_the_sessions_are_deleted(
    client: TestClient, db: Session
) -> None:
    invitation = _held_and_helped(client, db)
    # The retention job deletes ended sessions a day on: the help is still known.
    delete_old_sessions(db, at=utcnow() + timedelta(days=3))
    db.commit()
    assert db.exec(select(SurveySession)).all() == []
    token = token_for(invitation)
    api = TestClient(client.app, base_url=str(client.base_url))
    saved = api.put(f"/api/v1/survey/{token}/answers", json={"answers": {"someone_charged": "no"}})
    assert saved.status_code == 200, saved.text
    assert api.post(f"/api/v1/survey/{token}/submit").status_code == 200
    assert _sent_assisted(db) is True


def _held_and_helped(client: TestClient, db: Session) -> Invitation:
    invitation = held_invitation(db)
    staff = worker(client, db)
    assert _start(staff).status_code == 303
    assert answer(staff, "sat_overall", "very_satisfied").status_code == 303
    _answer_alone(staff)
    return invitation


def test_an_answer_given_with_help_then_changed_alone_leaves_the_response_self(
    client: TestClient, db: Session
) -> None:
    staff = _assisted(client, db)
    assert answer(staff, "sat_overall", "very_satisfied").status_code == 303
    victim = _redeem(client, _answer_alone(staff))
    # The victim gives that answer again on their own: the response holds no answer given
    # with help.
    assert answer(victim, "sat_overall", "fairly_satisfied").status_code == 303
    _submit(victim)
    assert _sent_assisted(db) is False


def test_an_assisted_session_that_saved_nothing_leaves_the_response_self(
    client: TestClient, db: Session
) -> None:
    staff = _assisted(client, db)
    assert staff.get("/survey/start").status_code == 200
    victim = _redeem(client, _answer_alone(staff))
    assert answer(victim, "sat_overall", "very_satisfied").status_code == 303
    _submit(victim)
    assert _sent_assisted(db) is False


def test_a_survey_never_assisted_stays_self(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    assert answer(client, "sat_overall", "very_satisfied").status_code == 303
    _submit(client)
    assert _sent_assisted(db) is False


def test_answer_on_my_own_needs_the_form_token(client: TestClient, db: Session) -> None:
    staff = _assisted(client, db)
    assert staff.post("/survey/on-my-own", data={}).status_code == 403
    assert staff.get("/survey/start").status_code == 200


def test_a_response_sent_from_an_assisted_session_is_assisted(
    client: TestClient, db: Session
) -> None:
    staff = _assisted(client, db)
    _submit(staff)
    db.expire_all()
    assert db.exec(select(Response)).one().assisted is True
    db.commit()


def test_audit_names_only_the_service_and_month(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db)
    staff = worker(client, db)
    assert _start(staff).status_code == 303
    token = csrf_token(staff, "/survey/start")
    code_page = staff.post("/survey/on-my-own", data={"csrf_token": token})
    found = OWN_CODE.search(code_page.text)
    assert found
    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action.startswith("support."))).all()  # type: ignore[attr-defined]
    assert [event.action for event in events] == [
        "support.assisted_started",
        "support.answer_alone",
    ]
    for event in events:
        assert set(event.detail or {}) == {"support_service", "month"}
    for event in db.exec(select(AuditEvent)).all():
        dumped = str(event.model_dump())
        for secret in (CASE_REF, invitation.id, found.group(1) + found.group(2)):
            assert secret not in dumped
    db.commit()
