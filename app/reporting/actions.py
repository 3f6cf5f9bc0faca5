""" "You said, we did": short statements of what changed because of victims' feedback.

Approvers publish them; staff read them; the victim's confirmation page shows the latest ones
for the victim's crime group (and the general ones, with no crime group).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, or_, select

from app import audit, clock
from app.errors import FieldError, InvalidInput
from app.reporting import parameters
from app.reporting.models import PublishedAction

MAX_ACTION_LENGTH = 1000


class ActionProblem(StrEnum):
    MISSING = "missing"
    TOO_LONG = "too_long"


def _text_error(value: str) -> tuple[str, FieldError] | None:
    """The API's detail and field error for a statement text, when it is wrong."""
    if not value:
        return "Enter what was done.", FieldError(
            ("body", "text"), "Enter the text.", ActionProblem.MISSING
        )
    if len(value) > MAX_ACTION_LENGTH:
        return "The statement is too long.", FieldError(
            ("body", "text"), f"At most {MAX_ACTION_LENGTH} characters.", ActionProblem.TOO_LONG
        )
    return None


def _crime_group_error(crime_group: str | None) -> tuple[str, FieldError] | None:
    # None, "" and "all": a statement that applies to everyone.
    if crime_group in (None, "", "all"):
        return None
    if problem := parameters.choice_problem("crime_group", crime_group):
        return "Choose a crime group.", FieldError(
            ("body", "crime_group"), "Use general, rasso, vawg or null.", problem.kind
        )
    return None


def clean_action(*, text: str, crime_group: str | None) -> tuple[str, str | None]:
    """Trimmed text (1 to 1000 characters) and crime group (None for everyone); otherwise
    InvalidInput with an error for each wrong field."""
    value = text.strip()
    text_error, group_error = _text_error(value), _crime_group_error(crime_group)
    found = [error for error in (text_error, group_error) if error is not None]
    if found:
        # The detail speaks of the crime group first, as it did when only one was reported.
        detail = (group_error or found[0])[0]
        raise InvalidInput(detail, errors=[field_error for _, field_error in found])
    return value, None if crime_group in (None, "", "all") else crime_group


def publish_action(
    session: Session, *, text: str, crime_group: str | None, actor: str
) -> PublishedAction:
    """Publish a statement (audited; the text itself is public, so it may be recorded)."""
    text, crime_group = clean_action(text=text, crime_group=crime_group)
    action = PublishedAction(
        crime_group=crime_group,
        text=text,
        published_by=actor,
        published_at=clock.now(),
    )
    session.add(action)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="actions.publish",
        object_type="published_action",
        object_id=str(action.id),
        detail={"crime_group": action.crime_group},
    )
    return action


def list_actions(
    session: Session,
    *,
    crime_group: str | None = None,
    include_general: bool = True,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> Sequence[PublishedAction]:
    """Published statements, newest first; for a crime group, with the general ones too."""
    statement = select(PublishedAction)
    if crime_group:
        if include_general:
            statement = statement.where(
                or_(
                    col(PublishedAction.crime_group) == crime_group,
                    col(PublishedAction.crime_group).is_(None),
                )
            )
        else:
            statement = statement.where(col(PublishedAction.crime_group) == crime_group)
    if since is not None:
        statement = statement.where(col(PublishedAction.published_at) >= since)
    if until is not None:
        statement = statement.where(col(PublishedAction.published_at) < until)
    statement = statement.order_by(
        col(PublishedAction.published_at).desc(), col(PublishedAction.id).desc()
    )
    if limit is not None:
        statement = statement.limit(limit)
    return session.exec(statement).all()
