"""The staff page to enter an agency's Victims' Code self-assessment, one entry at a time.

The page posts the same entry the API takes in `{"entries": [...]}` through the same service
(app.reporting.self_assessments), so it checks the same things and records the same audit
event; it is open to the roles that may upload a self-assessment over the API (uploader), and
the form carries the session's CSRF token, checked by the role dependency.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import clock
from app.auth.deps import Caller, UploaderDep
from app.banks.aspects import right_agencies
from app.banks.metrics import RIGHT_TITLES
from app.db import SessionDep
from app.errors import FieldError, InvalidInput
from app.reporting import parameters, periods
from app.reporting.compliance_table import AGENCY_LABELS
from app.reporting.figure_text import CRIME_GROUP_LABELS
from app.reporting.self_assessments import RAGS, RIGHTS, get_self_assessment, save_self_assessment
from app.templating import render

router = APIRouter(include_in_schema=False)
URL = "/staff/self-assessment"
FIELDS = ("right", "agency", "crime_group", "numerator", "denominator", "definition", "method",
          "rag", "narrative")  # fmt: skip


def _whole_number(text: str) -> int | str:
    """A typed count as a number; anything else is passed on for the service to refuse. Over 18
    digits is refused as text: int() of 4,300 digits or more raises (a 500)."""
    cleaned = text.strip().replace(",", "")
    if cleaned.isascii() and cleaned.isdecimal() and len(cleaned) <= 18:
        return int(cleaned)
    return text


def _period_or_current(period: str | None) -> str:
    quarter = parameters.parse_quarter(period or "")
    if isinstance(quarter, parameters.Problem):
        return periods.quarter_label(clock.today())
    return quarter


def _page(
    request: Request,
    session: SessionDep,
    caller: Caller,
    *,
    period: str,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    saved: bool = False,
    status_code: int = 200,
) -> Response:
    field_errors = {error.field: {"text": error.msg} for error in errors or []}
    summary = [{"text": error.msg, "href": f"#{error.field}"} for error in errors or []]
    stored = get_self_assessment(session, _period_or_current(period))
    response = render(
        request,
        "reporting/self_assessment.html",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        page_title="Victims' Code self-assessment",
        period=period,
        stored=stored,
        values=values or {},
        field_errors=field_errors,
        error_summary=summary,
        saved=saved,
        rights=[(right, RIGHT_TITLES[right], right_agencies(right)) for right in RIGHTS],
        agencies=AGENCY_LABELS,
        crime_groups=CRIME_GROUP_LABELS,
        rags=RAGS,
    )
    response.status_code = status_code
    return response


@router.get(URL)
def self_assessment_page(
    request: Request,
    session: SessionDep,
    caller: UploaderDep,
    period: str | None = None,
    saved: str | None = None,
) -> Response:
    return _page(request, session, caller, period=_period_or_current(period), saved=saved == "yes")


@router.post(URL)
def self_assessment_save(
    request: Request,
    session: SessionDep,
    caller: UploaderDep,
    period: Annotated[str, Form()] = "",
    right: Annotated[str, Form()] = "",
    agency: Annotated[str, Form()] = "",
    crime_group: Annotated[str, Form()] = "",
    numerator: Annotated[str, Form()] = "",
    denominator: Annotated[str, Form()] = "",
    definition: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    rag: Annotated[str, Form()] = "",
    narrative: Annotated[str, Form()] = "",
) -> Response:
    values = {
        "period": period, "right": right, "agency": agency, "crime_group": crime_group,
        "numerator": numerator, "denominator": denominator, "definition": definition,
        "method": method, "rag": rag, "narrative": narrative,
    }  # fmt: skip
    entry: dict[str, Any] = {
        "right": right.strip(),
        "agency": agency,
        "crime_group": crime_group or None,
        "numerator": _whole_number(numerator),
        "denominator": _whole_number(denominator),
        "definition": definition,
        "method": method,
        "rag": rag,
        "narrative": narrative,
    }
    try:
        result = save_self_assessment(
            session, period=period, body={"entries": [entry]}, actor=caller.actor
        )
    except InvalidInput as exc:
        return _page(
            request,
            session,
            caller,
            period=_period_or_current(period),
            values=values,
            errors=exc.field_errors,
            status_code=422,
        )
    return RedirectResponse(f"{URL}?period={result.period}&saved=yes", status_code=303)
