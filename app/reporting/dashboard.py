"""The analysts' dashboard: figures, tables and chart specs assembled from the aggregates.

Tables are the primary presentation (every chart has one, with the same figures and a CSV
link); charts are Vega-Lite specs drawn in the browser by /static/js/charts.mjs. Every figure is
a published cell of the aggregates API (the same numbers as its CSV); a suppressed cell is shown
as "Suppressed" and left out of its chart, and a low-base cell says so: nothing here derives a
hidden figure.

This module assembles the page's figures; its filters are read in dashboard_filters, its
charts drawn in dashboard_charts, and the text, cells and tables it shares with the quarterly
report live in figure_text and figure_tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session

from app.reporting.aggregates import AggregateResult, MetricCell, aggregate_metric
from app.reporting.dashboard_charts import interval_chart, key_measures_chart
from app.reporting.dashboard_filters import MODE_LABELS, DashboardFilters
from app.reporting.disclosure import LOW_BASE_TEXT, Disclosure, configured_min_cell
from app.reporting.figure_tables import ChartTable, funnel_results, funnel_table, victims_code_table
from app.reporting.figure_text import (
    CRIME_GROUP_LABELS,
    METRIC_HEAD,
    NO_RESPONSES,
    NUMERIC,
    SUPPRESSED,
    TOUCHPOINT_LABELS,
    crime_group_label,
    interval_text,
    metric_cells,
    metric_title,
    percent,
    text_cell,
    touchpoint_label,
)
from app.reporting.victims_code import victims_code_view

# The figures a board asks about first, in the order the dashboard and report show them.
HEADLINE_METRICS: tuple[str, ...] = (
    "satisfaction.overall",
    "satisfaction.kept_informed",
    "procedural_justice.respect",
    "procedural_justice.voice",
    "confidence",
    "report_again",
    "feel_safe",
    "retraumatisation",
    "attrition",
)


def _cell_for(result: AggregateResult, dimension: str, value: str) -> MetricCell | None:
    for cell in result.cells:
        if cell.group.get(dimension) == value:
            return cell
    return None


def _total(result: AggregateResult) -> MetricCell | None:
    return result.cells[0] if result.cells else None


def _aggregate(
    session: Session, filters: DashboardFilters, metric_id: str, group_by: list[str]
) -> AggregateResult:
    return aggregate_metric(
        session,
        metric_id,
        group_by=group_by,
        filters=filters.aggregate_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )


def _csv_link(url: str, what: str) -> Markup:
    return Markup(
        '<a class="govuk-link" href="{}">CSV<span class="govuk-visually-hidden"> of {}</span></a>'
    ).format(url, what)


def _quarter_cell(cell: MetricCell | None) -> dict[str, Any]:
    """One measure in one quarter: rate and interval in a single cell."""
    if cell is None:
        return {"text": NO_RESPONSES, "classes": f"{NUMERIC} app-suppressed"}
    if cell.suppressed:
        return {"text": SUPPRESSED, "classes": f"{NUMERIC} app-suppressed"}
    text = f"{percent(cell.rate)} ({interval_text(cell.ci_low, cell.ci_high)})"
    if cell.low_base:
        text += f", {LOW_BASE_TEXT}"
    return text_cell(text, numeric=True)


def headline_table(session: Session, filters: DashboardFilters) -> ChartTable:
    rows: list[list[dict[str, Any]]] = []
    max_adjustment = 0
    for metric_id in HEADLINE_METRICS:
        result = _aggregate(session, filters, metric_id, [])
        max_adjustment = max(max_adjustment, result.disclosure.max_adjustment)
        title = metric_title(metric_id)
        if result.lower_is_better:
            title += " (lower is better)"
        csv_url = f"/api/v1/aggregates/{metric_id}?{filters.api_query(format='csv')}"
        link = _csv_link(csv_url, title)
        rows.append([{"text": title}, *metric_cells(_total(result)), {"html": link}])
    return ChartTable(
        id="headline",
        title="Headline figures",
        caption=f"Headline figures, {filters.description()}",
        head=[{"text": "Measure"}, *METRIC_HEAD, {"text": "Data"}],
        rows=rows,
        csv_url="",
        max_adjustment=max_adjustment,
    )


def key_measures_table(session: Session, filters: DashboardFilters) -> ChartTable:
    """The headline measures side by side, quarter by quarter."""
    quarters = filters.quarters()
    rows: list[list[dict[str, Any]]] = []
    series: list[tuple[str, list[tuple[str, MetricCell | None]]]] = []
    max_adjustment = 0
    for metric_id in HEADLINE_METRICS:
        result = _aggregate(session, filters, metric_id, ["quarter"])
        max_adjustment = max(max_adjustment, result.disclosure.max_adjustment)
        title = metric_title(metric_id)
        pairs = [(label, _cell_for(result, "quarter", label)) for label in quarters]
        series.append((title, pairs))
        cells = [_quarter_cell(cell) for _label, cell in pairs]
        csv_url = f"/api/v1/aggregates/{metric_id}?" + filters.api_query(
            group_by="quarter", format="csv"
        )
        link = _csv_link(csv_url, f"{title} by quarter")
        label = title + (" (lower is better)" if result.lower_is_better else "")
        rows.append([{"text": label}, *cells, {"html": link}])
    return ChartTable(
        id="key-measures",
        title="Headline measures by quarter",
        caption=f"Headline measures by quarter: rate (95% interval), {filters.description()}",
        head=[
            {"text": "Measure"},
            *({"text": label, "format": "numeric"} for label in quarters),
            {"text": "Data"},
        ],
        rows=rows,
        csv_url="",
        chart=key_measures_chart(series, quarters),
        chart_label="Chart of the headline measures by quarter, with 95% intervals. "
        "The table below gives the same figures.",
        max_adjustment=max_adjustment,
    )


def over_time_table(session: Session, filters: DashboardFilters) -> ChartTable:
    result = _aggregate(session, filters, filters.metric, ["quarter"])
    quarters = filters.quarters()
    pairs = [(label, _cell_for(result, "quarter", label)) for label in quarters]
    title = metric_title(filters.metric)
    return ChartTable(
        id="over-time",
        title=f"{title}: by quarter",
        caption=f"{title} by quarter, {filters.description()}",
        head=[{"text": "Quarter"}, *METRIC_HEAD],
        rows=[[{"text": label}, *metric_cells(cell)] for label, cell in pairs],
        csv_url=(
            f"/api/v1/aggregates/{filters.metric}?"
            + filters.api_query(group_by="quarter", format="csv")
        ),
        chart=interval_chart(
            pairs, axis_title="Quarter", description=f"{title} by quarter with 95% intervals"
        ),
        chart_label=f"Chart of {title.lower()} by quarter, with 95% intervals. "
        "The table below gives the same figures.",
        max_adjustment=result.disclosure.max_adjustment,
    )


def by_group_table(session: Session, filters: DashboardFilters, dimension: str) -> ChartTable:
    labels = CRIME_GROUP_LABELS if dimension == "crime_group" else TOUCHPOINT_LABELS
    noun = "crime group" if dimension == "crime_group" else "touchpoint"
    result = _aggregate(session, filters, filters.metric, [dimension])
    chosen = getattr(filters, dimension)
    keys = [chosen] if chosen else list(labels)
    pairs = [(labels[key], _cell_for(result, dimension, key)) for key in keys]
    title = metric_title(filters.metric)
    return ChartTable(
        id=f"by-{dimension.replace('_', '-')}",
        title=f"{title}: by {noun}",
        caption=f"{title} by {noun}, {filters.description()}",
        head=[{"text": noun.capitalize()}, *METRIC_HEAD],
        rows=[[{"text": label}, *metric_cells(cell)] for label, cell in pairs],
        csv_url=(
            f"/api/v1/aggregates/{filters.metric}?"
            + filters.api_query(group_by=dimension, format="csv")
        ),
        chart=interval_chart(
            pairs,
            axis_title=noun.capitalize(),
            description=f"{title} by {noun} with 95% intervals",
        ),
        chart_label=f"Chart of {title.lower()} by {noun}, with 95% intervals. "
        "The table below gives the same figures.",
        max_adjustment=result.disclosure.max_adjustment,
    )


@dataclass
class Dashboard:
    filters: DashboardFilters
    min_cell: int
    figures: list[ChartTable]
    disclosure: Disclosure


def build_dashboard(session: Session, filters: DashboardFilters) -> Dashboard:
    """Every figure of the dashboard for these filters (raises InvalidInput on bad filters)."""
    view = victims_code_view(
        session,
        filters.period_from,
        filters.period_to,
        mode=filters.mode,
        crime_group=filters.crime_group,
        touchpoint=filters.touchpoint,
    )
    # Invitations have no mode: the funnel counts them all, whatever the mode chosen.
    funnel_caption = f"Invitations by crime group, {filters.description(invitations=True)}"
    if filters.mode:
        funnel_caption += " (all invitations: how a survey was answered is known only once sent)"
    figures = [
        headline_table(session, filters),
        key_measures_table(session, filters),
        over_time_table(session, filters),
        by_group_table(session, filters, "crime_group"),
        by_group_table(session, filters, "touchpoint"),
        victims_code_table(
            view,
            caption=f"Victims' Code rights, {filters.period_from} to {filters.period_to} "
            f"({crime_group_label(filters.crime_group).lower()}, "
            f"{touchpoint_label(filters.touchpoint).lower()}"
            + (f"; {MODE_LABELS[filters.mode].lower()})" if filters.mode else ")"),
            csv_url="/api/v1/aggregates/victims-code?"
            + urlencode(
                {
                    "from": filters.period_from,
                    "to": filters.period_to,
                    **{
                        name: value
                        for name, value in (
                            ("mode", filters.mode),
                            ("crime_group", filters.crime_group),
                            ("touchpoint", filters.touchpoint),
                        )
                        if value
                    },
                    "format": "csv",
                }
            ),
        ),
        funnel_table(
            *funnel_results(session, filters),
            filters,
            caption=funnel_caption,
        ),
    ]
    min_cell = configured_min_cell()
    return Dashboard(
        filters=filters,
        min_cell=min_cell,
        figures=figures,
        disclosure=Disclosure(
            min_cell=min_cell, max_adjustment=max(item.max_adjustment for item in figures)
        ),
    )
