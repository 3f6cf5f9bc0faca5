"""The public results page, `/results`: closed quarters only, frozen when they close, and the
"you said, we did" actions. No sign-in and no filters; the same figures as open data with
`?format=json` or `?format=csv` (or the Accept header).

Each request first freezes any closed quarter not yet frozen (app.reporting.results_freeze),
then shows the stored quarters exactly as they were frozen.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.db import SessionDep, read_only
from app.reporting import actions, figure_text, periods
from app.reporting.aggregates import CSV_DISCLOSURE_COLUMNS, disclosure_csv_values
from app.reporting.csv_export import (
    CONTEXT_COLUMNS,
    EXCEL_BOM,
    METRIC_CELL_COLUMNS,
    NO_FILTERS,
    csv_text,
)
from app.reporting.disclosure import LOW_BASE_TEXT, Disclosure, configured_min_cell
from app.reporting.results_figures import FrozenQuarter
from app.reporting.results_freeze import freeze_closed_quarters, frozen_quarters
from app.victim_page import render_victim

router = APIRouter(include_in_schema=False)

RESULTS_URL = "/results"
TOO_FEW = "Too few answers"
FREEZE_ACTOR = "system:results-page"

FormatQuery = Annotated[
    Literal["html", "json", "csv"] | None,
    Query(alias="format", description="json or csv for open data; the page without it."),
]


class PublicAction(BaseModel):
    """A published "you said, we did" statement: its public text, never who published it."""

    text: str
    crime_group: str | None
    status: str  # in_progress or done: a planned action is not public
    published_at: str  # the day it was published, YYYY-MM-DD


class PublicResults(BaseModel):
    quarters: list[FrozenQuarter]
    actions: list[PublicAction]
    disclosure: Disclosure


def _chosen_format(request: Request, format_: str | None) -> str:
    if format_ is not None:
        return format_
    accept = request.headers.get("accept", "")
    if "text/csv" in accept:
        return "csv"
    if "application/json" in accept and "text/html" not in accept:
        return "json"
    return "html"


def public_results(session: Session) -> PublicResults:
    """What the page shows: every frozen quarter, newest first, and the published actions."""
    quarters = frozen_quarters(session)
    published = [
        PublicAction(
            text=action.text,
            crime_group=action.crime_group,
            status=action.status,
            published_at=action.published_at.date().isoformat(),
        )
        for action in actions.list_actions(session, status=actions.VICTIM_STATUSES)
    ]
    # Quarters keep the disclosure they were frozen under; the answer's is the loosest of them.
    disclosure = Disclosure(
        min_cell=min((q.disclosure.min_cell for q in quarters), default=configured_min_cell()),
        max_adjustment=max((q.disclosure.max_adjustment for q in quarters), default=0),
    )
    return PublicResults(quarters=quarters, actions=published, disclosure=disclosure)


# The open data's first columns are every CSV's (metric, period_from, period_to, filters):
# one file holds several measures and quarters, so they vary by row, and there are no filters.
RESULT_CSV_COLUMNS = (
    *CONTEXT_COLUMNS,
    "crime_group",
    *METRIC_CELL_COLUMNS,
)


def results_csv(results: PublicResults) -> bytes:
    """One row per quarter × measure × crime group, UTF-8 with the byte-order mark Excel needs."""
    rows = [
        [
            measure.metric,
            quarter.quarter,
            quarter.quarter,
            NO_FILTERS,
            cell.crime_group,
            cell.n,
            cell.positive,
            cell.rate,
            cell.ci_low,
            cell.ci_high,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(quarter.disclosure),
        ]
        for quarter in results.quarters
        for measure in quarter.measures
        for cell in measure.cells
    ]
    text = csv_text([*RESULT_CSV_COLUMNS, *CSV_DISCLOSURE_COLUMNS], rows)
    return (EXCEL_BOM + text).encode("utf-8")


def _results_page(request: Request, session: Session, results: PublicResults) -> HTMLResponse:
    return render_victim(
        request,
        session,
        "public/results.html",
        page_title="Results: what people told us",
        results=results,
        too_few=TOO_FEW,
        low_base_text=LOW_BASE_TEXT,
        percent=figure_text.percent,
        interval_text=figure_text.interval_text,
        crime_group_label=_group_label,
        quarter_months=quarter_months,
        results_url=RESULTS_URL,
    )


def _group_label(slug: str) -> str:
    return figure_text.crime_group_label(None if slug == "all" else slug)


def quarter_months(quarter: str) -> str:
    """`2026-Q1` → "January to March 2026": the months of the touchpoints it counts."""
    first, last = periods.parse_quarter(quarter)
    return f"{first:%B} to {last:%B %Y}"


@router.get(RESULTS_URL, response_model=None)
def results_page(request: Request, session: SessionDep, format_: FormatQuery = None) -> Response:
    """The closed quarters' figures and the actions, as a page, JSON or CSV."""
    chosen = _chosen_format(request, format_)
    if freeze_closed_quarters(session, actor=FREEZE_ACTOR):
        session.commit()
    with read_only(session):
        results = public_results(session)
        if chosen == "html":
            return _results_page(request, session, results)
    if chosen == "json":
        return JSONResponse(results.model_dump(mode="json"))
    return Response(
        content=results_csv(results),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="results.csv"'},
    )
