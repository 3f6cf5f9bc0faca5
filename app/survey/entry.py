"""From a link's token to an invitation the victim may use, or the reason they may not."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.db import as_utc, utcnow
from app.invitations.links import ExpiredLink, InvalidLink, read_survey_token
from app.invitations.models import Invitation
from app.invitations.statuses import BEFORE_OPENED, LINK_ENDED, LINK_OPEN, InvitationStatus

# The link rules come from the one statuses module (kept as names the survey reads).
OPEN_STATUSES = LINK_OPEN
ENDED_STATUSES = LINK_ENDED


class LinkNotFound(Exception):
    """Forged, tampered, wrong-purpose or unknown: 404."""


class LinkEnded(Exception):
    """Expired, withdrawn or cancelled: 410. The victim sees the same page whatever the reason."""


def check_usable(invitation: Invitation | None) -> Invitation:
    """The invitation if its link may be used now; raises LinkNotFound or LinkEnded."""
    if invitation is None:
        raise LinkNotFound
    if invitation.status in ENDED_STATUSES:
        raise LinkEnded
    if invitation.status not in OPEN_STATUSES or invitation.expires_at is None:
        # Never sent: nobody should hold this link, so it is as good as unknown.
        raise LinkNotFound
    if as_utc(invitation.expires_at) <= utcnow():
        raise LinkEnded
    return invitation


def invitation_for_token(session: Session, token: str, *, lock: bool = False) -> Invitation:
    """The usable invitation a token names; `lock` takes the row lock (PostgreSQL)."""
    try:
        invitation_id = read_survey_token(token)
    except ExpiredLink as exc:
        raise LinkEnded from exc
    except InvalidLink as exc:
        raise LinkNotFound from exc
    statement = select(Invitation).where(col(Invitation.id) == invitation_id)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return check_usable(session.exec(statement).first())


def lock_invitation(session: Session, invitation_id: str) -> Invitation:
    """Re-read the invitation under a row lock so concurrent submits and saves serialise.

    On SQLite every write transaction already holds the database's write lock (BEGIN
    IMMEDIATE), so FOR UPDATE is unnecessary there and SQLAlchemy leaves it out.
    """
    statement = (
        select(Invitation)
        .where(col(Invitation.id) == invitation_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return check_usable(session.exec(statement).first())


def mark_opened(invitation: Invitation) -> None:
    """Record the first opening for the funnel; never moves an invitation backwards.

    "Opened" counts the first human step, never a GET: mail scanners and link previews fetch
    every link in a message, follow its redirects and often the plain links of the page it
    reaches, but do not press buttons. So the start page's "Start now" (and its language
    choice) are form POSTs that call this, and a first saved answer counts too (mark_started);
    opening the link, the JSON API's GET and every page GET change nothing.
    """
    now = utcnow()
    if invitation.opened_at is None:
        invitation.opened_at = now
    if invitation.status in BEFORE_OPENED:
        invitation.status = InvitationStatus.opened


def mark_started(invitation: Invitation) -> None:
    """The first saved answer: the survey is in progress."""
    now = utcnow()
    if invitation.opened_at is None:
        invitation.opened_at = now
    if invitation.started_at is None:
        invitation.started_at = now
    if invitation.status in BEFORE_OPENED | {InvitationStatus.opened}:
        invitation.status = InvitationStatus.started


def crime_group_shown(invitation: Invitation) -> str | None:
    """The crime group whose support services and actions a page of this link may show.

    None (the general list, for every crime group) once the survey is completed or the link
    has ended: from then on the link is no use to the victim for answering, and someone else
    holding it must not learn the kind of crime from the pages it reaches.
    """
    if invitation.status == InvitationStatus.completed or invitation.status in ENDED_STATUSES:
        return None
    if invitation.expires_at is not None and as_utc(invitation.expires_at) <= utcnow():
        return None
    return invitation.crime_group
