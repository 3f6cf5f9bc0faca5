"""Dispatch: what is sent, when, and what never is."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import as_utc
from app.db import utcnow as now
from app.enums import Role
from app.invitations.contacts import configured_quiet_hours
from app.invitations.dispatch import (
    MAX_ATTEMPTS,
    DispatchReport,
    claim_due,
    dispatch_once,
    send_claimed,
    send_handed_over,
    take_for_hand_over,
)
from app.invitations.lifecycle import MessageStatus
from app.invitations.links import token_hash
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.optout import opt_out_contact
from app.invitations.scheduling import first_due_at
from app.messaging.outbox import OutboxSender
from app.messaging.sender import OutgoingMessage, SendReceipt, SendRejected
from app.settings import get_settings
from tests.auth_helpers import api_headers
from tests.factories import link_token, token_in
from tests.invitations.factories import (
    PHONE_E164,
    RecordingSender,
    make_row,
    make_specialist_row,
    phone_number,
    upload,
)


def _invitation(db: Session) -> Invitation:
    invitation = db.exec(select(Invitation).execution_options(populate_existing=True)).one()
    db.commit()  # end the read: on SQLite every transaction holds the write lock
    return invitation


def _messages(db: Session) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.due_at)
    messages = list(db.exec(query.execution_options(populate_existing=True)).all())
    db.commit()
    return messages


def _make_due(db: Session, kind: str = "reminder") -> None:
    for message in _messages(db):
        if message.kind == kind and message.status == "due":
            message.due_at = now() - timedelta(minutes=1)
            db.add(message)
    db.commit()


def test_due_invitation_sent_with_link_and_reminder_scheduled(db: Session) -> None:
    upload(db, [make_row()])
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.sent == 1
    [message] = sender.sent
    assert message.channel == "sms" and message.to == PHONE_E164
    invitation = _invitation(db)
    token = token_in(message.body)
    assert invitation.link_hash == token_hash(token)
    assert f"http://testserver/s/{token}/stop" in message.body
    assert get_settings().organisation in message.body
    assert message.reference == _messages(db)[0].id
    assert len(message.body) <= 306
    # The link lives VV_LINK_TTL_DAYS from the first send.
    assert invitation.status == "sent" and invitation.first_sent_at is not None
    assert as_utc(invitation.expires_at) == as_utc(invitation.first_sent_at) + timedelta(days=28)  # type: ignore[arg-type]
    reminder = [m for m in _messages(db) if m.kind == "reminder"]
    assert len(reminder) == 1
    assert as_utc(reminder[0].due_at) == as_utc(invitation.first_sent_at) + timedelta(days=7)
    # Nothing more is due now.
    assert dispatch_once(sender=sender).sent == 0


def test_reminder_sent_once_then_nothing(db: Session) -> None:
    upload(db, [make_row()])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    _make_due(db)
    assert dispatch_once(sender=sender).sent == 1
    assert "reminder" in sender.sent[1].body
    # The reminder carries the very link of the invitation; then its encrypted copy goes.
    assert token_in(sender.sent[1].body) == token_in(sender.sent[0].body)
    assert _invitation(db).link_encrypted is None
    assert _invitation(db).link_hash == token_hash(token_in(sender.sent[0].body))
    assert len([m for m in _messages(db) if m.kind == "reminder"]) == 1
    assert dispatch_once(sender=sender).sent == 0


def test_a_retried_first_message_keeps_its_link(db: Session) -> None:
    """A first message refused (surely not sent) and tried again carries the same link."""
    upload(db, [make_row()])

    class RefuseOnce(RecordingSender):
        refused = False

        def send(self, message: OutgoingMessage) -> SendReceipt:
            self.bodies = [*getattr(self, "bodies", []), message.body]
            if not self.refused:
                self.refused = True
                raise SendRejected("busy", retryable=True)
            return super().send(message)

    sender = RefuseOnce()
    assert dispatch_once(sender=sender).retry == 1
    _make_due(db, "invitation")
    [message] = [m for m in _messages(db) if m.kind == "invitation"]
    message.due_at = now() - timedelta(minutes=1)
    db.add(message)
    db.commit()
    assert dispatch_once(sender=sender).sent == 1
    first, second = sender.bodies
    assert token_in(first) == token_in(second)


def test_the_reminder_of_an_opted_out_contact_has_no_link_left(db: Session) -> None:
    upload(db, [make_row()])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    contact = db.exec(select(Contact)).one()
    opt_out_contact(db, contact, source="test")
    db.commit()
    assert _invitation(db).link_encrypted is None
    _make_due(db)
    assert dispatch_once(sender=sender).sent == 0


def test_not_due_before_delay(db: Session, settings_override: object) -> None:
    settings_override(VV_QUIET_HOURS="20:00-09:00")  # type: ignore[operator]
    today = now().date()
    upload(db, [make_row(touchpoint_date=today.isoformat())])
    [message] = _messages(db)
    assert as_utc(message.due_at) == first_due_at(
        today, delay_days=3, quiet=configured_quiet_hours()
    )
    assert dispatch_once(sender=RecordingSender()).sent == 0


@pytest.mark.parametrize("status", ["completed", "withdrawn", "cancelled"])
def test_no_reminder_after_final_status(db: Session, status: str) -> None:
    upload(db, [make_row()])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    invitation = _invitation(db)
    invitation.status = status
    db.add(invitation)
    db.commit()
    _make_due(db)
    report = dispatch_once(sender=sender)
    assert report.sent == 0 and report.skip_reasons == {status: 1}
    assert len(sender.sent) == 1


def test_never_sent_after_expiry(db: Session) -> None:
    upload(db, [make_row()])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    invitation = _invitation(db)
    invitation.expires_at = now() - timedelta(seconds=1)
    db.add(invitation)
    db.commit()
    _make_due(db)
    report = dispatch_once(sender=sender)
    assert report.sent == 0 and report.skip_reasons == {"expired": 1}


def test_never_sent_to_opted_out_contact(db: Session) -> None:
    upload(db, [make_row()])
    contact = db.exec(select(Contact)).one()
    opt_out_contact(db, contact, source="test")
    db.commit()
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0
    assert sender.sent == []
    assert [m.status for m in _messages(db)] == ["skipped"]


def test_opt_out_after_claim_is_checked_at_send_time(db: Session) -> None:
    upload(db, [make_row()])
    claim_due(db, worker="w", limit=10, at=now())
    db.commit()
    contact = db.exec(select(Contact)).one()
    contact.opted_out_at = now()
    db.add(contact)
    db.commit()
    report = DispatchReport()
    sender = RecordingSender()
    send_claimed(_messages(db)[0].id, sender=sender, report=report, worker="w")
    assert sender.sent == [] and report.skip_reasons == {"opted_out": 1}
    assert [m.status for m in _messages(db)] == ["skipped"]


def test_unsafe_rows_are_never_sent(db: Session) -> None:
    upload(db, [make_row(safe_to_contact=False), make_row(safe_to_contact="FALSE")])
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0
    assert db.exec(select(Contact)).all() == []
    assert db.exec(select(Invitation)).all() == []
    db.commit()


def test_cancellation_before_send(client: TestClient, db: Session) -> None:
    upload(
        db,
        [
            make_row(case_ref="CASE-9", touchpoint="reporting"),
            make_row(case_ref="CASE-9", touchpoint="court", phone=phone_number(3)),
        ],
    )
    headers = api_headers(db, Role.uploader)
    response = client.post(
        "/api/v1/invitation-cancellations",
        json={"case_ref": "CASE-9", "touchpoint": "court"},
        headers=headers,
    )
    assert response.status_code == 200 and response.json() == {"cancelled": 1}
    response = client.post(
        "/api/v1/invitation-cancellations", json={"case_ref": "CASE-9"}, headers=headers
    )
    assert response.json() == {"cancelled": 1}  # the court one is already cancelled
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0
    db.expire_all()
    invitations = db.exec(select(Invitation)).all()
    db.commit()
    assert {i.status for i in invitations} == {"cancelled"}
    # A cancelled link answers 410 (had it ever been sent).
    token = link_token(db, invitations[0])
    db.commit()
    assert client.get(f"/api/v1/survey/{token}").status_code == 410
    assert client.post(
        "/api/v1/invitation-cancellations", json={"case_ref": "NOPE"}, headers=headers
    ).json() == {"cancelled": 0}


def test_cancellation_after_send_stops_the_reminder(client: TestClient, db: Session) -> None:
    upload(db, [make_row(case_ref="CASE-7")])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    response = client.post(
        "/api/v1/invitation-cancellations",
        json={"case_ref": "CASE-7"},
        headers=api_headers(db, Role.uploader),
    )
    assert response.json() == {"cancelled": 1}
    _make_due(db)
    assert dispatch_once(sender=sender).sent == 0
    assert [m.status for m in _messages(db)] == ["sent", "cancelled"]


def test_cancellation_requires_uploader_and_valid_body(client: TestClient, db: Session) -> None:
    url = "/api/v1/invitation-cancellations"
    assert (
        client.post(url, json={"case_ref": "X"}, headers=api_headers(db, Role.analyst)).status_code
        == 403
    )
    response = client.post(
        url, json={"touchpoint": "court"}, headers=api_headers(db, Role.uploader)
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")


class FlakySender:
    name = "flaky"

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.calls = 0

    def send(self, message: OutgoingMessage) -> SendReceipt:
        self.calls += 1
        raise self.error


def test_retryable_refusal_is_retried_later(db: Session) -> None:
    upload(db, [make_row()])
    report = dispatch_once(sender=FlakySender(SendRejected("busy", retryable=True)))
    assert report.retry == 1
    [message] = _messages(db)
    assert message.status == "due" and as_utc(message.due_at) > now()
    _make_due(db, "invitation")
    assert dispatch_once(sender=RecordingSender()).sent == 1


def test_permanent_refusal_fails_the_invitation(db: Session) -> None:
    upload(db, [make_row()])
    report = dispatch_once(sender=FlakySender(SendRejected("bad number", retryable=False)))
    assert report.failed == 1
    assert _messages(db)[0].status == "failed"
    assert _invitation(db).status == "failed"


def test_unknown_outcome_is_held_for_review_never_resent(db: Session) -> None:
    upload(db, [make_row()])
    flaky = FlakySender(TimeoutError())
    report = dispatch_once(sender=flaky)
    assert report.review == 1
    [message] = _messages(db)
    assert message.status == "review"
    invitation = _invitation(db)
    # The link may be in the victim's hands: it works and ends on time; no reminder follows.
    assert invitation.status == "sent" and invitation.expires_at is not None
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0 and sender.sent == []


LONG_AGO = timedelta(hours=1)  # far beyond any claim's time (VV_DISPATCH_CLAIM_SECONDS)


def test_claim_left_by_a_dead_worker_is_sent_once_not_held_for_review(db: Session) -> None:
    """A claim never reached a sender (the hand-over is marked apart): it is simply resent."""
    upload(db, [make_row()])
    claim_due(db, worker="dead-worker", limit=10, at=now() - LONG_AGO)
    db.commit()
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.requeued == 1 and report.review == 0 and report.sent == 1
    [message] = [m for m in _messages(db) if m.kind == "invitation"]
    assert message.status == "sent" and message.attempts == 2
    assert [m.reference for m in sender.sent] == [message.id]
    assert dispatch_once(sender=sender).sent == 0


def test_claim_still_held_by_a_live_worker_is_left_alone(db: Session) -> None:
    upload(db, [make_row()])
    claim_due(db, worker="live-worker", limit=10, at=now())
    db.commit()
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.requeued == 0 and sender.sent == []
    assert _messages(db)[0].status == "claimed"


def _hand_over(db: Session, worker: str, *, ago: timedelta) -> str:
    """Claim and mark one message as a worker would just before calling the sender."""
    [message_id] = claim_due(db, worker=worker, limit=10, at=now() - ago)
    taken = take_for_hand_over(db, message_id, worker=worker, at=now() - ago)
    assert taken.outgoing is not None
    db.commit()
    return message_id


def test_worker_dying_after_the_hand_over_leaves_message_for_review(db: Session) -> None:
    upload(db, [make_row()])
    message_id = _hand_over(db, "dead-worker", ago=LONG_AGO)
    assert _messages(db)[0].status == "handing_over"
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.review == 1 and report.requeued == 0 and sender.sent == []
    [message] = _messages(db)
    assert message.id == message_id and message.status == "review"
    assert message.error is not None and "outcome unknown" in message.error
    # The link may be in the victim's hands: it works from the hand-over and ends on time.
    invitation = _invitation(db)
    assert invitation.status == "sent"
    assert as_utc(invitation.first_sent_at) == as_utc(message.handed_over_at)  # type: ignore[arg-type]
    assert dispatch_once(sender=sender).sent == 0


def test_hand_over_in_progress_is_left_alone(db: Session) -> None:
    upload(db, [make_row()])
    _hand_over(db, "live-worker", ago=timedelta(seconds=1))
    report = dispatch_once(sender=RecordingSender())
    assert report.review == 0
    assert _messages(db)[0].status == "handing_over"


def test_hand_over_needs_the_claim_still_held(db: Session, settings_override: Any) -> None:
    """A worker whose claim ran out and was taken over never sends that message."""
    settings_override(VV_DISPATCH_CLAIM_SECONDS="60")
    upload(db, [make_row()])
    claim_due(db, worker="slow", limit=10, at=now() - timedelta(minutes=2))
    db.commit()
    fast = RecordingSender()
    assert dispatch_once(sender=fast, worker="fast").sent == 1
    slow = RecordingSender()
    report = DispatchReport()
    send_claimed(_messages(db)[0].id, sender=slow, report=report, worker="slow")
    assert slow.sent == [] and report.taken_over == 1 and report.sent == 0
    assert len(fast.sent) == 1
    [invitation_message] = [m for m in _messages(db) if m.kind == "invitation"]
    assert invitation_message.status == "sent" and invitation_message.claimed_by == "fast"


def test_outcome_recorded_even_if_held_for_review_meanwhile(db: Session) -> None:
    """A provider slower than the claim: the review mark gives way to the provider's answer."""
    upload(db, [make_row()])
    message_id = _hand_over(db, "slow", ago=LONG_AGO)

    # Another worker finds the hand-over out of time while the provider still has it.
    assert dispatch_once(sender=RecordingSender(), worker="other").review == 1
    assert _messages(db)[0].status == "review"
    report = DispatchReport()
    outgoing = OutgoingMessage(channel="sms", to=PHONE_E164, body="x", reference=message_id)
    send_handed_over(outgoing, sender=RecordingSender(), report=report, worker="slow")
    assert report.sent == 1
    [message] = [m for m in _messages(db) if m.kind == "invitation"]
    assert message.status == "sent" and message.provider_id == "p-1"


def test_message_that_kills_its_worker_fails_after_max_attempts(db: Session) -> None:
    upload(db, [make_row()])
    for _ in range(MAX_ATTEMPTS):
        claim_due(db, worker="dies-every-time", limit=10, at=now() - LONG_AGO)
        db.commit()
        # The next run finds the claim abandoned.
        dispatch_once(sender=RecordingSender(), limit=0)
    [message] = _messages(db)
    assert message.status == "failed" and message.attempts == MAX_ATTEMPTS
    assert message.error is not None and "never handed over" in message.error
    assert _invitation(db).status == "failed"


def test_message_that_cannot_be_built_fails_and_the_rest_go(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    upload(db, [make_row(), make_row(phone=phone_number(4), language="cy")])
    from app.invitations import outgoing

    real_render = outgoing.render_message

    def render(kind: str, channel: str, language: str, **kwargs: Any) -> Any:
        if language == "cy":
            raise KeyError("no Welsh text")
        return real_render(kind, channel, language, **kwargs)

    monkeypatch.setattr(outgoing, "render_message", render)
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.sent == 1 and report.failed == 1
    statuses = sorted(m.status for m in _messages(db) if m.kind == "invitation")
    assert statuses == ["failed", "sent"]


def test_opt_out_while_claimed_stops_the_message(db: Session) -> None:
    upload(db, [make_row()])
    [message_id] = claim_due(db, worker="w", limit=10, at=now())
    db.commit()
    contact = db.exec(select(Contact)).one()
    assert opt_out_contact(db, contact, source="test") == 1
    db.commit()
    report = DispatchReport()
    sender = RecordingSender()
    send_claimed(message_id, sender=sender, report=report, worker="w")
    assert sender.sent == [] and report.skip_reasons == {"opted_out": 1}
    assert _messages(db)[0].status == "skipped"


def test_statuses_are_the_stored_strings(db: Session) -> None:
    upload(db, [make_row()])
    claim_due(db, worker="w", limit=10, at=now())
    db.commit()
    raw = db.exec(select(OutboundMessage.status)).one()
    db.commit()
    assert raw == "claimed" == MessageStatus.claimed and type(raw) is str


def test_outbox_sender_writes_contract_lines(db: Session, tmp_path: Path) -> None:
    upload(db, [make_row(), make_row(channel="email", phone=None, email="a@example.org")])
    outbox = tmp_path / "outbox.jsonl"
    assert dispatch_once(sender=OutboxSender(outbox)).sent == 2
    lines = [json.loads(line) for line in outbox.read_text().splitlines()]
    assert {line["channel"] for line in lines} == {"sms", "email"}
    for line in lines:
        assert {"channel", "to", "body", "sent_at"} <= set(line)
        assert "http://testserver/s/" in line["body"]
    assert next(line for line in lines if line["channel"] == "sms")["to"] == PHONE_E164


def _window_around_now(minutes_before: int, minutes_after: int) -> str:
    from app.invitations.scheduling import LONDON

    local = now().astimezone(LONDON)
    start = (local - timedelta(minutes=minutes_before)).strftime("%H:%M")
    end = (local + timedelta(minutes=minutes_after)).strftime("%H:%M")
    return f"{start}-{end}"


def test_nothing_is_sent_in_quiet_hours_even_if_overdue(
    db: Session, settings_override: Any
) -> None:
    upload(db, [make_row()])
    _make_due(db, "invitation")  # due before quiet hours began (a worker was down)
    settings_override(VV_QUIET_HOURS=_window_around_now(60, 60))
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0 and sender.sent == []
    assert _messages(db)[0].status == "due"
    settings_override(VV_QUIET_HOURS=_window_around_now(-120, 180))  # quiet later today
    assert dispatch_once(sender=sender).sent == 1


def test_retry_is_moved_out_of_quiet_hours(db: Session, settings_override: Any) -> None:
    upload(db, [make_row()])
    # Quiet from 3 minutes from now for two hours: the 5-minute retry lands inside it.
    settings_override(VV_QUIET_HOURS=_window_around_now(-3, 120))
    report = dispatch_once(sender=FlakySender(SendRejected("busy", retryable=True)))
    assert report.retry == 1
    [message] = _messages(db)
    assert as_utc(message.due_at) >= now() + timedelta(minutes=115)


def test_cancellation_while_claimed_stops_the_message(client: TestClient, db: Session) -> None:
    upload(db, [make_row(case_ref="CASE-5")])
    [message_id] = claim_due(db, worker="w", limit=10, at=now())
    db.commit()
    response = client.post(
        "/api/v1/invitation-cancellations",
        json={"case_ref": "CASE-5"},
        headers=api_headers(db, Role.uploader),
    )
    assert response.json() == {"cancelled": 1}
    report = DispatchReport()
    sender = RecordingSender()
    send_claimed(message_id, sender=sender, report=report, worker="w")
    assert sender.sent == [] and report.skip_reasons == {"cancelled": 1}
    assert [m.status for m in _messages(db)] == ["cancelled"]
    assert _invitation(db).status == "cancelled"


def test_claim_without_an_end_from_an_older_worker_is_held_for_review(db: Session) -> None:
    """During a rolling deploy a worker of the previous version claims without an end and calls
    the sender while the message is `claimed`: such a claim may have gone, so never resend it."""
    upload(db, [make_row()])
    [message] = _messages(db)
    message.status = "claimed"
    message.claimed_by = "old-version-worker"
    message.claimed_at = now() - LONG_AGO
    message.attempts = 1
    db.add(message)
    db.commit()
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert report.review == 1 and report.requeued == 0 and sender.sent == []
    assert _messages(db)[0].status == "review"


def test_fresh_claim_without_an_end_is_left_alone(db: Session) -> None:
    upload(db, [make_row()])
    [message] = _messages(db)
    message.status = "claimed"
    message.claimed_by = "old-version-worker"
    message.claimed_at = now()
    db.add(message)
    db.commit()
    report = dispatch_once(sender=RecordingSender())
    assert report.review == 0 and report.requeued == 0
    assert _messages(db)[0].status == "claimed"


@pytest.mark.parametrize("channel", ["sms", "email"])
def test_a_specialist_group_gets_the_specialist_message_set(
    db: Session, settings_override: Any, channel: str
) -> None:
    """Nothing in a specialist message as sent names the organisation (the police, the PCC):
    the sender-side text comes from `specialist_messages`; general crime keeps naming it."""
    settings_override(
        VV_ORGANISATION="Northshire Police and Crime Commissioner",
        VV_SPECIALIST_DIRECT_CONTACT="on",
    )
    contact = {"phone": phone_number(1)} if channel == "sms" else {"email": "a@example.org"}
    rows = [
        make_specialist_row(channel=channel, **contact),
        make_row(crime_group="general", phone=phone_number(2), case_ref="CR/2"),
    ]
    if channel == "email":
        rows[0].pop("phone")
    upload(db, rows)
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 2
    by_channel = {message.to: message for message in sender.sent}
    specialist = by_channel[phone_number(1) if channel == "sms" else "a@example.org"]
    general = by_channel[phone_number(2)]
    as_sent = f"{specialist.subject or ''}\n{specialist.body}\n{specialist.html_body or ''}".lower()
    for word in ("police", "commissioner", "northshire", "crime", "victim"):
        assert word not in as_sent
    assert token_in(specialist.body)
    assert "Northshire Police and Crime Commissioner" in general.body
    if channel == "sms":
        assert specialist.body.endswith("Reply STOP to stop")
