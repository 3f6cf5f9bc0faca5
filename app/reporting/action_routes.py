"""JSON API of the action log (under /api/v1): read, publish, change.

`GET /actions` and `POST /actions` keep the contract's shape (a list; `{"crime_group"?,
"text"}` publishes a done statement) and add the log's fields; `PATCH /actions/{id}` changes
any of them. Every field is checked by app.reporting.action_input, whose errors are the
problem+json `errors` (pydantic only fixes the JSON types).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr

from app.auth.deps import ApproverDep, Caller, StaffDep
from app.db import SessionDep, read_only
from app.enums import CrimeGroup
from app.reporting import action_effects, actions
from app.reporting.action_effects import MetricEffect
from app.reporting.disclosure import Disclosure
from app.reporting.models import PublishedAction

router = APIRouter(tags=["actions"])

Status = Literal["planned", "in_progress", "done"]
PeriodText = Annotated[StrictStr, Field(max_length=16, description="YYYY-MM or YYYY-Qn.")]


class ActionFieldsIn(BaseModel):
    """The log's fields, each optional (a new action is `done` unless a status is given). An
    unknown field is refused, on a new action as on a change: a misspelt `status` would
    otherwise publish a plan as done, and victims and /results show done actions at once."""

    model_config = ConfigDict(extra="forbid")

    rights: list[StrictInt] | None = Field(default=None, description="Victims' Code rights 1-12.")
    metrics: list[StrictStr] | None = Field(default=None, description="Metric ids (GET /metrics).")
    finding: StrictStr | None = Field(default=None, description="What prompted the action.")
    owner: StrictStr | None = Field(default=None, description="A team or role, not a person.")
    agency: StrictStr | None = Field(default=None, description="police, witness_care, cps, …")
    status: Status | None = None
    due_date: date | None = None
    before_from: PeriodText | None = None
    before_to: PeriodText | None = Field(default=None, description="Defaults to before_from.")
    after_from: PeriodText | None = None
    after_to: PeriodText | None = Field(default=None, description="Defaults to after_from.")


class ActionIn(ActionFieldsIn):
    crime_group: CrimeGroup | None = None
    text: str = Field(min_length=1, max_length=actions.MAX_ACTION_LENGTH)


class ActionPatch(ActionFieldsIn):
    """Only the fields sent change; null clears an optional one."""

    crime_group: CrimeGroup | None = None
    text: StrictStr | None = None


class ActionOut(BaseModel):
    id: int
    crime_group: str | None
    text: str
    published_by: str
    published_at: datetime
    status: str
    rights: list[int]
    metrics: list[str]
    finding: str
    owner: str
    agency: str | None
    due_date: date | None
    before_from: str | None
    before_to: str | None
    after_from: str | None
    after_to: str | None
    updated_by: str | None
    updated_at: datetime | None
    effect: list[MetricEffect] = Field(
        description="Per linked metric, the published force-level cell (of the action's crime "
        "group, if any) of the period before and after."
    )
    disclosure: Disclosure


def _out(
    session: SessionDep, action: PublishedAction, cache: action_effects.Cache, caller: Caller
) -> ActionOut:
    shown = action_effects.sees_figures(caller, action.crime_group)
    effects = action_effects.action_effects(session, action, cache, shown=shown)
    return ActionOut(
        **action.model_dump(exclude={"effect", "disclosure"}),
        effect=effects.effect,
        disclosure=effects.disclosure,
    )


def _fields(body: BaseModel) -> dict[str, Any]:
    values = body.model_dump(include=body.model_fields_set)
    if isinstance(values.get("crime_group"), CrimeGroup):
        values["crime_group"] = values["crime_group"].value
    return values


@router.get("/actions", response_model=list[ActionOut])
def get_actions(
    session: SessionDep,
    caller: StaffDep,
    crime_group: CrimeGroup | None = None,
    status: Status | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ActionOut]:
    """Published actions, newest first (for a crime group: with the general ones), with
    their effect under the disclosure control; the newest 100 unless `limit` says (each
    action's effect reads up to two published cells per linked metric)."""
    cache: action_effects.Cache = {}
    with read_only(session):
        rows = actions.list_actions(
            session,
            crime_group=crime_group.value if crime_group else None,
            status=status,
            limit=limit,
        )
        return [_out(session, row, cache, caller) for row in rows]


@router.post("/actions", response_model=ActionOut, status_code=201)
def post_action(body: ActionIn, session: SessionDep, caller: ApproverDep) -> ActionOut:
    """Publish an action: `{"crime_group"?, "text"}` and any of the log's fields."""
    fields = _fields(body)
    action = actions.publish_action(
        session,
        text=fields.pop("text"),
        crime_group=fields.pop("crime_group", None),
        actor=caller.actor,
        **fields,
    )
    return _out(session, action, {}, caller)


@router.patch("/actions/{action_id}", response_model=ActionOut)
def patch_action(
    action_id: int, body: ActionPatch, session: SessionDep, caller: ApproverDep
) -> ActionOut:
    """Change an action's status, due date, periods, owner or any other field."""
    action = actions.update_action(session, action_id, _fields(body), actor=caller.actor)
    return _out(session, action, {}, caller)
