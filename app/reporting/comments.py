"""Free-text comments for analysts: redacted, only from released cells, month only.

A cell is a crime group × touchpoint × month. Its comments are shown only once the cell is
released (app.reporting.comment_release): comments from at least `min_cell` different
responses in that month (people, not comments, so that one person writing in three boxes
does not lift a cell over the line), and the month closed. A cell is judged alone, so any
query shows it whole or not at all, and no answer carries a count of what was left out.
Comments not plainly in English wait for a person's check (app.reporting.comment_checks).
Nothing that could be lined up with a response or an invitation leaves here: no response
id, no area, no date finer than the month, and the order is random on every read.

A `mode` filter (`self` or `assisted`) never changes which cells are released: a cell is still
judged on all its commenters. It shows a released cell's comments of that mode only when the
cell can be split, i.e. when it has at least `min_cell` commenters of *each* mode; otherwise the
cell is left out of every mode-filtered read, whichever mode is asked for. So no mode-filtered
read shows the comments of fewer than `min_cell` people of one mode, and the unfiltered read
minus a filtered one cannot either: both halves of a split cell are large.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, case, false, func, true, tuple_
from sqlmodel import Session, col, select

from app import audit, clock
from app.db import read_only
from app.enums import Mode
from app.errors import FieldError, InvalidInput
from app.reporting import comment_checks, comment_release, parameters
from app.reporting.comment_release import CommentCell
from app.reporting.disclosure import disclosure_info
from app.reporting.parameters import Kind
from app.reporting.periods import month_label
from app.reporting.rebuild_pass import under_18_ids
from app.reporting.redaction import redact
from app.reporting.response_facts import versions_facts
from app.settings import get_settings
from app.survey.models import Comment, Response

# Most comments one read returns (a random sample of the eligible ones when there are more).
MAX_COMMENTS = 1000


def disclosure(min_cell: int) -> dict[str, object]:
    """The `disclosure` object of every comments answer (contract, "Additions").

    Comments are shown or not, never counted per cell, so no published count is adjusted.
    """
    return disclosure_info(min_cell, max_adjustment=0)


@dataclass(frozen=True)
class CommentFilters:
    crime_group: str | None = None
    touchpoint: str | None = None
    first_month: date | None = None
    last_month: date | None = None
    quotable_only: bool = False
    mode: str | None = None  # self or assisted: that mode's comments of cells that split

    @classmethod
    def of_cell(cls, cell: CommentCell) -> CommentFilters:
        """The filters of one crime group × touchpoint × month cell."""
        return cls(
            crime_group=cell.crime_group,
            touchpoint=cell.touchpoint,
            first_month=cell.month,
            last_month=cell.month,
        )

    def as_detail(self) -> dict[str, str | bool | None]:
        """For the audit event: the filters as given (no personal data in them)."""
        return {
            "crime_group": self.crime_group,
            "touchpoint": self.touchpoint,
            "from": month_label(self.first_month) if self.first_month else None,
            "to": month_label(self.last_month) if self.last_month else None,
            "quotable_only": self.quotable_only,
            "mode": self.mode,
        }


@dataclass(frozen=True)
class RedactedComment:
    """What an analyst sees of one comment."""

    id: str  # Comment.id: a random UUID of its own, never the response's
    text: str
    crime_group: str
    touchpoint: str
    month: str  # YYYY-MM
    question_id: str
    quotable: bool
    theme: str | None


def parse_filters(
    *,
    crime_group: str | None = None,
    touchpoint: str | None = None,
    from_period: str | None = None,
    to_period: str | None = None,
    quotable_only: bool = False,
    mode: str | None = None,
) -> CommentFilters:
    """Filters from query values; `from` and `to` are YYYY-MM or YYYY-Qn, inclusive."""
    first, last, problems = parameters.parse_bounds(from_period, to_period)
    if mode_problem := parameters.choice_problem("mode", mode):
        problems.append(mode_problem)
    errors = [problem.field_error() for problem in problems]
    if first and last and first > last:
        errors.append(FieldError(("query", "from"), "from must not be after to.", Kind.ORDER))
    if errors:
        raise InvalidInput("The filters are not valid.", errors=errors)
    return CommentFilters(
        crime_group=crime_group or None,
        touchpoint=touchpoint or None,
        first_month=first,
        last_month=last,
        quotable_only=quotable_only,
        mode=mode or None,
    )


def _conditions(session: Session, filters: CommentFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions of the group filters (crime group, touchpoint, months), and never the
    free text of a response that said it is under 18: it is kept but left out of everything
    published, so it neither shows nor counts towards a cell's release."""
    conditions: list[ColumnElement[bool]] = [_not_under_18(session)]
    if filters.crime_group:
        conditions.append(col(Comment.crime_group) == filters.crime_group)
    if filters.touchpoint:
        conditions.append(col(Comment.touchpoint) == filters.touchpoint)
    if filters.first_month:
        conditions.append(col(Comment.month) >= filters.first_month)
    if filters.last_month:
        conditions.append(col(Comment.month) <= filters.last_month)
    return conditions


def _not_under_18(session: Session) -> ColumnElement[bool]:
    versions = session.exec(select(col(Response.bank_version_id)).distinct()).all()
    under_18 = under_18_ids(versions_facts(session, [int(v) for v in versions]))
    return true() if under_18 is None else col(Comment.response_id).not_in(under_18)


def in_cells(cells: set[CommentCell]) -> ColumnElement[bool]:
    """WHERE condition on Comment: in one of `cells`."""
    if not cells:
        return false()
    return tuple_(col(Comment.crime_group), col(Comment.touchpoint), col(Comment.month)).in_(
        [(cell.crime_group, cell.touchpoint, cell.month) for cell in sorted(cells)]
    )


def released_cells(
    session: Session, filters: CommentFilters, *, min_cell: int, at: datetime | None = None
) -> set[CommentCell]:
    """The released cells among those the filters choose (see app.reporting.comment_release)."""
    return comment_release.released_cells(
        session,
        _conditions(session, filters),
        min_cell=min_cell,
        max_touchpoint_age_days=get_settings().max_touchpoint_age_days,
        at=at or clock.now(),
    )


def split_by_mode(session: Session, cells: set[CommentCell], *, min_cell: int) -> set[CommentCell]:
    """The cells among `cells` with at least `min_cell` commenters of each mode."""
    if not cells:
        return set()
    assisted = col(Response.assisted)
    commenter = col(Comment.response_id)

    def commenters(of_mode: ColumnElement[bool]) -> ColumnElement[int]:
        return func.count(func.distinct(case((of_mode, commenter), else_=None)))

    statement = (
        select(col(Comment.crime_group), col(Comment.touchpoint), col(Comment.month))
        .join(Response, col(Response.id) == commenter)
        .where(in_cells(cells), _not_under_18(session))
        .group_by(col(Comment.crime_group), col(Comment.touchpoint), col(Comment.month))
        .having(commenters(assisted == true()) >= min_cell)
        .having(commenters(assisted == false()) >= min_cell)
    )
    return {
        CommentCell(crime_group, touchpoint, month)
        for crime_group, touchpoint, month in session.exec(statement).all()
    }


def _of_mode(mode: str) -> ColumnElement[bool]:
    """WHERE condition on Comment: written in a response of that mode."""
    wanted = select(col(Response.id)).where(col(Response.assisted) == (mode == Mode.assisted.value))
    return col(Comment.response_id).in_(wanted)


def released_conditions(
    session: Session, filters: CommentFilters, *, min_cell: int, at: datetime | None
) -> list[ColumnElement[bool]]:
    """WHERE conditions on Comment: chosen by the filters, in a released cell (reads only);
    with a mode, in a released cell that splits by mode, and of that mode."""
    cells = released_cells(session, filters, min_cell=min_cell, at=at)
    if filters.mode is None:
        return [*_conditions(session, filters), in_cells(cells)]
    return [
        *_conditions(session, filters),
        in_cells(split_by_mode(session, cells, min_cell=min_cell)),
        _of_mode(filters.mode),
    ]


def classify_released(
    session: Session, filters: CommentFilters, *, min_cell: int, at: datetime | None = None
) -> int:
    """Detect the language of the comments of released cells not yet classified (up to a
    bound per read), before a read that shows them.

    Found and detected under `read_only`, stored in a short transaction of its own: a staff
    read never holds SQLite's write lock while it works. Never call it inside `read_only`.
    """
    with read_only(session):
        in_cells = released_conditions(session, filters, min_cell=min_cell, at=at)
        rows = comment_checks.new_verdicts(session, in_cells)
    if rows:
        comment_checks.store_verdicts(session, rows)
        session.commit()
    return len(rows)


@dataclass(frozen=True)
class CommentsRead:
    comments: list[RedactedComment]
    total: int  # comments that could be shown; `comments` is a random sample of at most `limit`
    min_cell: int

    @property
    def disclosure(self) -> dict[str, object]:
        return disclosure(self.min_cell)


def read_comments(
    session: Session,
    filters: CommentFilters,
    *,
    actor: str,
    min_cell: int,
    limit: int = MAX_COMMENTS,
    rng: random.Random | None = None,
    at: datetime | None = None,
) -> CommentsRead:
    """Redacted comments of released cells that analysts may read, in random order; audited
    (the audit event is written after the read, which holds no write lock)."""
    classify_released(session, filters, min_cell=min_cell, at=at)
    with read_only(session):
        conditions = [
            *released_conditions(session, filters, min_cell=min_cell, at=at),
            comment_checks.readable_by_analysts(),
        ]
        if filters.quotable_only:
            conditions.append(col(Comment.quotable).is_(True))
        total = int(
            session.exec(select(func.count()).select_from(Comment).where(*conditions)).one()
        )
        # The database draws the sample (so a read costs `limit` rows, not every comment) ...
        statement = select(Comment).where(*conditions).order_by(func.random()).limit(limit)
        picked = list(session.exec(statement).all())
        # ... and SystemRandom orders it: nothing an analyst sees can reproduce the order.
        (rng or random.SystemRandom()).shuffle(picked)
        comments = [redacted(row) for row in picked]
    audit.record(
        session,
        actor=actor,
        action="comments.read",
        object_type="comment",
        detail={
            **filters.as_detail(),
            "count": len(comments),
            "eligible": total,
            "min_cell": min_cell,
        },
    )
    return CommentsRead(comments=comments, total=total, min_cell=min_cell)


COMMENT_CSV_COLUMNS = [
    "text",
    "crime_group",
    "touchpoint",
    "month",
    "question_id",
    "quotable",
    "theme",
    "disclosure_method",
    "min_cell",
    "max_adjustment",
]


def comments_csv_rows(result: CommentsRead) -> tuple[list[str], list[list[Any]]]:
    """The comments as CSV rows, each carrying the disclosure terms (a CSV has no header)."""
    terms = result.disclosure
    rows = [
        [
            comment.text,
            comment.crime_group,
            comment.touchpoint,
            comment.month,
            comment.question_id,
            comment.quotable,
            comment.theme,
            terms["method"],
            terms["min_cell"],
            terms["max_adjustment"],
        ]
        for comment in result.comments
    ]
    return list(COMMENT_CSV_COLUMNS), rows


def redacted(row: Comment) -> RedactedComment:
    return RedactedComment(
        id=row.id,
        text=redact(row.text),
        crime_group=row.crime_group,
        touchpoint=row.touchpoint,
        month=month_label(row.month),
        question_id=row.question_id,
        quotable=row.quotable,
        theme=row.theme,
    )
