""" "You said, we did": short statements of what changed because of victims' feedback.

Approvers publish them; staff read them; the victim's confirmation page shows the latest ones
for the victim's crime group (and the general ones, with no crime group).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, or_, select

from app import audit, clock
from app.errors import InvalidInput
from app.reporting import parameters
from app.reporting.models import PublishedAction

MAX_ACTION_LENGTH = 1000


def clean_text(text: str) -> str:
    """Trimmed statement text, or InvalidInput when empty or longer than 1000 characters."""
    value = text.strip()
    if not value:
        raise InvalidInput(
            "Enter what was done.", errors=[{"loc": ["body", "text"], "msg": "Enter the text."}]
        )
    if len(value) > MAX_ACTION_LENGTH:
        raise InvalidInput(
            "The statement is too long.",
            errors=[{"loc": ["body", "text"], "msg": f"At most {MAX_ACTION_LENGTH} characters."}],
        )
    return value


def clean_crime_group(crime_group: str | None) -> str | None:
    """A crime group value, or None for a statement that applies to everyone."""
    if crime_group in (None, "", "all"):
        return None
    if parameters.choice_problem("crime_group", crime_group):
        raise InvalidInput(
            "Choose a crime group.",
            errors=[
                {
                    "loc": ["body", "crime_group"],
                    "msg": "Use general, rasso, vawg or null.",
                }
            ],
        )
    return crime_group


def publish_action(
    session: Session, *, text: str, crime_group: str | None, actor: str
) -> PublishedAction:
    """Publish a statement (audited; the text itself is public, so it may be recorded)."""
    action = PublishedAction(
        crime_group=clean_crime_group(crime_group),
        text=clean_text(text),
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
