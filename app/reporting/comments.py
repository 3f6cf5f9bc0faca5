"""Free-text comments for analysts: redacted, only from released cells, month only.

A cell is a crime group × touchpoint × month. Its comments are shown only once the cell is
released (app.reporting.comment_release): comments from at least `min_cell` different
responses in that month (people, not comments, so that one person writing in three boxes
does not lift a cell over the line), and the month closed. A cell is judged alone, so any
query shows it whole or not at all, and no answer carries a count of what was left out.
Comments not plainly in English wait for a person's check (app.reporting.comment_checks).
Nothing that could be lined up with a response or an invitation leaves here: no response
id, no area, no date finer than the month, and the order is random on every read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, tuple_
from sqlmodel import Session, col, select

from app import audit
from app.db import read_only
from app.errors import InvalidInput, NotFound
from app.reporting import comment_checks, comment_release, themes
from app.reporting.comment_checks import CheckOutcome, HeldComment
from app.reporting.comment_release import CommentCell
from app.reporting.disclosure import disclosure_info
from app.reporting.periods import month_label, parse_period
from app.reporting.redaction import redact
from app.settings import get_settings
from app.survey.models import Comment, Response

# Most comments one read returns (a random sample of the eligible ones when there are more).
MAX_COMMENTS = 1000


def _now() -> datetime:
    """Aware UTC: the datetime columns (SQLModel's UTCDateTime) refuse naive values."""
    return datetime.now(UTC)


def disclosure(min_cell: int) -> dict[str, object]:
    """The `disclosure` object of every comments answer (contract, "Additions").

    Comments are shown or not, never counted per cell, so no published count is adjusted.
    """
    return disclosure_info(min_cell, max_adjustment=0)


def _audit(session: Session, **values: Any) -> None:
    """app.audit.record with the event's time made aware (see `_now`)."""
    event = audit.record(session, **values)
    event.occurred_at = _now()


@dataclass(frozen=True)
class CommentFilters:
    crime_group: str | None = None
    touchpoint: str | None = None
    first_month: date | None = None
    last_month: date | None = None
    quotable_only: bool = False

    def as_detail(self) -> dict[str, str | bool | None]:
        """For the audit event: the filters as given (no personal data in them)."""
        return {
            "crime_group": self.crime_group,
            "touchpoint": self.touchpoint,
            "from": month_label(self.first_month) if self.first_month else None,
            "to": month_label(self.last_month) if self.last_month else None,
            "quotable_only": self.quotable_only,
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
) -> CommentFilters:
    """Filters from query values; `from` and `to` are YYYY-MM or YYYY-Qn, inclusive."""
    errors: list[dict[str, object]] = []
    first = last = None
    if from_period:
        try:
            first = parse_period(from_period)[0]
        except ValueError as exc:
            errors.append({"loc": ["query", "from"], "msg": str(exc)})
    if to_period:
        try:
            last = parse_period(to_period)[1]
        except ValueError as exc:
            errors.append({"loc": ["query", "to"], "msg": str(exc)})
    if first and last and first > last:
        errors.append({"loc": ["query", "from"], "msg": "from must not be after to."})
    if errors:
        raise InvalidInput("The filters are not valid.", errors=errors)
    return CommentFilters(
        crime_group=crime_group or None,
        touchpoint=touchpoint or None,
        first_month=first,
        last_month=last,
        quotable_only=quotable_only,
    )


def _conditions(filters: CommentFilters) -> list[ColumnElement[bool]]:
    """WHERE conditions of the group filters (crime group, touchpoint, months)."""
    conditions: list[ColumnElement[bool]] = []
    if filters.crime_group:
        conditions.append(col(Comment.crime_group) == filters.crime_group)
    if filters.touchpoint:
        conditions.append(col(Comment.touchpoint) == filters.touchpoint)
    if filters.first_month:
        conditions.append(col(Comment.month) >= filters.first_month)
    if filters.last_month:
        conditions.append(col(Comment.month) <= filters.last_month)
    return conditions


def _in_cells(cells: set[CommentCell]) -> ColumnElement[bool]:
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
        _conditions(filters),
        min_cell=min_cell,
        max_touchpoint_age_days=get_settings().max_touchpoint_age_days,
        at=at or _now(),
    )


def _released(
    session: Session, filters: CommentFilters, *, min_cell: int, at: datetime | None
) -> list[ColumnElement[bool]]:
    """WHERE conditions on Comment: chosen by the filters, in a released cell (reads only)."""
    return [
        *_conditions(filters),
        _in_cells(released_cells(session, filters, min_cell=min_cell, at=at)),
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
        in_cells = _released(session, filters, min_cell=min_cell, at=at)
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
            *_released(session, filters, min_cell=min_cell, at=at),
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
        comments = [_redacted(row) for row in picked]
    _audit(
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


def _redacted(row: Comment) -> RedactedComment:
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


def _readable(session: Session, comment: Comment, *, min_cell: int) -> bool:
    """Whether an analyst may read this comment now (released cell, language checked)."""
    filters = CommentFilters(
        crime_group=comment.crime_group,
        touchpoint=comment.touchpoint,
        first_month=comment.month,
        last_month=comment.month,
    )
    in_cells = _released(session, filters, min_cell=min_cell, at=None)
    # A write request already: classify in its own transaction.
    comment_checks.classify_new_comments(session, in_cells)
    statement = (
        select(func.count())
        .select_from(Comment)
        .where(*in_cells)
        .where(col(Comment.id) == comment.id, comment_checks.readable_by_analysts())
    )
    return bool(session.exec(statement).one())


def mark_quotable(
    session: Session,
    comment_id: str,
    *,
    quotable: bool,
    theme: str | None,
    actor: str,
    min_cell: int | None = None,
) -> RedactedComment:
    """Allow (or stop) the redacted comment being quoted in the report, under a theme.

    Only a comment an analyst may read (released cell, language checked) can be marked, so
    the answer, which carries its text, shows nothing a read would not.
    """
    comment = session.get(Comment, comment_id)
    threshold = get_settings().min_cell if min_cell is None else min_cell
    if comment is None or not _readable(session, comment, min_cell=threshold):
        raise NotFound("There is no comment with this id.")
    clean_theme = themes.clean_theme(theme)
    if quotable and clean_theme is None:
        clean_theme = themes.DEFAULT_THEME
    comment.quotable = quotable
    comment.theme = clean_theme if quotable else comment.theme
    session.add(comment)
    session.flush()
    _audit(
        session,
        actor=actor,
        action="comments.quotable" if quotable else "comments.not_quotable",
        object_type="comment",
        object_id=comment.id,
        detail={"theme": comment.theme} if quotable else {},
    )
    return _redacted(comment)


@dataclass(frozen=True)
class ThemeQuotes:
    theme: str
    quotes: list[RedactedComment]


def quotes_by_theme(
    session: Session,
    first_month: date,
    last_month: date,
    *,
    min_cell: int,
    at: datetime | None = None,
) -> list[ThemeQuotes]:
    """Quotable redacted comments of the months, grouped by theme, from released cells only.

    For the quarterly report: a comment marked quotable is still left out if its cell is not
    released (too few commenters that month, or the month not closed) or if it waits for a
    language check. Reads only: call `classify_released` first (build_report does).
    """
    filters = CommentFilters(first_month=first_month, last_month=last_month, quotable_only=True)
    statement = (
        select(Comment)
        .where(*_released(session, filters, min_cell=min_cell, at=at))
        .where(comment_checks.readable_by_analysts())
        .where(col(Comment.quotable).is_(True))
    )
    by_theme: dict[str, list[RedactedComment]] = {}
    for row in session.exec(statement).all():
        by_theme.setdefault(row.theme or themes.DEFAULT_THEME, []).append(_redacted(row))
    ordered = sorted(by_theme.items(), key=lambda item: themes.sort_key(item[0]))
    # Within a theme, a stable order that says nothing about when each was written.
    return [
        ThemeQuotes(theme=theme, quotes=sorted(quotes, key=lambda quote: quote.text))
        for theme, quotes in ordered
    ]


def validate_theme(theme: str | None) -> str | None:
    """The theme as it will be stored, or InvalidInput."""
    if theme is not None and len(theme.strip()) > themes.MAX_THEME_LENGTH:
        raise InvalidInput(
            "The theme is too long.",
            errors=[
                {"loc": ["body", "theme"], "msg": f"At most {themes.MAX_THEME_LENGTH} characters."}
            ],
        )
    return themes.clean_theme(theme)


# --- comments held for a person's check ----------------------------------------------------


def held_for_check(
    session: Session,
    filters: CommentFilters,
    *,
    min_cell: int,
    limit: int = MAX_COMMENTS,
    at: datetime | None = None,
) -> list[HeldComment]:
    """Comments of released cells waiting for a person's check, redacted, in random order."""
    classify_released(session, filters, min_cell=min_cell, at=at)
    with read_only(session):
        return _held(session, filters, min_cell=min_cell, limit=limit, at=at)


def _held(
    session: Session, filters: CommentFilters, *, min_cell: int, limit: int, at: datetime | None
) -> list[HeldComment]:
    statement = (
        select(Comment, comment_checks.CommentCheck, Response.language)
        .join(
            comment_checks.CommentCheck,
            col(comment_checks.CommentCheck.comment_id) == col(Comment.id),
        )
        .join(Response, col(Response.id) == col(Comment.response_id))
        .where(*_released(session, filters, min_cell=min_cell, at=at))
        .where(col(comment_checks.CommentCheck.needs_check).is_(True))
        .where(col(comment_checks.CommentCheck.outcome).is_(None))
        .order_by(func.random())
        .limit(limit)
    )
    held = [
        HeldComment(
            id=comment.id,
            text=redact(comment.text),
            crime_group=comment.crime_group,
            touchpoint=comment.touchpoint,
            month=month_label(comment.month),
            language=check.language,
            response_language=response_language,
        )
        for comment, check, response_language in session.exec(statement).all()
    ]
    random.SystemRandom().shuffle(held)
    return held


def check_comment(
    session: Session, comment_id: str, *, outcome: CheckOutcome, actor: str, min_cell: int
) -> None:
    """A checker's decision on a held comment of a released cell."""
    comment = session.get(Comment, comment_id)
    if comment is None:
        raise NotFound("There is no comment awaiting a check with this id.")
    cell = CommentCell(comment.crime_group, comment.touchpoint, comment.month)
    filters = CommentFilters(
        crime_group=cell.crime_group,
        touchpoint=cell.touchpoint,
        first_month=cell.month,
        last_month=cell.month,
    )
    in_released_cell = _in_cells(released_cells(session, filters, min_cell=min_cell))
    comment_checks.record_check(
        session, comment_id, outcome=outcome, actor=actor, in_released_cell=in_released_cell
    )
