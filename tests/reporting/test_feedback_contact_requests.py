"""GET /api/v1/contact-requests, POST .../close, and erasing closed requests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography.fernet import Fernet, MultiFernet
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.contact_requests import (
    CLOSED_RETENTION,
    close_contact_request,
    erase_closed_contact_requests,
)
from app.survey.models import ContactRequest
from tests.auth_helpers import api_headers
from tests.reporting.test_feedback_factories import create_contact_request

URL = "/api/v1/contact-requests"
DETAILS = {"name": "Jo Bloggs", "phone": "07911 123456", "best_time": "mornings"}


def test_victims_team_reads_decrypted_details(client: TestClient, db: Session) -> None:
    row = create_contact_request(db, DETAILS, crime_group="rasso")
    db.commit()
    assert "Jo Bloggs" not in row.details_encrypted

    response = client.get(URL, headers=api_headers(db, Role.victims_team))

    assert response.status_code == 200
    [item] = response.json()
    assert item["id"] == row.id
    assert item["crime_group"] == "rasso"
    assert item["status"] == "open"
    assert item["details"] == DETAILS


def test_plain_text_details_are_shown_as_a_message(client: TestClient, db: Session) -> None:
    create_contact_request(db, "Please ring after 6pm")
    db.commit()

    [item] = client.get(URL, headers=api_headers(db, Role.victims_team)).json()

    assert item["details"] == {"message": "Please ring after 6pm"}


def test_nobody_else_sees_them(client: TestClient, db: Session) -> None:
    row = create_contact_request(db, DETAILS)
    db.commit()
    for role in (Role.analyst, Role.approver, Role.uploader, Role.editor):
        headers = api_headers(db, role)
        assert client.get(URL, headers=headers).status_code == 403
        assert client.post(f"{URL}/{row.id}/close", headers=headers).status_code == 403
    assert client.get(URL).status_code == 401


def test_read_is_audited_without_personal_data(client: TestClient, db: Session) -> None:
    row = create_contact_request(db, DETAILS)
    db.commit()
    headers = api_headers(db, Role.victims_team)

    client.get(URL, headers=headers)
    client.post(f"{URL}/{row.id}/close", headers=headers)

    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.object_type == "contact_request")).all()
    assert [event.action for event in events] == [
        "contact_requests.read",
        "contact_requests.close",
    ]
    for event in events:
        assert "Jo" not in str(event.detail) and "07911" not in str(event.detail)


def test_closing_sets_erase_after_and_hides_it_from_the_open_list(
    client: TestClient, db: Session
) -> None:
    row = create_contact_request(db, DETAILS)
    other = create_contact_request(db, {"email": "a@example.org"})
    db.commit()
    headers = api_headers(db, Role.victims_team)

    closed = client.post(f"{URL}/{row.id}/close", headers=headers)

    assert closed.status_code == 200
    body = closed.json()
    assert body["status"] == "closed"
    closed_at = datetime.fromisoformat(body["closed_at"])
    erase_after = datetime.fromisoformat(body["erase_after"])
    assert erase_after - closed_at == CLOSED_RETENTION
    assert [item["id"] for item in client.get(URL, headers=headers).json()] == [other.id]
    closed_list = client.get(URL, params={"status": "closed"}, headers=headers).json()
    assert [item["id"] for item in closed_list] == [row.id]
    assert client.post(f"{URL}/{row.id}/close", headers=headers).status_code == 409
    assert client.post(f"{URL}/nope/close", headers=headers).status_code == 404


def test_closed_requests_are_erased_after_the_retention_period(db: Session) -> None:
    now = datetime.now(UTC)
    old = create_contact_request(db, DETAILS)
    recent = create_contact_request(db, DETAILS)
    still_open = create_contact_request(db, DETAILS)
    close_contact_request(
        db, old.id, actor="user:1", now=now - CLOSED_RETENTION - timedelta(hours=1)
    )
    close_contact_request(db, recent.id, actor="user:1", now=now - timedelta(days=1))
    db.commit()

    erased = erase_closed_contact_requests(db, now=now)
    db.commit()

    assert erased == 1
    remaining = {row.id for row in db.exec(select(ContactRequest)).all()}
    assert remaining == {recent.id, still_open.id}
    assert erase_closed_contact_requests(db, now=now) == 0


def test_earlier_details_no_key_opens_are_null_not_an_error(
    client: TestClient, db: Session
) -> None:
    row = create_contact_request(db, DETAILS)
    # Encrypted under a key the service no longer holds.
    row.earlier_details_encrypted = (
        MultiFernet([Fernet(Fernet.generate_key())]).encrypt(b"[]").decode()
    )
    db.add(row)
    db.commit()

    [item] = client.get(URL, headers=api_headers(db, Role.victims_team)).json()

    assert item["details"] == DETAILS and item["earlier"] is None
