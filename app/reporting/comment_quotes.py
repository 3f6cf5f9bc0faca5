"""Quotable comments: an analyst marks a readable comment quotable under a theme, and the
quarterly report quotes them by theme, from released cells only (app.reporting.comments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, func, select

from app import audit
from app.errors import FieldError, InvalidInput, NotFound
from app.reporting import comment_checks, comments, themes
from app.reporting.comment_release import CommentCell
from app.survey.models import Comment


def _readable(session: Session, comment: Comment, *, min_cell: int) -> bool:
    """Whether an analyst may read this comment now (released cell, language checked)."""
    filters = comments.CommentFilters.of_cell(
        CommentCell(comment.crime_group, comment.touchpoint, comment.month)
    )
    in_cells = comments.released_conditions(session, filters, min_cell=min_cell, at=None)
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
    min_cell: int,
) -> comments.RedactedComment:
    """Allow (or stop) the redacted comment being quoted in the report, under a theme.

    Only a comment an analyst may read (released cell, language checked) can be marked, so
    the answer, which carries its text, shows nothing a read would not.
    """
    comment = session.get(Comment, comment_id)
    if comment is None or not _readable(session, comment, min_cell=min_cell):
        raise NotFound("There is no comment with this id.")
    clean_theme = themes.clean_theme(theme)
    if quotable and clean_theme is None:
        clean_theme = themes.DEFAULT_THEME
    comment.quotable = quotable
    comment.theme = clean_theme if quotable else comment.theme
    session.add(comment)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="comments.quotable" if quotable else "comments.not_quotable",
        object_type="comment",
        object_id=comment.id,
        detail={"theme": comment.theme} if quotable else {},
    )
    return comments.redacted(comment)


@dataclass(frozen=True)
class ThemeQuotes:
    theme: str
    quotes: list[comments.RedactedComment]


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
    filters = comments.CommentFilters(
        first_month=first_month, last_month=last_month, quotable_only=True
    )
    statement = (
        select(Comment)
        .where(*comments.released_conditions(session, filters, min_cell=min_cell, at=at))
        .where(comment_checks.readable_by_analysts())
        .where(col(Comment.quotable).is_(True))
    )
    by_theme: dict[str, list[comments.RedactedComment]] = {}
    for row in session.exec(statement).all():
        by_theme.setdefault(row.theme or themes.DEFAULT_THEME, []).append(comments.redacted(row))
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
                FieldError(("body", "theme"), f"At most {themes.MAX_THEME_LENGTH} characters.")
            ],
        )
    return themes.clean_theme(theme)
