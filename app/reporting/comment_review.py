"""Comments held for a person's check (not plainly in English): listed for a checker from
released cells only, redacted, and decided one by one (app.reporting.comment_checks)."""

from __future__ import annotations

import random
from datetime import datetime

from sqlmodel import Session, col, func, select

from app.db import read_only
from app.errors import NotFound
from app.reporting import comment_checks, comments
from app.reporting.comment_checks import CheckOutcome, HeldComment
from app.reporting.comment_release import CommentCell
from app.reporting.periods import month_label
from app.reporting.redaction import redact
from app.survey.models import Comment, Response


def held_for_check(
    session: Session,
    filters: comments.CommentFilters,
    *,
    min_cell: int,
    limit: int = comments.MAX_COMMENTS,
    at: datetime | None = None,
) -> list[HeldComment]:
    """Comments of released cells waiting for a person's check, redacted, in random order."""
    comments.classify_released(session, filters, min_cell=min_cell, at=at)
    with read_only(session):
        return _held(session, filters, min_cell=min_cell, limit=limit, at=at)


def _held(
    session: Session,
    filters: comments.CommentFilters,
    *,
    min_cell: int,
    limit: int,
    at: datetime | None,
) -> list[HeldComment]:
    statement = (
        select(Comment, comment_checks.CommentCheck, Response.language)
        .join(
            comment_checks.CommentCheck,
            col(comment_checks.CommentCheck.comment_id) == col(Comment.id),
        )
        .join(Response, col(Response.id) == col(Comment.response_id))
        .where(*comments.released_conditions(session, filters, min_cell=min_cell, at=at))
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
    filters = comments.CommentFilters.of_cell(cell)
    in_released_cell = comments.in_cells(
        comments.released_cells(session, filters, min_cell=min_cell)
    )
    comment_checks.record_check(
        session, comment_id, outcome=outcome, actor=actor, in_released_cell=in_released_cell
    )
