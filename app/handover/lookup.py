"""Finding an invitation of the worker's services by the client's crime reference.

The reference is compared by its keyed hash (app/invitations/contacts.py: case_ref_hash) with
the invitations passed on by one of the worker's services whose link has not ended. There is no
other way in: no listing, no search by anything else. A match shows what the worker already
knows (crime group, touchpoint and its date) and the worker's own act (when a code was handed
over); never whether the client opened, started or finished (a completed or withdrawn link is
found exactly as before, so its absence can never tell).

Every look-up is counted against the worker before it is made (app/auth/throttle.py, 30 that
find nothing, then an hour's wait); one that finds something takes its count back, so a
worker's real work never slows them, and guessing references stays slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app.auth.deps import Caller
from app.auth.throttle import clear_failures, reserve_attempt, support_lookup_subject
from app.crime_groups import crime_group_title
from app.db import as_utc, utcnow
from app.handover.models import Handover
from app.invitations.contacts import case_ref_hash
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.invitations.row_contact import SUPPORT_SERVICE
from app.invitations.rows import MAX_CASE_REF

# Only the force's own acts end a match early: a victim's (withdrawing, finishing) must not.
NOT_FOUND_STATUSES = frozenset({InvitationStatus.expired, InvitationStatus.cancelled})


class TooManyLookUps(Exception):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many look-ups")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Match:
    invitation_id: str
    support_service: str
    crime_group: str
    crime_group_title: str
    touchpoint: str
    touchpoint_date: date
    code_handed_over_at: datetime | None


def clean_case_ref(typed: str) -> str | None:
    """The reference as batches store it (trimmed); None when it cannot be one."""
    text = typed.strip()
    return text if 0 < len(text) <= MAX_CASE_REF and text.isprintable() else None


def find_matches(session: Session, caller: Caller, typed: str) -> list[Match]:
    """The matches of `typed` among the worker's services, throttled (COMMITS the session).

    Raises TooManyLookUps while the worker must wait.
    """
    subject = support_lookup_subject(caller.user_id, caller.actor)
    reservation = reserve_attempt(session, [subject])
    if not reservation.granted:
        raise TooManyLookUps(reservation.retry_after)
    matches = matches_of(session, caller.support_scopes, typed)
    if matches:
        clear_failures(session, [subject])
        session.commit()
    return matches


def _spellings(case_ref: str) -> list[str]:
    """The hashes of the reference as typed and in capitals: forces write references in
    capitals, and a worker copying one from a letter may not (batches hash it exactly as
    given, so the look-up tries both rather than changing what is stored)."""
    return sorted({case_ref_hash(case_ref), case_ref_hash(case_ref.upper())})


def matches_of(session: Session, services: frozenset[str], typed: str) -> list[Match]:
    """The matching invitations (no throttle: find_matches counts the look-up)."""
    case_ref = clean_case_ref(typed)
    if case_ref is None or not services:
        return []
    rows = session.exec(
        select(Invitation, Handover)
        .join(Handover, col(Handover.invitation_id) == col(Invitation.id), isouter=True)
        .where(
            col(Invitation.case_ref_hash).in_(_spellings(case_ref)),
            col(Invitation.contact_via) == SUPPORT_SERVICE,
            col(Invitation.support_service).in_(sorted(services)),
            col(Invitation.status).not_in(NOT_FOUND_STATUSES),
            col(Invitation.expires_at) > utcnow(),
        )
        .order_by(col(Invitation.touchpoint_date), col(Invitation.id))
    ).all()
    return [_match(invitation, handover) for invitation, handover in rows]


def still_found(invitation: Invitation, *, at: datetime) -> bool:
    """Whether a match found earlier would still be found (read again under its row lock): its
    link may have ended, purge cut its ties, or the force cancelled it in between."""
    return (
        invitation.case_ref_hash is not None
        and invitation.status not in NOT_FOUND_STATUSES
        and invitation.expires_at is not None
        and as_utc(invitation.expires_at) > at
    )


def _match(invitation: Invitation, handover: Handover | None) -> Match:
    assert invitation.support_service is not None  # selected by it
    return Match(
        invitation_id=invitation.id,
        support_service=invitation.support_service,
        crime_group=invitation.crime_group,
        crime_group_title=crime_group_title(invitation.crime_group),
        touchpoint=invitation.touchpoint,
        touchpoint_date=invitation.touchpoint_date,
        code_handed_over_at=handover.code_issued_at if handover is not None else None,
    )
