"""A support worker finds an invitation by crime reference, records agreement and hands over a
one-time code (issue 12): never a list of clients, never whether a client answered."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.db import utcnow
from app.enums import Role
from app.handover.codes import code_hash
from app.handover.models import Handover
from app.invitations.models import Invitation
from tests.auth_helpers import signed_in_client
from tests.handover.factories import (
    CASE_REF,
    HANDOVER_URL,
    LOOKUP_URL,
    code_of,
    hand_over,
    held_invitation,
    look_up,
    match_ids,
    worker,
)

NOT_FOUND = "No invitation found"


def _main(html: str) -> str:
    main = html.split('id="main-content"', 1)[1]
    return re.sub(r'name="csrf_token" value="[^"]+"', "", main)


def test_the_look_up_page_is_only_a_form(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    page = staff.get(LOOKUP_URL)
    assert page.status_code == 200
    assert 'name="case_ref"' in page.text
    # No listing of the service's clients: nothing of the held invitation shows.
    assert "Reporting" not in _main(page.text) and match_ids(page.text) == []


def test_a_crime_reference_finds_its_invitation(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db, crime_group="rasso", touchpoint="court")
    staff = worker(client, db)
    page = look_up(staff, f"  {CASE_REF} ")
    assert page.status_code == 200, page.text
    assert match_ids(page.text) == [invitation.id]
    text = _main(page.text)
    assert "Rape and serious sexual offences" in text or "rasso" in text.lower()
    assert "Court" in text
    assert invitation.touchpoint_date.strftime("%-d %B %Y") in text
    assert "No code handed over yet" in text


def test_a_reference_typed_in_small_letters_finds_one_stored_in_capitals(
    client: TestClient, db: Session
) -> None:
    invitation = held_invitation(db)
    lowered = held_invitation(db, case_ref="cr/2026/lower")
    staff = worker(client, db)
    assert match_ids(look_up(staff, CASE_REF.lower()).text) == [invitation.id]
    # A reference the force wrote in small letters is still found exactly as written.
    assert match_ids(look_up(staff, "cr/2026/lower").text) == [lowered.id]


@pytest.mark.parametrize("case_ref", ["", "   ", "CR/2026/9999", "CR/2026/000l", "x" * 300])
def test_a_wrong_or_empty_reference_finds_nothing(
    client: TestClient, db: Session, case_ref: str
) -> None:
    held_invitation(db)
    staff = worker(client, db)
    page = look_up(staff, case_ref)
    assert page.status_code == 200
    assert NOT_FOUND in page.text and match_ids(page.text) == []


def test_another_services_invitation_reads_as_none_at_all(client: TestClient, db: Session) -> None:
    held_invitation(db, support_service="samaritans")
    held_invitation(db, case_ref="CR/OTHER")
    staff = worker(client, db, "victim_support")
    other = look_up(staff, CASE_REF)
    wrong = look_up(staff, "CR/NOBODY")
    assert NOT_FOUND in other.text
    assert _main(other.text).replace(CASE_REF, "?") == _main(wrong.text).replace("CR/NOBODY", "?")


def test_the_match_never_shows_whether_the_client_answered(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db)
    staff = worker(client, db)
    hand_over(staff)
    before = _main(look_up(staff, CASE_REF).text)
    for status in ("opened", "started", "completed"):
        row = db.get(Invitation, invitation.id)
        assert row is not None
        row.status = status  # as the survey's own steps leave it
        db.add(row)
        db.commit()
        assert _main(look_up(staff, CASE_REF).text) == before, status
    for word in ("opened", "started", "completed", "finished", "answered"):
        assert word not in before.lower()


def test_an_ended_invitation_is_not_found(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db)
    row = db.get(Invitation, invitation.id)
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert NOT_FOUND in look_up(worker(client, db), CASE_REF).text


def test_look_ups_are_throttled_per_worker(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    for i in range(30):
        assert look_up(staff, f"CR/MISS/{i}").status_code == 200
    blocked = look_up(staff, CASE_REF)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "Too many look-ups" in blocked.text


def test_a_found_reference_does_not_use_up_the_look_ups(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    for _ in range(40):
        assert look_up(staff, CASE_REF).status_code == 200


def test_other_staff_may_not_use_the_pages(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = signed_in_client(client, db, [Role.analyst, Role.uploader, Role.victims_team])
    assert staff.get(LOOKUP_URL).status_code == 403
    assert look_up(staff, CASE_REF).status_code == 403


def test_the_forms_need_the_csrf_token(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    assert staff.post(LOOKUP_URL, data={"case_ref": CASE_REF}).status_code == 403
    assert staff.post(HANDOVER_URL, data={"case_ref": CASE_REF, "agreed": "yes"}).status_code == 403


# --- handing over ---------------------------------------------------------------------------


def test_agreement_is_required(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    page = hand_over(staff, agreed=False)
    assert page.status_code == 400
    assert "govuk-error-summary" in page.text and "agreed" in page.text
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    db.commit()


def test_a_handover_records_who_agreed_and_when_and_shows_a_code_once(
    client: TestClient, db: Session
) -> None:
    invitation = held_invitation(db)
    staff = worker(client, db)
    before = utcnow()
    page = hand_over(staff)
    assert page.status_code == 200, page.text
    code = code_of(page)
    db.expire_all()
    handover = db.exec(select(Handover)).one()
    assert handover.invitation_id == invitation.id
    assert handover.agreed_by is not None and handover.agreed_at is not None
    assert handover.agreed_at >= before - timedelta(seconds=1)
    assert handover.code_hash == code_hash(code)
    assert code not in str(handover.model_dump())
    held = db.get(Invitation, invitation.id)
    assert held is not None and held.status == "sent"
    assert held.expires_at is not None
    assert abs(held.expires_at - (handover.agreed_at + timedelta(days=28))) < timedelta(seconds=5)
    db.commit()
    # Never shown again: the look-up says when it was handed over, not the code.
    again = look_up(staff, CASE_REF).text
    assert code[:4] not in again and "Code handed over" in again


def test_a_new_code_replaces_the_old_and_keeps_the_link_life(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    staff = worker(client, db)
    first = code_of(hand_over(staff))
    db.expire_all()
    expires = db.exec(select(Invitation)).one().expires_at
    db.commit()
    second = code_of(hand_over(staff))
    assert first != second
    db.expire_all()
    assert db.exec(select(Handover)).one().code_hash == code_hash(second)
    assert db.exec(select(Invitation)).one().expires_at == expires
    db.commit()


def test_a_worker_cannot_hand_over_an_invitation_of_another_service(
    client: TestClient, db: Session
) -> None:
    other = held_invitation(db, support_service="samaritans", case_ref="CR/S")
    staff = worker(client, db, "victim_support")
    page = hand_over(staff, "CR/S", invitation=other.id)
    assert NOT_FOUND in page.text
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    db.commit()


def test_audit_events_name_only_the_service_and_the_month(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db)
    staff = worker(client, db)
    look_up(staff, CASE_REF)
    code = code_of(hand_over(staff))
    hand_over(staff, agreed=False)
    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action.startswith("support."))).all()  # type: ignore[attr-defined]
    assert [event.action for event in events] == ["support.code_issued"]
    assert events[0].object_type == "support_service" and events[0].object_id == "victim_support"
    assert events[0].detail == {
        "support_service": "victim_support",
        "month": utcnow().strftime("%Y-%m"),
    }
    handover = db.exec(select(Handover)).one()
    secrets_of_the_client = [
        CASE_REF,
        invitation.id,
        invitation.case_ref_hash or "?",
        code,
        handover.code_hash or "?",
    ]
    for event in db.exec(select(AuditEvent)).all():
        dumped = str(event.model_dump())
        for secret in secrets_of_the_client:
            assert secret not in dumped, (event.action, secret)
    db.commit()
