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
Recovery and review are app/invitations/dispatch_recovery.py, building a message
app/invitations/outgoing.py, and recording what became of it app/invitations/message_outcomes.py.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import new_uuid, session_scope
from app.db import utcnow as now
from app.invitations import lifecycle
from app.invitations.contacts import configured_quiet_hours
from app.invitations.dispatch_recovery import (
    Recovered,
    claim_lasts,
    is_postgres,
    recover_abandoned,
    settle_review,
)
from app.invitations.lifecycle import HANDED_OVER_MESSAGES, STOPPED_MESSAGES, MessageStatus
from app.invitations.message_outcomes import (
    MAX_ATTEMPTS,
    RETRY_AFTER,
    fail_message,
    hold_message_for_review,
    record_rejected,
    record_sent,
)
from app.invitations.models import OutboundMessage
from app.invitations.outgoing import prepare_outgoing
from app.invitations.scheduling import LONDON
from app.messaging.factory import get_sender
from app.messaging.sender import OutgoingMessage, Sender, SendRejected

__all__ = [
    "CLAIM_BATCH",
    "MAX_ATTEMPTS",
    "RETRY_AFTER",
    "DispatchReport",
    "HandOver",
    "Recovered",
    "claim_due",
    "claim_lasts",
    "dispatch_once",
    "in_quiet_hours",
    "recover_abandoned",
    "send_claimed",
    "send_handed_over",
    "settle_review",
    "take_for_hand_over",
    "worker_name",
]

logger = logging.getLogger("victim_voice.dispatch")

CLAIM_BATCH = 50


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
    # Claimed outside the contact's safe time: due again at its next window.
    waiting: int = 0
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
            or self.waiting
        )

    def summary(self) -> str:
        return (
            f"sent {self.sent}, skipped {self.skipped}, failed {self.failed}, "
            f"retry later {self.retry}, for review {self.review}, re-queued {self.requeued}, "
            f"taken over by another worker {self.taken_over}, "
            f"waiting for a safe time {self.waiting}"
        )


def worker_name() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{new_uuid()[:8]}"


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
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    ids = list(session.scalars(query))
    if ids:
        lifecycle.claim(session, ids, worker=worker, at=at, until=at + claim_lasts())
    return ids


@dataclass
class HandOver:
    """What to do with one claimed message: send `outgoing`, or nothing (and why)."""

    outgoing: OutgoingMessage | None = None
    skip_reason: str | None = None
    failure: str | None = None
    lost: bool = False
    waiting: bool = False


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
    if is_postgres(session):
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
        prepared = prepare_outgoing(session, message, at)
    except Exception as exc:
        # A message that cannot be built never reaches a sender: fail it rather than crash
        # the worker on it again and again.
        logger.exception("could not prepare message %s", message_id)
        fail_message(session, message, f"could not prepare the message ({type(exc).__name__})")
        return HandOver(failure=type(exc).__name__)
    if prepared.wait_until is not None:
        lifecycle.wait_for_window(message, due_at=prepared.wait_until)
        session.add(message)
        return HandOver(waiting=True)
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
    if is_postgres(session):
        query = query.with_for_update()
    message = session.scalars(query).first()
    if message is None:
        logger.warning("message %s was settled by someone else meanwhile", message_id)
    return message


def send_claimed(message_id: str, *, sender: Sender, report: DispatchReport, worker: str) -> None:
    """Check, mark, send and record one message `worker` claimed (three short transactions)."""
    with session_scope() as session:
        taken = take_for_hand_over(session, message_id, worker=worker, at=now())
    if taken.lost:
        report.taken_over += 1
        return
    if taken.waiting:
        report.waiting += 1
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
                if record_rejected(session, message, exc, now()):
                    report.retry += 1
                else:
                    report.failed += 1
        return
    except Exception as exc:
        # Unknown outcome: the provider may have the message. Never resend on our own.
        logger.warning("send outcome unknown for message %s: %s", message_id, type(exc).__name__)
        with session_scope() as session:
            message = _handed_over_by(session, message_id, worker)
            if message is not None:
                hold_message_for_review(
                    session, message, f"outcome unknown ({type(exc).__name__})", now()
                )
        report.review += 1
        return
    with session_scope() as session:
        message = _handed_over_by(session, message_id, worker)
        if message is not None:
            record_sent(session, message, receipt.provider, receipt.provider_id, now())
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
                    "waiting": report.waiting,
                },
            )
    return report
