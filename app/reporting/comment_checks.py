"""A person's check of comments not written in English, before analysts may read them.

Every comment of a released cell is classified once (app.reporting.comment_language) and the
result kept in `comment_check`. A comment that needs a check reaches analysts (the comments
API, its CSV, the review page and the quarterly report) only after a checker has released it.

Who checks: an **approver** (admin included). Analysts are who the hold protects the text
from, so they cannot lift it; approvers already decide what the service publishes, and the
check is the same kind of decision. A checker sees exactly what an analyst would: the
redacted text of comments from released cells only, so the check page is no way round the
threshold. (When staff users gain language scopes, a user with the comment's language
should be able to check it too.) The audit event of a check names the comment and the
decision, never its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, exists, or_
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Field, Session, SQLModel, col, select

from app import audit, clock
from app.errors import NotFound
from app.reporting.comment_language import language_verdict
from app.survey.models import Comment, Response

# Comments classified by one read at most, so that a read after a busy month closes stays
# short (about 0.5 ms each). Comments not yet classified are held, as if they needed a check,
# until a later read gets to them.
CLASSIFY_PER_READ = 500


class CheckOutcome(StrEnum):
    released = "released"  # analysts may read it
    withheld = "withheld"  # it stays away from analysts for good


class CommentCheck(SQLModel, table=True):
    """The language of one comment and, if it needs one, a person's check."""

    __tablename__ = "comment_check"

    comment_id: str = Field(
        primary_key=True, foreign_key="comment.id", ondelete="CASCADE", max_length=36
    )
    language: str = Field(max_length=35)  # ISO 639-1 code detected, "und" or "zxx"
    needs_check: bool = Field(index=True)
    outcome: str | None = Field(default=None, max_length=16)  # a CheckOutcome
    checked_by: str | None = Field(default=None, max_length=80)
    checked_at: datetime | None = None
    classified_at: datetime = Field(default_factory=lambda: clock.now())


def readable_by_analysts() -> ColumnElement[bool]:
    """WHERE condition on Comment: classified, and English or released by a checker."""
    return exists().where(
        col(CommentCheck.comment_id) == col(Comment.id),
        or_(
            col(CommentCheck.needs_check).is_(False),
            col(CommentCheck.outcome) == CheckOutcome.released.value,
        ),
    )


def classify_new_comments(
    session: Session, in_cells: Sequence[ColumnElement[bool]], *, limit: int = CLASSIFY_PER_READ
) -> int:
    """Detect the language of up to `limit` unclassified comments matching `in_cells`, and
    store it in the session's transaction."""
    rows = new_verdicts(session, in_cells, limit=limit)
    store_verdicts(session, rows)
    return len(rows)


def new_verdicts(
    session: Session, in_cells: Sequence[ColumnElement[bool]], *, limit: int = CLASSIFY_PER_READ
) -> list[dict[str, Any]]:
    """The detected language of up to `limit` unclassified comments matching `in_cells`, as
    comment_check rows (reads only: a staff read detects under `read_only`, then stores)."""
    unclassified = ~exists().where(col(CommentCheck.comment_id) == col(Comment.id))
    statement = (
        select(col(Comment.id), col(Comment.text), col(Response.language))
        .join(Response, col(Response.id) == col(Comment.response_id))
        .where(*in_cells, unclassified)
        .limit(limit)
    )
    rows: list[dict[str, Any]] = []
    for comment_id, text, response_language in session.exec(statement).all():
        verdict = language_verdict(text, response_language)
        rows.append(
            {
                "comment_id": comment_id,
                "language": verdict.language,
                "needs_check": verdict.needs_check,
                "classified_at": clock.now(),
            }
        )
    return rows


def store_verdicts(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert, leaving alone a row another read has just written (two analysts at once)."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(CommentCheck).values(rows)
    session.execute(statement.on_conflict_do_nothing(index_elements=["comment_id"]))


@dataclass(frozen=True)
class HeldComment:
    """What a checker sees of a held comment (the same redacted text an analyst would)."""

    id: str
    text: str
    crime_group: str
    touchpoint: str
    month: str
    language: str  # detected
    response_language: str


def record_check(
    session: Session,
    comment_id: str,
    *,
    outcome: CheckOutcome,
    actor: str,
    in_released_cell: ColumnElement[bool],
) -> CommentCheck:
    """Release a held comment to analysts, or keep it from them; audited without its text."""
    statement = (
        select(CommentCheck)
        .join(Comment, col(Comment.id) == col(CommentCheck.comment_id))
        .where(col(CommentCheck.comment_id) == comment_id)
        .where(col(CommentCheck.needs_check).is_(True))
        .where(in_released_cell)
    )
    check = session.exec(statement).first()
    if check is None:
        raise NotFound("There is no comment awaiting a check with this id.")
    check.outcome = outcome.value
    check.checked_by = actor
    check.checked_at = clock.now()
    session.add(check)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="comments.checked",
        object_type="comment",
        object_id=comment_id,
        detail={"outcome": outcome.value, "language": check.language},
    )
    return check
