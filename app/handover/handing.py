"""Handing a survey over: the victim's agreement recorded, and a one-time code made.

The first handover is the invitation's "sent" (app/invitations/lifecycle.py: mark_sent): its
link lives VV_LINK_TTL_DAYS from then. A later handover (a lost code, a victim who would
rather answer elsewhere) replaces the code and leaves the link's life as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session, col, select

from app.auth.deps import Caller
from app.db import utcnow
from app.errors import FieldError, InvalidInput
from app.handover.acts import record_act
from app.handover.codes import code_hash, new_code
from app.handover.lookup import Match, matches_of
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


def hand_over(
    session: Session, caller: Caller, *, case_ref: str, invitation_id: str, agreed: bool
) -> HandedOver:
    """Record the victim's agreement and make a new code for a match of `case_ref`.

    The invitation is found again by the reference, among the worker's services, so a form
    naming any other invitation finds nothing (NoSuchMatch). The caller has already counted
    the look-up (app/handover/lookup.py: find_matches).
    """
    match = next(
        (
            m
            for m in matches_of(session, caller.support_scopes, case_ref)
            if m.invitation_id == invitation_id
        ),
        None,
    )
    if match is None:
        raise NoSuchMatch
    if not agreed:
        problem = FieldError(("agreed",), AGREEMENT_NEEDED, "required")
        raise InvalidInput(AGREEMENT_NEEDED, errors=[problem])
    if caller.user_id is None:  # the pages are for signed-in staff; a key names nobody
        raise NoSuchMatch
    now = utcnow()
    invitation = session.exec(
        select(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if invitation.first_sent_at is None:
        # The first handover is the invitation's "sent": its link lives VV_LINK_TTL_DAYS
        # from now (no longer VV_HANDOVER_DAYS from the upload).
        ttl = timedelta(days=get_settings().link_ttl_days)
        lifecycle.mark_sent(invitation, at=now, expires_at=now + ttl)
        session.add(invitation)
    code = new_code()
    handover = session.get(Handover, invitation_id)
    if handover is None:
        handover = Handover(
            invitation_id=invitation_id,
            support_service=match.support_service,
            agreed_by=caller.user_id,
            agreed_at=now,
            first_handed_over_at=now,
        )
    handover.agreed_by, handover.agreed_at = caller.user_id, now
    handover.code_hash, handover.code_issued_at = code_hash(code), now
    session.add(handover)
    record_act(session, caller, "code_issued", service=match.support_service, at=now)
    session.flush()
    return HandedOver(match=match, code=code)
