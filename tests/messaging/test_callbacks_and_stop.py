"""Opting out (STOP by SMS, the stop page, email one-click) and delivery receipts."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.invitations.callbacks import is_stop_request
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation, OutboundMessage
from tests.factories import token_in
from tests.invitations.factories import PHONE_E164, RecordingSender, make_row, upload

TOKEN = "callback-token-0123456789"
DELIVERY = "/api/v1/callbacks/notify/delivery"
INBOUND = "/api/v1/callbacks/notify/inbound-sms"


@pytest.fixture
def callback_token(settings_override: Any) -> dict[str, str]:
    settings_override(VV_NOTIFY_CALLBACK_TOKEN=TOKEN)
    return {"Authorization": f"Bearer {TOKEN}"}


def _sent_link(db: Session) -> tuple[str, RecordingSender]:
    upload(db, [make_row()])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    token = token_in(sender.sent[0].body)
    return token, sender


def _contact(db: Session) -> Contact:
    contact = db.exec(select(Contact).execution_options(populate_existing=True)).one()
    db.commit()
    return contact


def _inbound(number: str, message: str) -> dict[str, str]:
    return {
        "id": "b1",
        "source_number": number,
        "destination_number": "07700900000",
        "message": message,
        "date_received": "2026-11-27T10:00:00.000000Z",
    }


@pytest.mark.parametrize("text", ["STOP", "stop", " s t o p ", "Stop.", "STOP!", "sToP\n"])
def test_stop_words(text: str) -> None:
    assert is_stop_request(text)


@pytest.mark.parametrize("text", ["stopping by", "please don't stop", "hello", ""])
def test_not_stop_words(text: str) -> None:
    assert not is_stop_request(text)


def test_callbacks_refuse_without_the_right_token(
    client: TestClient, callback_token: dict[str, str]
) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": TOKEN}):
        response = client.post(INBOUND, json=_inbound("447911123456", "STOP"), headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")


def test_callbacks_refused_when_no_token_is_configured(client: TestClient) -> None:
    response = client.post(
        DELIVERY,
        json={"reference": "x", "status": "delivered"},
        headers={"Authorization": "Bearer "},
    )
    assert response.status_code == 401


def test_inbound_stop_opts_out_at_once_and_later_rows_are_skipped(
    client: TestClient, db: Session, callback_token: dict[str, str]
) -> None:
    token, sender = _sent_link(db)
    response = client.post(
        INBOUND, json=_inbound("447911123456", " s t o p "), headers=callback_token
    )
    assert response.status_code == 200 and response.json() == {"opted_out": True}
    contact = _contact(db)
    assert contact.opted_out_at is not None and contact.destination_encrypted is None
    # The reminder is never sent; a later batch row for the number is skipped.
    messages = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "reminder")).all()
    db.commit()
    assert [m.status for m in messages] == ["skipped"]
    result = upload(db, [make_row(phone="+44 7911 123456", case_ref="NEW")])
    assert result.skipped == [{"row": 0, "reason": "opted_out"}]
    # The link still opens the survey until it expires.
    assert client.get(f"/api/v1/survey/{token}").status_code not in (404, 410)
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "contact.opt_out")).all()
    db.commit()
    assert len(events) == 1 and "447911" not in str(events[0].detail)


def test_inbound_stop_from_unknown_number_is_remembered(
    client: TestClient, db: Session, callback_token: dict[str, str]
) -> None:
    response = client.post(INBOUND, json=_inbound("447911123499", "Stop."), headers=callback_token)
    assert response.json() == {"opted_out": True}
    result = upload(db, [make_row(phone="07911 123499")])
    assert result.skipped == [{"row": 0, "reason": "opted_out"}]


def test_inbound_other_text_changes_nothing(
    client: TestClient, db: Session, callback_token: dict[str, str]
) -> None:
    _sent_link(db)
    response = client.post(INBOUND, json=_inbound("447911123456", "thanks"), headers=callback_token)
    assert response.json() == {"opted_out": False}
    assert _contact(db).opted_out_at is None


def test_delivery_receipts_update_the_invitation(
    client: TestClient, db: Session, callback_token: dict[str, str]
) -> None:
    _sent_link(db)
    message = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "invitation")).one()
    db.commit()
    body = {"id": "n-1", "reference": message.id, "to": PHONE_E164, "status": "delivered"}
    response = client.post(DELIVERY, json=body, headers=callback_token)
    assert response.status_code == 200 and response.json() == {"recorded": True}
    invitation = db.exec(select(Invitation).execution_options(populate_existing=True)).one()
    db.commit()
    assert invitation.status == "delivered" and invitation.delivered_at is not None
    # A late failure receipt never moves the funnel backwards.
    body["status"] = "temporary-failure"
    client.post(DELIVERY, json=body, headers=callback_token)
    invitation = db.exec(select(Invitation).execution_options(populate_existing=True)).one()
    db.commit()
    assert invitation.status == "delivered"
    unknown = client.post(
        DELIVERY, json={"reference": "nope", "status": "delivered"}, headers=callback_token
    )
    assert unknown.json() == {"recorded": False}
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "message.receipt")).all()
    db.commit()
    assert PHONE_E164 not in str([e.detail for e in events])


def test_failure_receipt_marks_failed(
    client: TestClient, db: Session, callback_token: dict[str, str]
) -> None:
    _sent_link(db)
    message = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "invitation")).one()
    db.commit()
    client.post(
        DELIVERY,
        json={"reference": message.id, "status": "permanent-failure"},
        headers=callback_token,
    )
    invitation = db.exec(select(Invitation).execution_options(populate_existing=True)).one()
    db.commit()
    assert invitation.status == "failed"


def test_stop_page_and_post(client: TestClient, db: Session) -> None:
    token, _ = _sent_link(db)
    page = client.get(f"/s/{token}/stop")
    assert page.status_code == 200
    assert "Stop all messages" in page.text and f'action="/s/{token}/stop"' in page.text
    assert _contact(db).opted_out_at is None  # looking is not opting out
    done = client.post(f"/s/{token}/stop")
    assert done.status_code == 200
    assert "You will not get any more messages" in done.text
    assert _contact(db).opted_out_at is not None
    # Opting out does not end the link.
    assert client.get(f"/api/v1/survey/{token}").status_code not in (404, 410)
    # Twice is fine.
    assert client.post(f"/s/{token}/stop").status_code == 200


def test_email_one_click_unsubscribe_post(client: TestClient, db: Session) -> None:
    token, _ = _sent_link(db)
    response = client.post(
        f"/s/{token}/stop",
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    assert _contact(db).opted_out_at is not None


def test_stop_page_forged_token_is_404(client: TestClient, db: Session) -> None:
    token, _ = _sent_link(db)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert client.get(f"/s/{forged}/stop").status_code == 404
    assert client.post(f"/s/{forged}/stop").status_code == 404
    assert _contact(db).opted_out_at is None
    assert client.get("/s/nothing/stop").status_code == 404
