"""The real senders against local doubles: an SMTP server and a GOV.UK Notify API double."""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from app.invitations.dispatch import dispatch_once
from app.invitations.models import Invitation, OutboundMessage
from app.messaging.factory import get_sender
from tests.invitations.factories import PHONE_E164, make_row, upload
from tests.messaging.notify_double import (
    EMAIL_TEMPLATE,
    INBOUND_SENDER,
    SERVICE_ID,
    SMS_TEMPLATE,
    NotifyState,
    running_notify_double,
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[tuple[_Mailbox, int]]:
    mailbox = _Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def _email_row() -> dict[str, Any]:
    return make_row(channel="email", phone=None, email="Person@Example.org")


def test_smtp_sends_text_and_html_with_one_click_unsubscribe(
    db: Session, settings_override: Any, smtp_server: tuple[_Mailbox, int]
) -> None:
    mailbox, port = smtp_server
    settings_override(
        VV_SENDER="smtp",
        VV_SMTP_URL=f"smtp://127.0.0.1:{port}?from=survey@example.org",
        VV_VERIFY_URL="https://example.org/check",
        VV_ORGANISATION="Westshire Commissioner",
    )
    upload(db, [_email_row()])
    report = dispatch_once(sender=get_sender())
    assert report.sent == 1
    [(mail_from, rcpt_tos, email)] = mailbox.messages
    assert mail_from == "survey@example.org" and rcpt_tos == ["person@example.org"]
    unsubscribe = email["List-Unsubscribe"]
    assert unsubscribe.startswith("<http://testserver/s/") and unsubscribe.endswith("/stop>")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(preferencelist=("plain",)).get_content()  # type: ignore[union-attr]
    html = email.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    link = unsubscribe[1:-6]
    assert link in text and f'href="{link}"' in html
    assert "https://example.org/check" in text
    assert "Westshire Commissioner" in text
    for word in ("victim", "crime", "rape", "abuse", "police"):
        assert word not in text.lower() and word not in email["Subject"].lower()
    db.expire_all()
    message = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "invitation")).one()
    assert message.provider == "smtp" and message.status == "sent"
    db.commit()


def test_smtp_setting_sends_sms_to_the_outbox(
    db: Session, settings_override: Any, smtp_server: tuple[_Mailbox, int], tmp_path: Any
) -> None:
    mailbox, port = smtp_server
    outbox = tmp_path / "outbox.jsonl"
    settings_override(
        VV_SENDER="smtp", VV_SMTP_URL=f"smtp://127.0.0.1:{port}", VV_OUTBOX_PATH=str(outbox)
    )
    upload(db, [make_row()])
    assert dispatch_once(sender=get_sender()).sent == 1
    assert mailbox.messages == []
    assert json.loads(outbox.read_text())["to"] == PHONE_E164


def test_smtp_unreachable_is_retried_not_lost(db: Session, settings_override: Any) -> None:
    settings_override(VV_SENDER="smtp", VV_SMTP_URL=f"smtp://127.0.0.1:{_free_port()}")
    upload(db, [_email_row()])
    report = dispatch_once(sender=get_sender())
    assert report.retry == 1 and report.sent == 0


@pytest.fixture
def notify_double(settings_override: Any) -> Iterator[NotifyState]:
    with running_notify_double() as state:
        settings_override(**state.settings())
        yield state


def test_notify_sms_and_email_with_template_personalisation_and_reference(
    db: Session, notify_double: NotifyState
) -> None:
    upload(db, [make_row(), _email_row()])
    report = dispatch_once(sender=get_sender())
    assert report.sent == 2
    requests = dict(notify_double.received)
    messages = {
        m.invitation_id: m
        for m in db.exec(select(OutboundMessage).where(OutboundMessage.kind == "invitation"))
    }
    invitations = {i.channel: i for i in db.exec(select(Invitation)).all()}
    db.commit()

    sms = requests["/v2/notifications/sms"]
    assert sms["phone_number"] == PHONE_E164
    assert sms["template_id"] == SMS_TEMPLATE
    assert set(sms["personalisation"]) == {"body"}
    # From the service's inbound number (VV_NOTIFY_SMS_SENDER_ID), never a default sender.
    assert sms["sms_sender_id"] == INBOUND_SENDER
    assert sms["personalisation"]["body"].endswith("Reply STOP to stop")
    assert "http://testserver/s/" in sms["personalisation"]["body"]
    assert sms["reference"] == messages[invitations["sms"].id].id

    email = requests["/v2/notifications/email"]
    assert email["email_address"] == "person@example.org"
    assert email["template_id"] == EMAIL_TEMPLATE
    assert set(email["personalisation"]) == {"subject", "body"}
    assert email["personalisation"]["subject"]
    assert email["reference"] == messages[invitations["email"].id].id
    assert email["one_click_unsubscribe_url"].endswith("/stop")
    assert messages[invitations["sms"].id].provider == "notify"


def test_notify_refusal_fails_and_server_error_goes_to_review(
    db: Session, notify_double: NotifyState
) -> None:
    notify_double.answer_status = 400
    upload(db, [make_row()])
    assert dispatch_once(sender=get_sender()).failed == 1
    notify_double.answer_status = 500
    upload(db, [make_row(phone="07911 123400")])
    report = dispatch_once(sender=get_sender())
    assert report.review == 1 and report.sent == 0
    statuses = sorted(
        m.status
        for m in db.exec(select(OutboundMessage).where(OutboundMessage.kind == "invitation"))
    )
    db.commit()
    assert statuses == ["failed", "review"]


def test_notify_bad_key_is_refused_by_the_double(
    db: Session, notify_double: NotifyState, settings_override: Any
) -> None:
    settings_override(VV_NOTIFY_API_KEY=f"k-{SERVICE_ID}-{uuid.uuid4()}")
    upload(db, [make_row()])
    assert dispatch_once(sender=get_sender()).failed == 1
    assert notify_double.received == []
