"""Free-text comments for analysts: redacted, only from large enough groups, month only.

A group is a crime group × touchpoint within the requested months. Comments are shown only
for groups with comments from at least `min_cell` different responses (people, not comments,
so that one person writing in three boxes does not lift a group over the line). Nothing that
could be lined up with a response or an invitation leaves here: no response id, no area, no
date finer than the month, and the order is random on every read.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, tuple_
from sqlmodel import Session, col, select

from app import audit
from app.errors import InvalidInput, NotFound
from app.reporting import themes
from app.reporting.periods import month_label, parse_period
from app.reporting.redaction import redact
from app.survey.models import Comment

# Most comments one read returns (a random sample of the eligible ones when there are more).
MAX_COMMENTS = 1000


def _now() -> datetime:
    """Aware UTC: the datetime columns (SQLModel's UTCDateTime) refuse naive values."""
    return datetime.now(UTC)


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


def eligible_groups(
    session: Session, filters: CommentFilters, min_cell: int
) -> tuple[set[tuple[str, str]], int]:
    """The crime group × touchpoint groups at or above `min_cell`, and how many fell below.

    Counted over every comment in the months asked for, quotable or not: the size of the
    group, not of the selection, decides whether its comments may be shown.
    """
    statement = (
        select(
            Comment.crime_group,
            Comment.touchpoint,
            func.count(func.distinct(Comment.response_id)),
        )
        .where(*_conditions(filters))
        .group_by(col(Comment.crime_group), col(Comment.touchpoint))
    )
    shown: set[tuple[str, str]] = set()
    withheld = 0
    for crime_group, touchpoint, people in session.exec(statement).all():
        if people >= min_cell:
            shown.add((crime_group, touchpoint))
        else:
            withheld += 1
    return shown, withheld


@dataclass(frozen=True)
class CommentsRead:
    comments: list[RedactedComment]
    total: int  # eligible comments; `comments` is a random sample of at most `limit`
    withheld_groups: int
    min_cell: int


def read_comments(
    session: Session,
    filters: CommentFilters,
    *,
    actor: str,
    min_cell: int,
    limit: int = MAX_COMMENTS,
    rng: random.Random | None = None,
) -> CommentsRead:
    """Redacted comments of the groups at or above `min_cell`, in random order; audited."""
    shown, withheld = eligible_groups(session, filters, min_cell)
    picked: list[Comment] = []
    total = 0
    if shown:
        conditions = [
            *_conditions(filters),
            tuple_(col(Comment.crime_group), col(Comment.touchpoint)).in_(sorted(shown)),
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
            "withheld_groups": withheld,
            "min_cell": min_cell,
        },
    )
    return CommentsRead(comments=comments, total=total, withheld_groups=withheld, min_cell=min_cell)


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


def mark_quotable(
    session: Session, comment_id: str, *, quotable: bool, theme: str | None, actor: str
) -> RedactedComment:
    """Allow (or stop) the redacted comment being quoted in the report, under a theme."""
    comment = session.get(Comment, comment_id)
    if comment is None:
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
    session: Session, first_month: date, last_month: date, *, min_cell: int
) -> list[ThemeQuotes]:
    """Quotable redacted comments of the months, grouped by theme, from large groups only.

    For the quarterly report: a comment marked quotable is still left out if its group
    (crime group × touchpoint over these months) is below `min_cell`.
    """
    filters = CommentFilters(first_month=first_month, last_month=last_month, quotable_only=True)
    shown, _withheld = eligible_groups(session, filters, min_cell)
    statement = select(Comment).where(*_conditions(filters)).where(col(Comment.quotable).is_(True))
    by_theme: dict[str, list[RedactedComment]] = {}
    for row in session.exec(statement).all():
        if (row.crime_group, row.touchpoint) not in shown:
            continue
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
