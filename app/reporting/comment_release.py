"""Which comment cells may be released: crime group × touchpoint × month, each on its own.

A cell is released when, and only when, both hold:

1. **At least `min_cell` distinct commenters** (distinct responses with a comment) in that
   crime group, touchpoint and month. The cell is judged alone, never by the months, filters
   or other cells of a query, so every query shows it or none does: no range, filter or
   complement can isolate a month or a small group.
2. **The month has closed** for that crime group and touchpoint (`cell_closed`): its set of
   commenters can no longer change, so nobody can read a cell before and after one
   submission or one withdrawal and see which comment came or went.

Nothing here returns a count: callers learn only which cells are released.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.invitations.lifecycle import LINK_ENDED, InvitationStatus
from app.invitations.models import Invitation
from app.reporting.periods import next_month
from app.survey.models import Comment

# An invitation in one of these states will never (again) carry a usable link. Any other
# state without an expiry (pending, or a state added later) may still be sent, so it keeps
# its month open: an unknown state errs on the side of waiting. (LINK_ENDED: the states in
# which a link that was sent has ended before its expiry.)
LINK_NEVER_USABLE = LINK_ENDED | {InvitationStatus.failed}


@dataclass(frozen=True, order=True)
class CommentCell:
    crime_group: str
    touchpoint: str
    month: date  # first day of the month


def upload_window_end(month: date, *, max_touchpoint_age_days: int) -> datetime:
    """When no new invitation for a touchpoint in `month` can be uploaded any more.

    A batch row is refused when its touchpoint date is more than `max_touchpoint_age_days`
    before the upload, so the last day of the month can be uploaded until that many days
    after it. One more day covers the difference between London and UTC dates.
    """
    day = next_month(month) + timedelta(days=max_touchpoint_age_days + 1)
    return datetime.combine(day, time.min, tzinfo=UTC)


def _live_link(at: datetime) -> ColumnElement[bool]:
    """An invitation whose link may still be used (to answer or withdraw) at `at`."""
    return or_(
        and_(
            col(Invitation.expires_at).is_not(None),
            col(Invitation.expires_at) > at,
            col(Invitation.status).not_in(LINK_ENDED),
        ),
        and_(
            col(Invitation.expires_at).is_(None),
            col(Invitation.status).not_in(LINK_NEVER_USABLE),
        ),
    )


def cell_closed(
    cell: CommentCell, *, at: datetime, max_touchpoint_age_days: int, open_cells: set[CommentCell]
) -> bool:
    """THE definition of a closed month, for one crime group × touchpoint × month.

    Closed at `at` when (a) the upload window of the month has ended (`upload_window_end`),
    so no new invitation can join it, and (b) no invitation of that crime group and touchpoint
    whose touchpoint date falls in the month still has a live link (`open_cells`, from
    `cells_with_live_links`): not yet sent (no expiry yet), or sent and not past its expiry
    (links live VV_LINK_TTL_DAYS from the first message) and not cancelled or withdrawn.
    From then on no response of the cell can be submitted or withdrawn.
    """
    if at < upload_window_end(cell.month, max_touchpoint_age_days=max_touchpoint_age_days):
        return False
    return cell not in open_cells


def cells_with_live_links(
    session: Session, months: Iterable[date], *, at: datetime
) -> set[CommentCell]:
    """Cells (among `months`) that hold at least one invitation with a live link at `at`."""
    wanted = sorted(set(months))
    if not wanted:
        return set()
    statement = (
        select(
            col(Invitation.crime_group),
            col(Invitation.touchpoint),
            col(Invitation.touchpoint_date),
        )
        .where(col(Invitation.touchpoint_date) >= wanted[0])
        .where(col(Invitation.touchpoint_date) < next_month(wanted[-1]))
        .where(_live_link(at))
        .distinct()
    )
    return {
        CommentCell(crime_group, touchpoint, day.replace(day=1))
        for crime_group, touchpoint, day in session.exec(statement).all()
    }


def released_cells(
    session: Session,
    conditions: list[ColumnElement[bool]],
    *,
    min_cell: int,
    max_touchpoint_age_days: int,
    at: datetime,
) -> set[CommentCell]:
    """The released cells among those the WHERE `conditions` (on Comment) select.

    `conditions` may only choose whole cells (crime group, touchpoint, months): a cell's
    size is always counted over all of its comments (but those of a response that said it is
    under 18, which app.reporting.comments leaves out of everything).
    """
    statement = (
        select(col(Comment.crime_group), col(Comment.touchpoint), col(Comment.month))
        .where(*conditions)
        .group_by(col(Comment.crime_group), col(Comment.touchpoint), col(Comment.month))
        .having(func.count(func.distinct(Comment.response_id)) >= min_cell)
    )
    large = [
        CommentCell(crime_group, touchpoint, month)
        for crime_group, touchpoint, month in session.exec(statement).all()
    ]
    open_cells = cells_with_live_links(session, (cell.month for cell in large), at=at)
    return {
        cell
        for cell in large
        if cell_closed(
            cell, at=at, max_touchpoint_age_days=max_touchpoint_age_days, open_cells=open_cells
        )
    }
