"""Cancelling invitations: the force can stop an invitation until it is sent."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import utcnow as now
from app.invitations import lifecycle
from app.invitations.contacts import case_ref_hash
from app.invitations.lifecycle import UNSENT_MESSAGES
from app.invitations.models import Invitation, OutboundMessage


def cancel_invitations(
    session: Session, *, case_ref: str, touchpoint: str | None, actor: str
) -> int:
    """Cancel every unsent message of the invitations matching the case (and touchpoint).

    An invitation not yet sent becomes `cancelled` (its link, never sent, would answer 410).
    One already sent keeps its link but loses its pending reminder: safety may have changed.
    Returns how many invitations had something cancelled.
    """
    moment = now()
    query = select(Invitation).where(col(Invitation.case_ref_hash) == case_ref_hash(case_ref))
    if touchpoint:
        query = query.where(col(Invitation.touchpoint) == touchpoint)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    cancelled = 0
    for invitation in session.scalars(query):
        messages = session.scalars(
            select(OutboundMessage)
            .where(col(OutboundMessage.invitation_id) == invitation.id)
            .where(col(OutboundMessage.status).in_(UNSENT_MESSAGES))
        ).all()
        for message in messages:
            lifecycle.cancel_message(message, "cancelled by the force")
            session.add(message)
        changed = bool(messages)
        if lifecycle.cancel(invitation, at=moment):
            session.add(invitation)
            changed = True
        if changed:
            cancelled += 1
    record_event(
        session,
        actor=actor,
        action="invitation.cancel",
        object_type="invitation",
        detail={"touchpoint": touchpoint, "cancelled": cancelled},
    )
    session.flush()
    return cancelled
