"""A partner's page, `/staff/partner-figures`: the board's measures for the crime groups of
the banks an editor edits, quarter by quarter (issue 15, point 3).

Each figure is the aggregates API's cell for one of the editor's crime groups grouped by
quarter: exactly what the API gives the same editor (app/auth/deps.py: AggregateReaderDep), so
the page shows nothing a partner could not already read, under the same disclosure control.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session

from app import clock
from app.auth.deps import EditorDep
from app.db import SessionDep, read_only
from app.enums import CRIME_GROUPS
from app.reporting import aggregates, figure_text, periods
from app.reporting.aggregates import AggregateResult
from app.reporting.board_sections import BOARD_PRIORITIES
from app.templating import render

router = APIRouter(include_in_schema=False)

PARTNER_FIGURES_URL = "/staff/partner-figures"
QUARTERS_SHOWN = 4


@dataclass(frozen=True)
class GroupFigures:
    crime_group: str
    label: str
    # Each measure's answer, and its table rows (GOV.UK table cells).
    measures: list[tuple[AggregateResult, list[list[dict[str, Any]]]]]


def shown_quarters(today_label: str) -> tuple[str, str]:
    """The last QUARTERS_SHOWN quarters, this one included."""
    return periods.quarter_label_offset(today_label, 1 - QUARTERS_SHOWN), today_label


def group_figures(session: Session, crime_group: str, first: str, last: str) -> GroupFigures:
    measures: list[tuple[AggregateResult, list[list[dict[str, Any]]]]] = []
    for priority in BOARD_PRIORITIES:
        for metric_id in priority.metric_ids:
            result = aggregates.aggregate_metric(
                session,
                metric_id,
                group_by=["quarter"],
                filters={"crime_group": crime_group},
                period_from=first,
                period_to=last,
            )
            rows = [
                [figure_text.text_cell(str(cell.group["quarter"])), *figure_text.metric_cells(cell)]
                for cell in result.cells
            ]
            measures.append((result, rows))
    return GroupFigures(crime_group, figure_text.crime_group_label(crime_group), measures)


@router.get(PARTNER_FIGURES_URL)
def partner_figures_page(request: Request, session: SessionDep, caller: EditorDep) -> Response:
    """The headline figures of the caller's banks' crime groups (an admin sees every group)."""
    groups = [group for group in CRIME_GROUPS if caller.may_edit(group)]
    first, last = shown_quarters(periods.quarter_label(clock.today()))
    with read_only(session):
        figures = [group_figures(session, group, first, last) for group in groups]
    aggregates.record_aggregate_read(
        session,
        actor=caller.actor,
        metric="partner-figures",
        params={"crime_groups": groups, "from": first, "to": last},
    )
    return render(
        request,
        "reporting/partner_figures.html",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        page_title="Figures for your crime groups",
        figures=figures,
        first=first,
        last=last,
        head=[{"text": "Quarter"}, *figure_text.METRIC_HEAD],
    )
