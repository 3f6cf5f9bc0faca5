"""From a link's token to an invitation the victim may use, or the reason they may not."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.db import as_utc, utcnow
from app.invitations.lifecycle import LINK_ENDED, USABLE_LINK
from app.invitations.lifecycle import mark_opened as mark_opened
from app.invitations.lifecycle import mark_started as mark_started
from app.invitations.links import InvalidLink, find_invitation
from app.invitations.models import Invitation

# The link rules, and the changes a victim's steps make (mark_opened, mark_started), belong to
# the invitation's lifecycle; the survey reads them under these names.
OPEN_STATUSES = USABLE_LINK
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
        invitation = find_invitation(session, token, lock=lock)
    except InvalidLink as exc:
        raise LinkNotFound from exc
    # Past its `expires_at` (or ended) is 410, never sent or unknown 404 (check_usable).
    return check_usable(invitation)


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
