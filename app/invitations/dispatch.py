"""Sending due invitations and reminders, safely, from any number of workers.

Each message goes through three short steps, none holding a transaction open across the
provider call:

1. claim: due rows are marked `claimed` by this worker in one short transaction (on
   PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, so two workers never claim one row;
   on SQLite `BEGIN IMMEDIATE` serialises claims);
2. check and send: the invitation and contact are read again (cancelled, withdrawn,
   completed, expired, opted out or erased → not sent) and the message goes to the provider
   carrying its own id as the reference;
3. record: `sent` (and the invitation's first send, expiry and reminder), or what went wrong.

At most once: a message whose outcome is unknown — the provider call raised something other
than a certain refusal, or the worker died between the provider's acceptance and step 3 —
is never sent again automatically. It is marked `review` for an operator (docs/dispatch.md).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.audit import record as record_event
from app.crypto import DecryptionFailed, decrypt
from app.db import as_utc, new_uuid, session_scope
from app.db import utcnow as now
from app.invitations.contacts import configured_quiet_hours
from app.invitations.links import make_survey_token, stop_url, survey_url
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.scheduling import LONDON, link_expires_at, next_send_time, reminder_due_at
from app.messaging.sender import OutgoingMessage, Sender, SendRejected, get_sender
from app.messaging.texts import render_message
from app.settings import get_settings

logger = logging.getLogger("victim_voice.dispatch")

CLAIM_BATCH = 50
# A claim older than this has outlived any provider call (30 s timeout): its worker died.
STALE_CLAIM_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)
# Invitation states after which nothing more is sent.
FINAL_STATES = frozenset({"cancelled", "withdrawn", "expired", "completed"})


@dataclass
class DispatchReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: int = 0
    review: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    def add_skip(self, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1

    def summary(self) -> str:
        return (
            f"sent {self.sent}, skipped {self.skipped}, failed {self.failed}, "
            f"retry later {self.retry}, for review {self.review}"
        )


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{new_uuid()[:8]}"


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def in_quiet_hours(at: datetime) -> bool:
    quiet = configured_quiet_hours()
    return quiet is not None and quiet.contains(at.astimezone(LONDON).time())


def claim_due(session: Session, *, worker: str, limit: int, at: datetime) -> list[str]:
    """Mark up to `limit` due messages as claimed by `worker`; their ids, oldest due first."""
    query = (
        select(col(OutboundMessage.id))
        .where(col(OutboundMessage.status) == "due")
        .where(col(OutboundMessage.due_at) <= at)
        .order_by(col(OutboundMessage.due_at))
        .limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        session.execute(
            update(OutboundMessage)
            .where(col(OutboundMessage.id).in_(ids))
            .where(col(OutboundMessage.status) == "due")
            .values(
                status="claimed",
                claimed_at=at,
                claimed_by=worker,
                attempts=col(OutboundMessage.attempts) + 1,
            )
        )
    return ids


def mark_stale_claims(session: Session, *, at: datetime) -> int:
    """Claims left by a worker that died: held for an operator, never resent automatically."""
    stale = session.scalars(
        select(OutboundMessage)
        .where(col(OutboundMessage.status) == "claimed")
        .where(col(OutboundMessage.claimed_at) < at - STALE_CLAIM_AFTER)
    ).all()
    for message in stale:
        _hold_for_review(session, message, "worker stopped before recording the outcome", at)
    if stale:
        record_event(
            session,
            actor="system",
            action="dispatch.review",
            object_type="outbound_message",
            detail={"stale_claims": len(stale)},
        )
    return len(stale)


def _hold_for_review(session: Session, message: OutboundMessage, reason: str, at: datetime) -> None:
    message.status = "review"
    message.error = reason
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and invitation.expires_at is None:
        # The message may have reached the victim: treat it as sent, so the link works and
        # ends on time (purge then erases the contact details), but schedule no reminder.
        sent_at = as_utc(message.claimed_at or at)
        invitation.first_sent_at = sent_at
        invitation.expires_at = link_expires_at(sent_at, ttl_days=get_settings().link_ttl_days)
        if invitation.status == "pending":
            invitation.status = "sent"
        session.add(invitation)


@dataclass
class _Prepared:
    outgoing: OutgoingMessage | None
    skip_reason: str | None = None


def _prepare(session: Session, message: OutboundMessage, at: datetime) -> _Prepared:
    """Build the message, or say why it must not be sent (checked at send time)."""
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is None:
        return _Prepared(None, "no_invitation")
    if invitation.status in FINAL_STATES:
        return _Prepared(None, invitation.status)
    if invitation.expires_at is not None and at >= as_utc(invitation.expires_at):
        return _Prepared(None, "expired")
    if invitation.contact_id is None:
        return _Prepared(None, "no_contact")
    contact = session.get(Contact, invitation.contact_id)
    if contact is None:
        return _Prepared(None, "no_contact")
    if contact.opted_out_at is not None:
        return _Prepared(None, "opted_out")
    if contact.destination_encrypted is None:
        return _Prepared(None, "erased")
    try:
        destination = decrypt(contact.destination_encrypted)
    except DecryptionFailed:
        return _Prepared(None, "undecryptable")
    settings = get_settings()
    token = make_survey_token(invitation.id)
    rendered = render_message(
        message.kind,
        invitation.channel,
        invitation.language,
        link=survey_url(token),
        stop_link=stop_url(token),
        organisation=settings.organisation,
        verify_url=settings.verify_url or settings.base_url,
    )
    return _Prepared(
        OutgoingMessage(
            channel=invitation.channel,
            to=destination,
            body=rendered.body,
            subject=rendered.subject,
            html_body=rendered.html_body,
            reference=message.id,
            stop_url=stop_url(token),
        )
    )


def _record_sent(
    session: Session, message_id: str, provider: str, provider_id: str | None, at: datetime
) -> None:
    message = session.get(OutboundMessage, message_id)
    assert message is not None
    message.status = "sent"
    message.sent_at = at
    message.provider = provider
    message.provider_id = provider_id[:120] if provider_id else None
    message.error = None
    session.add(message)
    if message.kind != "invitation":
        return
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is None or invitation.first_sent_at is not None:
        return
    settings = get_settings()
    expires = link_expires_at(at, ttl_days=settings.link_ttl_days)
    invitation.first_sent_at = at
    invitation.expires_at = expires
    if invitation.status == "pending":
        invitation.status = "sent"
    session.add(invitation)
    if invitation.contact_id is not None:
        contact = session.get(Contact, invitation.contact_id)
        if contact is not None:
            erase_after = as_utc(contact.erase_after) if contact.erase_after else None
            contact.erase_after = max(erase_after, expires) if erase_after else expires
            session.add(contact)
    reminder_at = reminder_due_at(
        at,
        after_days=settings.reminder_after_days,
        quiet=configured_quiet_hours(),
        expires_at=expires,
    )
    if reminder_at is not None:
        session.add(
            OutboundMessage(
                invitation_id=invitation.id, kind="reminder", status="due", due_at=reminder_at
            )
        )


def _record_rejected(
    session: Session, message_id: str, exc: SendRejected, at: datetime, report: DispatchReport
) -> None:
    message = session.get(OutboundMessage, message_id)
    assert message is not None
    message.error = exc.reason[:200]
    if exc.retryable and message.attempts < MAX_ATTEMPTS:
        message.status = "due"
        message.due_at = next_send_time(
            at + RETRY_AFTER * message.attempts, configured_quiet_hours()
        )
        message.claimed_by = None
        report.retry += 1
    else:
        message.status = "failed"
        report.failed += 1
        invitation = session.get(Invitation, message.invitation_id)
        if (
            invitation is not None
            and message.kind == "invitation"
            and (invitation.status == "pending")
        ):
            invitation.status = "failed"
            session.add(invitation)
    session.add(message)


def send_claimed(message_id: str, *, sender: Sender, report: DispatchReport) -> None:
    """Check, send and record one claimed message (three short transactions at most)."""
    at = now()
    with session_scope() as session:
        message = session.get(OutboundMessage, message_id)
        if message is None or message.status != "claimed":
            return
        prepared = _prepare(session, message, at)
        if prepared.outgoing is None:
            message.status = "skipped"
            message.error = prepared.skip_reason
            session.add(message)
            report.add_skip(prepared.skip_reason or "unknown")
            return
    outgoing = prepared.outgoing
    try:
        receipt = sender.send(outgoing)
    except SendRejected as exc:
        with session_scope() as session:
            _record_rejected(session, message_id, exc, now(), report)
        return
    except Exception as exc:
        # Unknown outcome: the provider may have the message. Never resend on our own.
        logger.warning("send outcome unknown for message %s: %s", message_id, type(exc).__name__)
        with session_scope() as session:
            message = session.get(OutboundMessage, message_id)
            assert message is not None
            _hold_for_review(session, message, f"outcome unknown ({type(exc).__name__})", now())
        report.review += 1
        return
    with session_scope() as session:
        _record_sent(session, message_id, receipt.provider, receipt.provider_id, now())
    report.sent += 1


def dispatch_once(
    *, sender: Sender | None = None, worker: str | None = None, limit: int | None = None
) -> DispatchReport:
    """Send everything due now (up to `limit` messages), then return."""
    sender = sender or get_sender()
    worker = worker or worker_name()
    report = DispatchReport()
    with session_scope() as session:
        report.review += mark_stale_claims(session, at=now())
    handled = 0
    while limit is None or handled < limit:
        if in_quiet_hours(now()):
            # A message that fell due before quiet hours began (a worker was down, a long
            # backlog) waits for the morning rather than arriving at night.
            break
        size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handled)
        with session_scope() as session:
            ids = claim_due(session, worker=worker, limit=size, at=now())
        if not ids:
            break
        for message_id in ids:
            send_claimed(message_id, sender=sender, report=report)
        handled += len(ids)
    if report.sent or report.skipped or report.failed or report.review:
        with session_scope() as session:
            record_event(
                session,
                actor="system",
                action="dispatch.run",
                detail={
                    "sent": report.sent,
                    "skipped": report.skipped,
                    "failed": report.failed,
                    "retry": report.retry,
                    "review": report.review,
                },
            )
    return report


def settle_review(session: Session, *, resend: list[str], sent: list[str], actor: str) -> list[str]:
    """Settle messages held for review (an operator checked the provider); list the rest.

    `resend`: the provider certainly did not send it, so it becomes due again.
    `sent`: the provider did send it; no reminder is added (one could now be a duplicate).
    """
    lines: list[str] = []
    for ids, status in ((resend, "due"), (sent, "sent")):
        for message_id in ids:
            message = session.get(OutboundMessage, message_id)
            if message is None or message.status != "review":
                lines.append(f"{message_id}: not a message held for review")
                continue
            message.status = status
            message.claimed_by = None
            if status == "due":
                message.due_at = now()
            session.add(message)
            record_event(
                session,
                actor=actor,
                action="dispatch.review_settled",
                object_type="outbound_message",
                object_id=message.id,
                detail={"status": status},
            )
            lines.append(f"{message_id}: {status}")
    session.flush()
    held = session.scalars(
        select(OutboundMessage)
        .where(col(OutboundMessage.status) == "review")
        .order_by(col(OutboundMessage.claimed_at))
    ).all()
    lines.append(f"{len(held)} messages held for review")
    for message in held:
        claimed = as_utc(message.claimed_at).isoformat() if message.claimed_at else "-"
        lines.append(f"  {message.id}  {message.kind:10} claimed {claimed}  {message.error or ''}")
    return lines
