"""Audit events of erasure and cancellation hold counts only: never a contact or a case ref."""

from __future__ import annotations

import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.audit import AuditEvent
from app.db import utcnow as now
from app.enums import Role
from app.invitations.contacts import case_ref_hash, contact_hash
from app.invitations.dispatch import dispatch_once
from app.jobs.retention import purge
from tests.auth_helpers import api_headers
from tests.invitations.factories import PHONE, PHONE_E164, RecordingSender, make_row, upload

EMAIL = "Person.Audit@Example.org"
CASE_REFS = ["CASE-AUDIT-1", "CASE-AUDIT-2"]
PERSONAL = [PHONE, PHONE_E164, PHONE_E164[1:], "7911123456", EMAIL, *CASE_REFS]


def _events(db: Session, action: str) -> list[AuditEvent]:
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.action == action)))
    db.commit()
    return events


def _assert_no_personal_data(event: AuditEvent) -> None:
    text = json.dumps(
        [event.actor, event.object_type, event.object_id, event.detail], default=str
    ).lower()
    secrets = [*PERSONAL, *(case_ref_hash(ref) for ref in CASE_REFS)]
    secrets += [contact_hash(PHONE_E164), contact_hash(EMAIL.lower())]
    for value in secrets:
        assert value.lower() not in text, value


def test_purge_writes_purge_run_with_counts_only(db: Session) -> None:
    upload(
        db,
        [
            make_row(case_ref=CASE_REFS[0]),
            make_row(case_ref=CASE_REFS[1], channel="email", phone=None, email=EMAIL),
        ],
    )
    dispatch_once(sender=RecordingSender())
    report = purge(db, at=now() + timedelta(days=29))
    db.commit()
    assert report.invitations_closed == 2

    [event] = _events(db, "purge.run")
    assert event.actor == "system"
    assert event.detail and all(isinstance(v, int) for v in event.detail.values())
    assert event.detail["invitations_closed"] == 2
    _assert_no_personal_data(event)


def test_cancellation_is_audited_without_the_case_reference(
    client: TestClient, db: Session
) -> None:
    upload(db, [make_row(case_ref=CASE_REFS[0])])
    headers = api_headers(db, Role.uploader)
    response = client.post(
        "/api/v1/invitation-cancellations",
        json={"case_ref": CASE_REFS[0], "touchpoint": "reporting"},
        headers=headers,
    )
    assert response.status_code == 200 and response.json() == {"cancelled": 1}

    [event] = _events(db, "invitation.cancel")
    assert event.actor.startswith("key:")
    assert event.detail["cancelled"] == 1
    _assert_no_personal_data(event)
