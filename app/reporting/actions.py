""" "You said, we did": the action log.

An action says what was done because of victims' feedback (`text`, public), what prompted it
(the rights, metrics and finding), who owns it (a team and agency, never a person's contact
details), where it stands (planned, in_progress, done; a due date) and the report periods of
its figure before and after (app.reporting.action_effects turns those into published cells).
Approvers publish and change actions; staff read them; the victim's confirmation page shows
the general text of done and in-progress ones (app.survey.reporting_link).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, or_, select

from app import audit, clock
from app.errors import FieldError, InvalidInput, NotFound
from app.reporting import action_input
from app.reporting.action_input import MAX_ACTION_LENGTH, STATUSES, ActionProblem
from app.reporting.models import PublishedAction

__all__ = [
    "EDITABLE",
    "MAX_ACTION_LENGTH",
    "STATUSES",
    "VICTIM_STATUSES",
    "ActionProblem",
    "clean_action",
    "get_action",
    "list_actions",
    "publish_action",
    "update_action",
]

# Shown to victims: something done or being done, never a plan.
VICTIM_STATUSES: tuple[str, ...] = ("in_progress", "done")
# The fields a caller sets; the rest (who published it and when) the service does.
EDITABLE: tuple[str, ...] = (
    "text",
    "crime_group",
    "finding",
    "owner",
    "agency",
    "status",
    "rights",
    "metrics",
    "due_date",
    *action_input.PERIOD_FIELDS,
)
# Free text is never audited (a finding or owner might name someone); the rest is, the
# periods included: they choose which published figures every member of staff then reads.
_AUDITED = ("crime_group", "status", "agency", "rights", "metrics", *action_input.PERIOD_FIELDS)


def _detail(errors: list[FieldError]) -> str:
    # The detail speaks of the crime group first, as it did when only one was reported.
    by_field = {error.field: error for error in reversed(errors)}
    if "crime_group" in by_field:
        return "Choose a crime group."
    if "text" in by_field:
        missing = by_field["text"].kind == ActionProblem.MISSING
        return "Enter what was done." if missing else "The statement is too long."
    return "The action is not valid."


def _raise_if_wrong(errors: list[FieldError]) -> None:
    if errors:
        raise InvalidInput(_detail(errors), errors=errors)


def clean_action(*, text: str, crime_group: str | None) -> tuple[str, str | None]:
    """Trimmed text (1 to 1000 characters) and crime group (None for everyone); otherwise
    InvalidInput with an error for each wrong field."""
    errors: list[FieldError] = []
    value = action_input.clean_text(text, errors)
    group = action_input.clean_crime_group(crime_group, errors)
    _raise_if_wrong(errors)
    return value, group


def _check_names(fields: Mapping[str, Any]) -> None:
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise InvalidInput(
            "The action is not valid.",
            errors=[FieldError(("body", name), "Not a field of an action.") for name in unknown],
        )


def _audit(session: Session, action: PublishedAction, name: str, actor: str, **more: Any) -> None:
    detail = {field: getattr(action, field) for field in _AUDITED}
    audit.record(
        session,
        actor=actor,
        action=name,
        object_type="published_action",
        object_id=str(action.id),
        detail={**detail, **more},
    )


def publish_action(
    session: Session,
    *,
    text: str,
    crime_group: str | None = None,
    actor: str,
    **fields: Any,
) -> PublishedAction:
    """Publish an action (status `done` unless given: a statement of what was done). Every
    field is checked before anything is written; InvalidInput names each wrong one."""
    _check_names(fields)
    cleaned, errors = action_input.clean_fields(
        {**fields, "text": text, "crime_group": crime_group}
    )
    _raise_if_wrong(errors)
    action = PublishedAction(**cleaned, published_by=actor, published_at=clock.now())
    session.add(action)
    session.flush()
    _audit(session, action, "actions.publish", actor)
    return action


# published_action.id is an INTEGER column (32 bits on PostgreSQL).
MAX_ACTION_ID = 2**31 - 1


def get_action(session: Session, action_id: int, *, for_update: bool = False) -> PublishedAction:
    # An id from a path no column can hold: SQLite raises OverflowError and PostgreSQL a
    # numeric range error, where the answer is simply "no such action".
    if not 1 <= action_id <= MAX_ACTION_ID:
        raise NotFound("There is no action with that id.")
    action = session.get(PublishedAction, action_id, with_for_update=for_update)
    if action is None:
        raise NotFound("There is no action with that id.")
    return action


def update_action(
    session: Session, action_id: int, changes: Mapping[str, Any], *, actor: str
) -> PublishedAction:
    """Change the given fields of an action. The whole action is checked as it would be after
    the change (a period after must still follow the one before), so nothing half-written."""
    _check_names(changes)
    action = get_action(session, action_id, for_update=True)
    stored = {name: getattr(action, name) for name in EDITABLE}
    cleaned, errors = action_input.clean_fields({**stored, **changes})
    _raise_if_wrong(errors)
    changed = sorted(name for name in EDITABLE if cleaned[name] != stored[name])
    if not changed:
        return action
    for name in changed:
        setattr(action, name, cleaned[name])
    action.updated_by, action.updated_at = actor, clock.now()
    session.add(action)
    session.flush()
    _audit(session, action, "actions.update", actor, changed=changed)
    return action


def list_actions(
    session: Session,
    *,
    crime_group: str | None = None,
    include_general: bool = True,
    general_only: bool = False,
    status: str | Collection[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int | None = None,
) -> Sequence[PublishedAction]:
    """Published actions, newest first; for a crime group, with the general ones too;
    `general_only`: those with no crime group; `status`: of that status (or those)."""
    statement = select(PublishedAction)
    group = col(PublishedAction.crime_group)
    if general_only:
        statement = statement.where(group.is_(None))
    elif crime_group:
        wanted = group == crime_group
        statement = statement.where(or_(wanted, group.is_(None)) if include_general else wanted)
    if status is not None:
        chosen = [status] if isinstance(status, str) else list(status)
        statement = statement.where(col(PublishedAction.status).in_(chosen))
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
