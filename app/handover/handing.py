"""Handing a survey over: the victim's agreement recorded, and a one-time code made.

The first handover (or assisted session) is the invitation's "sent"
(app/invitations/lifecycle.py: mark_sent): its link lives VV_LINK_TTL_DAYS from then. A later
one (a lost code, a victim who would rather answer elsewhere) replaces the code and leaves the
link's life as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.deps import Caller
from app.db import utcnow
from app.errors import FieldError, InvalidInput
from app.handover.acts import record_act
from app.handover.codes import code_hash, new_code
from app.handover.lookup import Match, matches_of, still_found
from app.handover.models import Handover
from app.invitations import lifecycle
from app.invitations.models import Invitation
from app.settings import get_settings

AGREEMENT_NEEDED = "Confirm that the person agreed to take part"


class NoSuchMatch(Exception):
    """The invitation is not a match of this reference for this worker: "no invitation found"."""


@dataclass(frozen=True, slots=True)
class HandedOver:
    match: Match
    code: str  # shown once, never stored


def chosen_match(
    session: Session, caller: Caller, *, case_ref: str, invitation_id: str, field: str, agreed: bool
) -> Match:
    """The match a form names, found again by its reference among the worker's services (so a
    form naming any other invitation finds nothing: NoSuchMatch); InvalidInput on `field`
    unless the victim's agreement is ticked."""
    found = matches_of(session, caller.support_scopes, case_ref)
    match = next((m for m in found if m.invitation_id == invitation_id), None)
    if match is None or caller.user_id is None:  # the pages are for signed-in staff
        raise NoSuchMatch
    if not agreed:
        problem = FieldError((field,), AGREEMENT_NEEDED, "required")
        raise InvalidInput(AGREEMENT_NEEDED, errors=[problem])
    return match


def record_agreement(
    session: Session, caller: Caller, match: Match, *, at: datetime
) -> tuple[Invitation, Handover]:
    """Who recorded the victim's agreement and when; the link's life starts at the first."""
    assert caller.user_id is not None  # chosen_match refuses a key
    invitation = session.exec(
        select(Invitation)
        .where(col(Invitation.id) == match.invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if not still_found(invitation, at=at):
        # Ended, purged or cancelled since the look-up: nothing to hand over (and a handover
        # record made now would outlive the purge that has already run).
        raise NoSuchMatch
    if invitation.first_sent_at is None:
        # The first handover is the invitation's "sent": its link lives VV_LINK_TTL_DAYS
        # from now (no longer VV_HANDOVER_DAYS from the upload).
        ttl = timedelta(days=get_settings().link_ttl_days)
        lifecycle.mark_sent(invitation, at=at, expires_at=at + ttl)
        session.add(invitation)
    handover = session.get(Handover, match.invitation_id)
    if handover is None:
        handover = Handover(
            invitation_id=match.invitation_id,
            support_service=match.support_service,
            agreed_by=caller.user_id,
            agreed_at=at,
            first_handed_over_at=at,
        )
    handover.agreed_by, handover.agreed_at = caller.user_id, at
    session.add(handover)
    return invitation, handover


def replace_code(handover: Handover, *, at: datetime) -> str:
    """A new one-time code for the handover; the old one stops working."""
    code = new_code()
    handover.code_hash, handover.code_issued_at = code_hash(code), at
    return code


def hand_over(
    session: Session, caller: Caller, *, case_ref: str, invitation_id: str, agreed: bool
) -> HandedOver:
    """Record the victim's agreement and make a new code for a match of `case_ref` (the
    caller has already counted the look-up: app/handover/lookup.py: find_matches)."""
    match = chosen_match(
        session,
        caller,
        case_ref=case_ref,
        invitation_id=invitation_id,
        field="agreed",
        agreed=agreed,
    )
    now = utcnow()
    _invitation, handover = record_agreement(session, caller, match, at=now)
    code = replace_code(handover, at=now)
    session.add(handover)
    record_act(
        session, actor=caller.actor, action="code_issued", service=match.support_service, at=now
    )
    session.flush()
    return HandedOver(match=match, code=code)
