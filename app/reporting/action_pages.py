"""Staff pages of the action log: every member of staff reads it, with each action's effect;
approvers publish actions and change them. Thin, calling app.reporting.actions; forms carry the
session's CSRF token (checked by the role dependency) and show the service's errors as a
GOV.UK error summary."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import ApproverDep, Caller, StaffDep
from app.banks import metrics as metric_registry
from app.banks.aspects import AGENCIES
from app.banks.metrics import RIGHT_TITLES
from app.db import SessionDep, read_only
from app.enums import Role
from app.errors import InvalidInput, PageTexts, error_summary
from app.reporting import action_effects, action_input, actions, figure_text, page_texts
from app.reporting.action_effects import EffectFigure
from app.reporting.action_input import ActionProblem as P
from app.reporting.compliance_reviews import BODIES
from app.reporting.models import PublishedAction
from app.reporting.parameters import Kind
from app.templating import render

router = APIRouter(include_in_schema=False)

_PERIOD = "Enter a month like 2026-07 or a quarter like 2026-Q3"
ACTION_PAGE_TEXTS: PageTexts = {
    **page_texts.ACTION_TEXTS,
    ("finding", P.TOO_LONG): (
        f"The finding must be {action_input.MAX_FINDING_LENGTH} characters or fewer",
        "finding",
    ),
    ("owner", P.TOO_LONG): (
        f"The owner must be {action_input.MAX_OWNER_LENGTH} characters or fewer",
        "owner",
    ),
    ("owner", P.CONTACT): ("Name a team or role, not an email address or phone number", "owner"),
    ("agency", P.CHOICE): ("Choose an agency from the list", "agency"),
    ("status", P.CHOICE): ("Choose where the action stands", "status"),
    ("rights", P.CHOICE): ("Choose rights from 1 to 12", "rights"),
    ("metrics", P.CHOICE): ("Choose metrics from the list", "metrics"),
    ("metrics", P.TOO_LONG): (f"Choose at most {action_input.MAX_METRICS} metrics", "metrics"),
    ("due_date", P.FORMAT): ("Enter the due date like 2027-03-31", "due_date"),
    ("due_date", P.RANGE): ("Enter a due date within the next ten years", "due_date"),
    **{(name, P.FORMAT): (_PERIOD, name) for name in action_input.PERIOD_FIELDS},
    **{(name, P.MISSING): (_PERIOD, name) for name in action_input.PERIOD_FIELDS},
    ("before_to", Kind.ORDER): ("The period before must not end before it starts", "before_to"),
    ("after_to", Kind.ORDER): ("The period after must not end before it starts", "after_to"),
    ("before_to", Kind.SPAN): ("A period can cover at most five financial years", "before_to"),
    ("after_to", Kind.SPAN): ("A period can cover at most five financial years", "after_to"),
    ("after_from", P.ORDER): ("The period after must start after the period before", "after_from"),
}
# What a form field may hold before it is checked: twice the limit, so an overlong value is
# shown back (and refused) without the page echoing megabytes.
_ECHO_LIMIT = 2 * action_input.MAX_ACTION_LENGTH
NOT_ENDED = "Period not ended yet"
WITHHELD = "figures of your own crime groups only"


def action_form(
    text: Annotated[str, Form()] = "",
    crime_group: Annotated[str, Form()] = "",
    finding: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "done",
    rights: Annotated[list[str] | None, Form()] = None,
    metrics: Annotated[list[str] | None, Form()] = None,
    due_date: Annotated[str, Form()] = "",
    before_from: Annotated[str, Form()] = "",
    before_to: Annotated[str, Form()] = "",
    after_from: Annotated[str, Form()] = "",
    after_to: Annotated[str, Form()] = "",
) -> dict[str, Any]:
    """The form's fields as the service takes them (an empty field is an empty value)."""
    values: dict[str, Any] = {
        "text": text,
        "crime_group": crime_group,
        "finding": finding,
        "owner": owner,
        "agency": agency,
        "status": status,
        "due_date": due_date,
        "before_from": before_from,
        "before_to": before_to,
        "after_from": after_from,
        "after_to": after_to,
    }
    values = {name: value[:_ECHO_LIMIT] for name, value in values.items()}
    return {**values, "rights": rights or [], "metrics": metrics or []}


ActionFormDep = Annotated[dict[str, Any], Depends(action_form)]


def figure_text_of(figure: EffectFigure | None) -> str:
    """One side of an effect in words: rate, interval and responses, or why there is none."""
    if figure is None:
        return "No period set"
    period = figure.period_from
    if figure.period_to != figure.period_from:
        period += f" to {figure.period_to}"
    if not figure.ended:
        return f"{period}: {NOT_ENDED.lower()}"
    if figure.withheld:
        return f"{period}: {WITHHELD}"
    if figure.suppressed:
        return f"{period}: {figure_text.SUPPRESSED.lower()} (too few answers)"
    interval = figure_text.interval_text(figure.ci_low, figure.ci_high)
    responses = figure_text.count_text(figure.n, low_base=figure.low_base)
    return f"{period}: {figure_text.percent(figure.rate)} ({interval}), {responses} responses"


def _form_values(action: PublishedAction) -> dict[str, Any]:
    values = {name: getattr(action, name) for name in actions.EDITABLE}
    values["rights"] = [str(right) for right in action.rights]
    values["due_date"] = action.due_date.isoformat() if action.due_date else ""
    return {name: "" if value is None else value for name, value in values.items()}


def _choices() -> dict[str, Any]:
    return {
        "crime_groups": figure_text.CRIME_GROUP_LABELS,
        "crime_group_label": figure_text.crime_group_label,
        "agencies": {agency: BODIES.get(agency, agency) for agency in AGENCIES},
        "statuses": action_input.STATUS_LABELS,
        "rights": RIGHT_TITLES,
        "metric_titles": {metric.id: metric.title for metric in metric_registry.METRICS},
        "max_length": actions.MAX_ACTION_LENGTH,
        "max_finding": action_input.MAX_FINDING_LENGTH,
        "max_owner": action_input.MAX_OWNER_LENGTH,
    }


def _page(
    request: Request,
    caller: Caller,
    template: str,
    *,
    status_code: int = 200,
    errors: list[dict[str, str]] | None = None,
    **values: Any,
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        staff_user=caller,
        csrf_token=caller.csrf_token,
        error_summary=errors or [],
        field_errors={
            error["href"].lstrip("#"): {"text": error["text"]}
            for error in errors or []
            if "href" in error
        },
        figure_text_of=figure_text_of,
        **_choices(),
        **values,
    )


def _log_page(
    request: Request,
    session: SessionDep,
    caller: Caller,
    *,
    entered: dict[str, Any] | None = None,
    **values: Any,
) -> Response:
    cache: action_effects.Cache = {}
    with read_only(session):
        rows = actions.list_actions(session, limit=100)
        log = [
            (
                row,
                action_effects.action_effects(
                    session, row, cache, shown=action_effects.sees_figures(caller, row.crime_group)
                ),
            )
            for row in rows
        ]
    return _page(
        request,
        caller,
        "reporting/actions.html",
        page_title="You said, we did",
        log=log,
        may_publish=caller.has_any(Role.approver),
        entered=entered or {"status": "done"},
        **values,
    )


@router.get("/staff/actions")
def actions_page(
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    published: str | None = None,
    changed: str | None = None,
) -> Response:
    return _log_page(
        request, session, caller, published=published == "yes", changed=changed == "yes"
    )


@router.post("/staff/actions")
def actions_publish(
    request: Request, session: SessionDep, caller: ApproverDep, form: ActionFormDep
) -> Response:
    fields = dict(form)
    text, crime_group = fields.pop("text"), fields.pop("crime_group")
    try:
        actions.publish_action(
            session, text=text, crime_group=crime_group, actor=caller.actor, **fields
        )
    except InvalidInput as exc:
        summary = error_summary(exc.field_errors, ACTION_PAGE_TEXTS)
        return _log_page(request, session, caller, status_code=422, errors=summary, entered=form)
    return RedirectResponse("/staff/actions?published=yes", status_code=303)


@router.get("/staff/actions/{action_id}")
def action_edit_page(
    request: Request, action_id: int, session: SessionDep, caller: ApproverDep
) -> Response:
    action = actions.get_action(session, action_id)
    return _page(
        request,
        caller,
        "reporting/actions_edit.html",
        page_title="Change an action",
        action=action,
        entered=_form_values(action),
    )


@router.post("/staff/actions/{action_id}")
def action_change(
    request: Request,
    action_id: int,
    session: SessionDep,
    caller: ApproverDep,
    form: ActionFormDep,
) -> Response:
    try:
        actions.update_action(session, action_id, form, actor=caller.actor)
    except InvalidInput as exc:
        return _page(
            request,
            caller,
            "reporting/actions_edit.html",
            status_code=422,
            errors=error_summary(exc.field_errors, ACTION_PAGE_TEXTS),
            page_title="Change an action",
            action=actions.get_action(session, action_id),
            entered=form,
        )
    return RedirectResponse(f"/staff/actions?changed=yes#action-{action_id}", status_code=303)
