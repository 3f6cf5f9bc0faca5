"""Figures the dashboard and the quarterly report both show: the table (primary), its chart
and its CSV link, for the Victims' Code gap and the invitation funnel."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.reporting import compliance_table
from app.reporting.dashboard_charts import funnel_chart, victims_code_chart
from app.reporting.dashboard_filters import DashboardFilters
from app.reporting.figure_text import (
    CRIME_GROUP_LABELS,
    NUMERIC,
    STAGE_LABELS,
    SUPPRESSED,
    TOUCHPOINT_LABELS,
    count_text,
    percent,
    suppressed_cell,
    text_cell,
)
from app.reporting.funnel import STAGE_NAMES, FunnelResult, funnel
from app.reporting.victims_code import VictimsCodeView


@dataclass
class ChartTable:
    """One figure of the page: its table (primary), chart spec (optional) and CSV link."""

    id: str
    title: str
    caption: str
    head: list[dict[str, Any]]
    rows: list[list[dict[str, Any]]]
    csv_url: str
    chart: dict[str, Any] | None = None
    chart_label: str = ""
    notes: list[str] = field(default_factory=list)
    max_adjustment: int = 0  # of the answers the figure shows (their `disclosure` objects)


def victims_code_table(view: VictimsCodeView, caption: str, csv_url: str) -> ChartTable:
    return ChartTable(
        id="victims-code",
        title="Victims' Code: what victims say and what the agencies say",
        caption=caption,
        head=compliance_table.HEAD,
        rows=compliance_table.comparison_rows(view),
        csv_url=csv_url,
        chart=victims_code_chart(view),
        chart_label="Chart of each Victims' Code right: the share of victims who said they "
        "received it beside the force's self-assessed rate. The table below gives the same "
        "figures.",
        notes=compliance_table.comparison_notes(view),
        max_adjustment=view.disclosure.max_adjustment,
    )


FUNNEL_HEAD = [
    {"text": "Group"},
    *({"text": STAGE_LABELS[name], "format": "numeric"} for name in STAGE_NAMES),
    {"text": "Response rate", "format": "numeric"},
]


def funnel_rows(
    by_group: FunnelResult, total: FunnelResult, dimension: str
) -> list[list[dict[str, Any]]]:
    labels = CRIME_GROUP_LABELS if dimension == "crime_group" else TOUCHPOINT_LABELS
    rows: list[list[dict[str, Any]]] = []
    for cell in [*by_group.cells, *total.cells]:
        key = cell.group.get(dimension)
        label = "All" if not cell.group else labels.get(key or "", key or "Unknown")
        if cell.suppressed:
            rows.append([{"text": label}, suppressed_cell(len(STAGE_NAMES) + 1)])
            continue
        stages = [
            text_cell(
                count_text(
                    getattr(cell, name), low_base=cell.low_base if name == "invited" else None
                ),
                numeric=True,
            )
            if getattr(cell, name) is not None
            else {"text": SUPPRESSED, "classes": f"{NUMERIC} app-suppressed"}
            for name in STAGE_NAMES
        ]
        rows.append(
            [{"text": label}, *stages, text_cell(percent(cell.response_rate) or "", numeric=True)]
        )
    return rows


def funnel_results(
    session: Session, filters: DashboardFilters
) -> tuple[FunnelResult, FunnelResult]:
    """The funnel by crime group, and its total."""
    by_group = funnel(
        session,
        group_by=["crime_group"],
        filters=filters.invitation_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )
    total = funnel(
        session,
        group_by=[],
        filters=filters.invitation_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )
    return by_group, total


def funnel_table(
    by_group: FunnelResult, total: FunnelResult, filters: DashboardFilters, *, caption: str
) -> ChartTable:
    return ChartTable(
        id="funnel",
        title="Invitations: from invited to completed",
        caption=caption,
        head=FUNNEL_HEAD,
        rows=funnel_rows(by_group, total, "crime_group"),
        csv_url="/api/v1/aggregates/funnel?"
        + filters.api_query(invitations=True, group_by="crime_group", format="csv"),
        chart=funnel_chart(total.cells[0] if total.cells else None),
        chart_label="Chart of how many invitations reached each stage, from invited to "
        "completed. The table below gives the same figures.",
        notes=[
            "Response rate is completed surveys as a share of invitations sent. A stage "
            "reached by too few invitations to publish is shown as Suppressed."
        ],
        max_adjustment=max(by_group.disclosure.max_adjustment, total.disclosure.max_adjustment),
    )
