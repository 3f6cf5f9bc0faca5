"""What workers that stopped left behind, and the messages held for review.

A claim lasts `claim_lasts()`; once it has run out another worker may act on the message: a
`claimed` one never reached a sender and goes again, a `handing_over` one may have and is held
for review, until an operator settles it (`settle_review`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import as_utc
from app.db import utcnow as now
from app.invitations import lifecycle
from app.invitations.lifecycle import MessageStatus
from app.invitations.message_outcomes import MAX_ATTEMPTS, fail_message, hold_message_for_review
from app.invitations.models import OutboundMessage
from app.settings import get_settings


def claim_lasts() -> timedelta:
    """How long a claim (and a hand-over) lasts before another worker may act on it."""
    return timedelta(seconds=get_settings().dispatch_claim_seconds)


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


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
    lock = is_postgres(session)
    query = select(OutboundMessage).where(_claim_ran_out(at))
    # SKIP LOCKED: a row another worker is recovering (or marking) right now is its business.
    abandoned_claims = session.scalars(
        query.with_for_update(skip_locked=True) if lock else query
    ).all()
    for message in abandoned_claims:
        if message.attempts >= MAX_ATTEMPTS:
            fail_message(session, message, f"claimed {message.attempts} times, never handed over")
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
        hold_message_for_review(
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
