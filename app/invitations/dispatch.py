"""Sending due invitations and reminders, safely, from any number of workers.

Each message goes through short steps, none holding a transaction open across the provider
call, and each committed before the next begins:

1. claim: due rows are marked `claimed` by this worker until `claim_expires_at` (on
   PostgreSQL with `SELECT ... FOR UPDATE SKIP LOCKED`, so two workers never claim one row;
   on SQLite `BEGIN IMMEDIATE` serialises claims);
2. hand-over: the invitation and contact are read again (cancelled, withdrawn, completed,
   expired, opted out or erased → `skipped`) and, in the same transaction and only while this
   worker still holds the claim, the message is marked `handing_over`;
3. send: the message goes to the sender carrying its own id as the reference;
4. record: `sent` (and the invitation's first send, expiry and reminder), or what went wrong.

A worker that dies leaves either a `claimed` message, which certainly never reached a sender
and is claimed again once its claim expires, or a `handing_over` one, which may have: that one
alone is never sent again automatically and is held for review (docs/dispatch.md).
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlmodel import Session, col

from app.audit import record as record_event
from app.crypto import DecryptionFailed, decrypt
from app.db import as_utc, new_uuid, session_scope
from app.db import utcnow as now
from app.invitations import lifecycle
from app.invitations.contacts import configured_quiet_hours
from app.invitations.lifecycle import (
    FINISHED_INVITATIONS,
    HANDED_OVER_MESSAGES,
    STOPPED_MESSAGES,
    MessageStatus,
)
from app.invitations.links import make_survey_token, stop_url, survey_url
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.scheduling import LONDON, link_expires_at, next_send_time, reminder_due_at
from app.messaging.factory import get_sender
from app.messaging.sender import OutgoingMessage, Sender, SendRejected
from app.messaging.texts import render_message
from app.settings import get_settings

logger = logging.getLogger("victim_voice.dispatch")

CLAIM_BATCH = 50
MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)


def claim_lasts() -> timedelta:
    """How long a claim (and a hand-over) lasts before another worker may act on it."""
    return timedelta(seconds=get_settings().dispatch_claim_seconds)


@dataclass
class DispatchReport:
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    retry: int = 0
    review: int = 0
    # Claims of workers that stopped, claimed again (they never reached a sender).
    requeued: int = 0
    # Claims this worker held too long: another worker took them over, so this one left them.
    taken_over: int = 0
    skip_reasons: dict[str, int] = field(default_factory=dict)

    def add_skip(self, reason: str) -> None:
        self.skipped += 1
        self.skip_reasons[reason] = self.skip_reasons.get(reason, 0) + 1

    @property
    def anything(self) -> bool:
        return bool(
            self.sent
            or self.skipped
            or self.failed
            or self.retry
            or self.review
            or self.requeued
            or self.taken_over
        )

    def summary(self) -> str:
        return (
            f"sent {self.sent}, skipped {self.skipped}, failed {self.failed}, "
            f"retry later {self.retry}, for review {self.review}, re-queued {self.requeued}, "
            f"taken over by another worker {self.taken_over}"
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
        .where(col(OutboundMessage.status) == MessageStatus.due)
        .where(col(OutboundMessage.due_at) <= at)
        .order_by(col(OutboundMessage.due_at))
        .limit(limit)
    )
    if _is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        lifecycle.claim(session, ids, worker=worker, at=at, until=at + claim_lasts())
    return ids


@dataclass
class Recovered:
    requeued: int = 0
    failed: int = 0
    review: int = 0


def _claim_ran_out(at: datetime) -> ColumnElement[bool]:
    """A claim this code made (it always sets `claim_expires_at`) that has run out."""
    return and_(
        col(OutboundMessage.status) == MessageStatus.claimed,
        col(OutboundMessage.claim_expires_at) <= at,
    )


def _hand_over_ran_out(at: datetime) -> ColumnElement[bool]:
    """A hand-over that has run out; or a claim with no end, made by a worker of a version
    before hand-over marks (during a rolling deploy), which may have called the sender."""
    no_end_and_old = and_(
        col(OutboundMessage.claim_expires_at).is_(None),
        col(OutboundMessage.claimed_at) <= at - claim_lasts(),
    )
    return or_(
        and_(
            col(OutboundMessage.status) == MessageStatus.handing_over,
            or_(col(OutboundMessage.claim_expires_at) <= at, no_end_and_old),
        ),
        and_(col(OutboundMessage.status) == MessageStatus.claimed, no_end_and_old),
    )


def recover_abandoned(session: Session, *, at: datetime) -> Recovered:
    """Act on what workers that stopped left behind, once their claims have run out.

    A `claimed` message never reached a sender: it is due again at once (or `failed` after
    MAX_ATTEMPTS claims, so a message that kills its worker cannot stop dispatch for ever).
    A `handing_over` message may have reached it: it is held for review, never resent.
    """
    recovered = Recovered()
    lock = _is_postgres(session)
    query = select(OutboundMessage).where(_claim_ran_out(at))
    # SKIP LOCKED: a row another worker is recovering (or marking) right now is its business.
    abandoned_claims = session.scalars(
        query.with_for_update(skip_locked=True) if lock else query
    ).all()
    for message in abandoned_claims:
        if message.attempts >= MAX_ATTEMPTS:
            _fail(session, message, f"claimed {message.attempts} times, never handed over")
            recovered.failed += 1
            continue
        lifecycle.requeue(message, error="claimed again: its worker stopped before handing it over")
        session.add(message)
        recovered.requeued += 1
    query = select(OutboundMessage).where(_hand_over_ran_out(at))
    abandoned_hand_overs = session.scalars(
        query.with_for_update(skip_locked=True) if lock else query
    ).all()
    for message in abandoned_hand_overs:
        _hold_for_review(
            session, message, "worker stopped after handing it to the sender: outcome unknown", at
        )
        recovered.review += 1
    if abandoned_claims or abandoned_hand_overs:
        record_event(
            session,
            actor="system",
            action="dispatch.recovered",
            object_type="outbound_message",
            detail={
                "requeued": recovered.requeued,
                "failed": recovered.failed,
                "review": recovered.review,
            },
        )
    session.flush()
    return recovered


def _fail(session: Session, message: OutboundMessage, reason: str) -> None:
    lifecycle.fail(message, reason)
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and message.kind == "invitation":
        lifecycle.mark_failed(invitation)
        session.add(invitation)


def _hold_for_review(session: Session, message: OutboundMessage, reason: str, at: datetime) -> None:
    lifecycle.hold_for_review(message, reason)
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and invitation.expires_at is None:
        # The message may have reached the victim: treat it as sent, so the link works and
        # ends on time (purge then erases the contact details), but schedule no reminder.
        sent_at = as_utc(message.handed_over_at or message.claimed_at or at)
        expires = link_expires_at(sent_at, ttl_days=get_settings().link_ttl_days)
        lifecycle.mark_sent(invitation, at=sent_at, expires_at=expires)
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
    if invitation.status in FINISHED_INVITATIONS:
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


@dataclass
class HandOver:
    """What to do with one claimed message: send `outgoing`, or nothing (and why)."""

    outgoing: OutgoingMessage | None = None
    skip_reason: str | None = None
    failure: str | None = None
    lost: bool = False


def take_for_hand_over(session: Session, message_id: str, *, worker: str, at: datetime) -> HandOver:
    """Check a claimed message again and, if it may go, mark it `handing_over` (uncommitted).

    Only the worker still holding the claim can mark it, so a message another worker took over
    after this claim ran out is never handed to two senders. Commit before calling the sender:
    that commit is what tells a later worker the message may have gone.
    """
    query = (
        select(OutboundMessage)
        .where(col(OutboundMessage.id) == message_id)
        .execution_options(populate_existing=True)
    )
    if _is_postgres(session):
        query = query.with_for_update()
    message = session.scalars(query).first()
    if message is None or message.claimed_by != worker:
        return HandOver(lost=True)
    if message.status in STOPPED_MESSAGES:
        # Stopped while claimed (an opt-out or a cancellation): never handed over.
        cancelled = message.status == MessageStatus.cancelled
        return HandOver(skip_reason="cancelled" if cancelled else message.error or "skipped")
    if message.status != MessageStatus.claimed:
        return HandOver(lost=True)
    try:
        prepared = _prepare(session, message, at)
    except Exception as exc:
        # A message that cannot be built never reaches a sender: fail it rather than crash
        # the worker on it again and again.
        logger.exception("could not prepare message %s", message_id)
        _fail(session, message, f"could not prepare the message ({type(exc).__name__})")
        return HandOver(failure=type(exc).__name__)
    if prepared.outgoing is None:
        lifecycle.skip(message, prepared.skip_reason)
        session.add(message)
        return HandOver(skip_reason=prepared.skip_reason or "unknown")
    # The hand-over has its own time: a worker still waiting on the provider keeps it.
    lifecycle.hand_over(message, at=at, until=at + claim_lasts())
    session.add(message)
    return HandOver(outgoing=prepared.outgoing)


def _handed_over_by(session: Session, message_id: str, worker: str) -> OutboundMessage | None:
    """The message, if it is still this worker's hand-over (or held for review meanwhile)."""
    query = (
        select(OutboundMessage)
        .where(col(OutboundMessage.id) == message_id)
        # After the hand-over mark, the outcome is recorded even if the claim has run out
        # meanwhile (a slow provider): the sender has the message, so what it said is the truth.
        .where(col(OutboundMessage.status).in_(HANDED_OVER_MESSAGES))
        .where(col(OutboundMessage.claimed_by) == worker)
        .execution_options(populate_existing=True)
    )
    if _is_postgres(session):
        query = query.with_for_update()
    message = session.scalars(query).first()
    if message is None:
        logger.warning("message %s was settled by someone else meanwhile", message_id)
    return message


def _record_sent(
    session: Session, message: OutboundMessage, provider: str, provider_id: str | None, at: datetime
) -> None:
    lifecycle.settle_sent(message, provider=provider, provider_id=provider_id, at=at)
    session.add(message)
    if message.kind != "invitation":
        return
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is None or invitation.first_sent_at is not None:
        return
    settings = get_settings()
    expires = link_expires_at(at, ttl_days=settings.link_ttl_days)
    lifecycle.mark_sent(invitation, at=at, expires_at=expires)
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
        session.add(lifecycle.new_reminder(invitation.id, due_at=reminder_at))


def _record_rejected(
    session: Session,
    message: OutboundMessage,
    exc: SendRejected,
    at: datetime,
    report: DispatchReport,
) -> None:
    if exc.retryable and message.attempts < MAX_ATTEMPTS:
        retry_at = next_send_time(at + RETRY_AFTER * message.attempts, configured_quiet_hours())
        lifecycle.requeue(message, error=exc.reason, due_at=retry_at)
        session.add(message)
        report.retry += 1
    else:
        _fail(session, message, exc.reason)
        report.failed += 1


def send_claimed(message_id: str, *, sender: Sender, report: DispatchReport, worker: str) -> None:
    """Check, mark, send and record one message `worker` claimed (three short transactions)."""
    with session_scope() as session:
        taken = take_for_hand_over(session, message_id, worker=worker, at=now())
    if taken.lost:
        report.taken_over += 1
        return
    if taken.skip_reason is not None:
        report.add_skip(taken.skip_reason)
        return
    if taken.outgoing is None:
        report.failed += 1
        return
    send_handed_over(taken.outgoing, sender=sender, report=report, worker=worker)


def send_handed_over(
    outgoing: OutgoingMessage, *, sender: Sender, report: DispatchReport, worker: str
) -> None:
    """Call the sender for a message marked `handing_over` (committed), then record what it said."""
    message_id = outgoing.reference
    try:
        receipt = sender.send(outgoing)
    except SendRejected as exc:
        with session_scope() as session:
            message = _handed_over_by(session, message_id, worker)
            if message is not None:
                _record_rejected(session, message, exc, now(), report)
        return
    except Exception as exc:
        # Unknown outcome: the provider may have the message. Never resend on our own.
        logger.warning("send outcome unknown for message %s: %s", message_id, type(exc).__name__)
        with session_scope() as session:
            message = _handed_over_by(session, message_id, worker)
            if message is not None:
                _hold_for_review(session, message, f"outcome unknown ({type(exc).__name__})", now())
        report.review += 1
        return
    with session_scope() as session:
        message = _handed_over_by(session, message_id, worker)
        if message is not None:
            _record_sent(session, message, receipt.provider, receipt.provider_id, now())
    report.sent += 1


def dispatch_once(
    *, sender: Sender | None = None, worker: str | None = None, limit: int | None = None
) -> DispatchReport:
    """Recover what stopped workers left, then send everything due now (up to `limit`)."""
    sender = sender or get_sender()
    worker = worker or worker_name()
    report = DispatchReport()
    with session_scope() as session:
        recovered = recover_abandoned(session, at=now())
    report.requeued += recovered.requeued
    report.failed += recovered.failed
    report.review += recovered.review
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
            send_claimed(message_id, sender=sender, report=report, worker=worker)
        handled += len(ids)
    if report.anything:
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
                    "requeued": report.requeued,
                    "taken_over": report.taken_over,
                },
            )
    return report


def settle_review(session: Session, *, resend: list[str], sent: list[str], actor: str) -> list[str]:
    """Settle messages held for review (an operator checked the provider); list the rest.

    `resend`: the provider certainly did not send it, so it becomes due again.
    `sent`: the provider did send it; no reminder is added (one could now be a duplicate).
    """
    lines: list[str] = []
    for ids, was_sent in ((resend, False), (sent, True)):
        for message_id in ids:
            message = session.get(OutboundMessage, message_id)
            if message is None or message.status != MessageStatus.review:
                lines.append(f"{message_id}: not a message held for review")
                continue
            status = lifecycle.settle_held(message, sent=was_sent, at=now())
            session.add(message)
            record_event(
                session,
                actor=actor,
                action="dispatch.review_settled",
                object_type="outbound_message",
                object_id=message.id,
                detail={"status": str(status)},
            )
            lines.append(f"{message_id}: {status}")
    session.flush()
    held = session.scalars(
        select(OutboundMessage)
        .where(col(OutboundMessage.status) == MessageStatus.review)
        .order_by(col(OutboundMessage.handed_over_at), col(OutboundMessage.claimed_at))
    ).all()
    lines.append(f"{len(held)} messages held for review")
    for message in held:
        handed = message.handed_over_at or message.claimed_at
        when = as_utc(handed).isoformat() if handed else "-"
        lines.append(f"  {message.id}  {message.kind:10} handed over {when}  {message.error or ''}")
    return lines
