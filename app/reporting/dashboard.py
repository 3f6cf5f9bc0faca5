"""The analysts' dashboard: figures, tables and chart specs assembled from the aggregates.

Tables are the primary presentation (every chart has one, with the same figures and a CSV
link); charts are Vega-Lite specs drawn in the browser by /static/js/charts.mjs. Every figure is
a published cell of the aggregates API (the same numbers as its CSV); a suppressed cell is shown
as "Suppressed" and left out of its chart, and a low-base cell says so: nothing here derives a
hidden figure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from markupsafe import Markup
from sqlmodel import Session

from app.banks.metrics import METRICS, RIGHT_TITLES, get_metric
from app.enums import CrimeGroup, Touchpoint
from app.reporting import periods
from app.reporting.aggregates import AggregateResult, MetricCell, aggregate_metric
from app.reporting.disclosure import LOW_BASE, LOW_BASE_TEXT, Disclosure, configured_min_cell
from app.reporting.funnel import STAGE_NAMES, FunnelCell, FunnelResult, funnel
from app.reporting.offered import OTHER_AREAS
from app.reporting.victims_code import VictimsCodeView, victims_code_view

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
DEFAULT_METRIC = "satisfaction.overall"
DEFAULT_QUARTERS = 4

CRIME_GROUP_LABELS: dict[str, str] = {
    "general": "General crime",
    "rasso": "Rape and serious sexual offences",
    "vawg": "Violence against women and girls",
}
TOUCHPOINT_LABELS: dict[str, str] = {
    "reporting": "Reporting",
    "investigation": "Investigation",
    "outcome": "Outcome",
    "court": "Court",
}
STAGE_LABELS: dict[str, str] = {
    "invited": "Invited",
    "sent": "Sent",
    "delivered": "Delivered",
    "opened": "Opened",
    "started": "Started",
    "completed": "Completed",
    "withdrawn": "Withdrawn",
}
SUPPRESSED = "Suppressed"
NO_RESPONSES = "No responses"

# GOV.UK Frontend colours: blue for what victims say, dark grey for the force's own view.
VICTIM_COLOUR = "#1d70b8"
FORCE_COLOUR = "#505a5f"
TEXT_COLOUR = "#0b0c0c"
CHART_FONT = "arial, sans-serif"


# --- formatting -----------------------------------------------------------------------------


def percent(value: float | None) -> str:
    """0.7234 → "72%"; None → "" (callers decide what a missing figure says)."""
    return "" if value is None else f"{value * 100:.0f}%"


def interval_text(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return ""
    return f"{percent(low)} to {percent(high)}"


def points(change: float | None) -> str:
    """A difference of two rates in percentage points: "+3 points", "−5 points", "no change"."""
    if change is None:
        return ""
    value = round(change * 100)
    if value == 0:
        return "no change"
    sign = "+" if value > 0 else "\u2212"
    unit = "point" if abs(value) == 1 else "points"
    return f"{sign}{abs(value)} {unit}"


def count_text(value: int | None, *, low_base: bool | None = None) -> str:
    """1234 → "1,234"; a low-base count says so."""
    if value is None:
        return ""
    return f"{value:,} ({LOW_BASE_TEXT})" if low_base else f"{value:,}"


def crime_group_label(value: str | None) -> str:
    return "All crime groups" if value is None else CRIME_GROUP_LABELS.get(value, value)


def touchpoint_label(value: str | None) -> str:
    return "All touchpoints" if value is None else TOUCHPOINT_LABELS.get(value, value)


def metric_title(metric_id: str) -> str:
    metric = get_metric(metric_id)
    return metric.title if metric else metric_id


# --- table cells for the GOV.UK table macro -------------------------------------------------

NUMERIC = "govuk-table__cell--numeric app-table__numeric"


def text_cell(text: str, *, numeric: bool = False) -> dict[str, str]:
    cell = {"text": text}
    if numeric:
        cell["classes"] = NUMERIC
    return cell


def suppressed_cell(colspan: int = 1) -> dict[str, Any]:
    cell: dict[str, Any] = {"text": SUPPRESSED, "classes": "app-suppressed"}
    if colspan > 1:
        cell["colspan"] = colspan
    return cell


def metric_cells(cell: MetricCell | None) -> list[dict[str, Any]]:
    """Rate, 95% interval and n of one aggregate cell: three table cells."""
    if cell is None:
        return [{"text": NO_RESPONSES, "colspan": 3, "classes": "app-suppressed"}]
    if cell.suppressed:
        return [suppressed_cell(3)]
    return [
        text_cell(percent(cell.rate), numeric=True),
        text_cell(interval_text(cell.ci_low, cell.ci_high), numeric=True),
        text_cell(count_text(cell.n, low_base=cell.low_base), numeric=True),
    ]


METRIC_HEAD = [
    {"text": "Rate", "format": "numeric"},
    {"text": "95% interval", "format": "numeric"},
    {"text": "Responses", "format": "numeric"},
]


# --- filters --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    period_from: str
    period_to: str
    crime_group: str | None = None
    touchpoint: str | None = None
    area: str | None = None
    metric: str = DEFAULT_METRIC

    def aggregate_filters(self) -> dict[str, str | None]:
        return {"crime_group": self.crime_group, "touchpoint": self.touchpoint, "area": self.area}

    def api_query(self, **extra: str) -> str:
        """Query string for the aggregates API with these filters (and `extra`)."""
        values: dict[str, str] = {"from": self.period_from, "to": self.period_to}
        values.update({k: v for k, v in self.aggregate_filters().items() if v})
        values.update(extra)
        return urlencode(values)

    def description(self) -> str:
        parts = [f"{self.period_from} to {self.period_to}"]
        if self.crime_group:
            parts.append(crime_group_label(self.crime_group))
        if self.touchpoint:
            parts.append(touchpoint_label(self.touchpoint))
        if self.area:
            parts.append(f"area {self.area}")
        return ", ".join(parts)


def quarter_label_offset(label: str, offset: int) -> str:
    """`2026-Q3` moved by `offset` quarters: (2026-Q3, -1) → 2026-Q2."""
    first, _last = periods.parse_quarter(label)
    index = first.year * 4 + (first.month - 1) // 3 + offset
    return f"{index // 4:04d}-Q{index % 4 + 1}"


def default_period(today: date) -> tuple[str, str]:
    """The last four calendar quarters, this one included."""
    current = periods.quarter_label(today)
    return quarter_label_offset(current, -(DEFAULT_QUARTERS - 1)), current


def parse_dashboard_filters(
    params: Mapping[str, str], today: date
) -> tuple[DashboardFilters, list[dict[str, str]]]:
    """Filters from the GET form; invalid values fall back to defaults with an error each."""
    errors: list[dict[str, str]] = []
    default_from, default_to = default_period(today)
    period_from = (params.get("from") or "").strip() or default_from
    period_to = (params.get("to") or "").strip() or default_to
    first = last = None
    try:
        first = periods.parse_period(period_from)[0]
    except ValueError:
        errors.append({"text": "Enter a start like 2026-Q1 or 2026-01", "href": "#from"})
        period_from = default_from
    try:
        last = periods.parse_period(period_to)[1]
    except ValueError:
        errors.append({"text": "Enter an end like 2026-Q4 or 2026-12", "href": "#to"})
        period_to = default_to
    if first and last and first > last:
        errors.append({"text": "The start must be before the end", "href": "#from"})
        period_from, period_to = default_from, default_to
    elif (
        first
        and last
        and periods.financial_years_spanned(first, last) > periods.MAX_FINANCIAL_YEARS
    ):
        errors.append(
            {
                "text": f"Choose a period of at most {periods.MAX_FINANCIAL_YEARS} financial "
                "years (April to March)",
                "href": "#from",
            }
        )
        period_from, period_to = default_from, default_to
    crime_group = params.get("crime_group") or None
    if crime_group and crime_group not in CrimeGroup.__members__:
        errors.append({"text": "Choose a crime group from the list", "href": "#crime_group"})
        crime_group = None
    touchpoint = params.get("touchpoint") or None
    if touchpoint and touchpoint not in Touchpoint.__members__:
        errors.append({"text": "Choose a touchpoint from the list", "href": "#touchpoint"})
        touchpoint = None
    area = (params.get("area") or "").strip() or None
    if (
        area
        and area != OTHER_AREAS
        and (len(area) > 32 or not area.replace("-", "").replace("_", "").isalnum())
    ):
        errors.append({"text": "Enter an area code of letters and numbers", "href": "#area"})
        area = None
    metric = params.get("metric") or DEFAULT_METRIC
    if get_metric(metric) is None:
        errors.append({"text": "Choose a measure from the list", "href": "#metric"})
        metric = DEFAULT_METRIC
    filters = DashboardFilters(
        period_from=period_from,
        period_to=period_to,
        crime_group=crime_group,
        touchpoint=touchpoint,
        area=area,
        metric=metric,
    )
    return filters, errors


def filter_options(filters: DashboardFilters) -> dict[str, list[dict[str, Any]]]:
    """Items for the filter form's selects, with the current choice selected."""

    def items(
        pairs: Sequence[tuple[str, str]], chosen: str | None, blank: str | None
    ) -> list[dict[str, Any]]:
        result = [{"value": "", "text": blank, "selected": chosen is None}] if blank else []
        result += [{"value": v, "text": t, "selected": v == chosen} for v, t in pairs]
        return result

    return {
        "crime_group": items(list(CRIME_GROUP_LABELS.items()), filters.crime_group, "All"),
        "touchpoint": items(list(TOUCHPOINT_LABELS.items()), filters.touchpoint, "All"),
        "metric": items([(m.id, m.title) for m in METRICS], filters.metric, None),
    }


# --- chart specs (Vega-Lite) ----------------------------------------------------------------


def _base_spec(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "width": "container",
        "autosize": {"type": "fit-x", "contains": "padding"},
        "config": {
            # The chart is decorative beside its table: no ARIA tree inside the SVG.
            "aria": False,
            "font": CHART_FONT,
            "axis": {"labelFontSize": 14, "titleFontSize": 14, "labelColor": TEXT_COLOUR},
            "legend": {"labelFontSize": 14, "titleFontSize": 14},
            "view": {"stroke": None},
        },
    }


def interval_chart(
    rows: Sequence[tuple[str, MetricCell | None]], *, axis_title: str, description: str
) -> dict[str, Any] | None:
    """A point per group with its 95% interval as a bar; suppressed groups left out."""
    values = [
        {
            "label": label,
            "rate": cell.rate,
            "ci_low": cell.ci_low,
            "ci_high": cell.ci_high,
            "n": cell.n,
        }
        for label, cell in rows
        if cell is not None and not cell.suppressed and cell.rate is not None
    ]
    if not values:
        return None
    order = [label for label, _ in rows]
    rate_axis = {"format": "%", "title": "Rate (95% interval)"}
    spec = _base_spec(description)
    spec.update(
        {
            "height": 260,
            "data": {"values": values},
            "encoding": {
                "x": {
                    "field": "label",
                    "type": "ordinal",
                    "sort": order,
                    "title": axis_title,
                    "axis": {"labelAngle": 0},
                }
            },
            "layer": [
                {
                    "mark": {"type": "rule", "color": VICTIM_COLOUR, "strokeWidth": 3},
                    "encoding": {
                        "y": {
                            "field": "ci_low",
                            "type": "quantitative",
                            "scale": {"domain": [0, 1]},
                            "axis": rate_axis,
                        },
                        "y2": {"field": "ci_high"},
                    },
                },
                {
                    "mark": {"type": "point", "filled": True, "size": 120, "color": TEXT_COLOUR},
                    "encoding": {
                        "y": {"field": "rate", "type": "quantitative"},
                        "tooltip": [
                            {"field": "label", "title": axis_title},
                            {"field": "rate", "format": ".0%", "title": "Rate"},
                            {"field": "ci_low", "format": ".0%", "title": "From"},
                            {"field": "ci_high", "format": ".0%", "title": "To"},
                            {"field": "n", "title": "Responses"},
                        ],
                    },
                },
            ],
        }
    )
    return spec


def victims_code_chart(view: VictimsCodeView) -> dict[str, Any] | None:
    """Per right: victims' rate (with interval) beside the force's self-assessed rate."""
    values: list[dict[str, Any]] = []
    for row in view.rights:
        label = f"Right {row.right}"
        if not row.suppressed and row.rate is not None:
            values.append(
                {
                    "right": label,
                    "source": "Victims",
                    "rate": row.rate,
                    "ci_low": row.ci_low,
                    "ci_high": row.ci_high,
                }
            )
        if row.force_rate is not None:
            values.append(
                {"right": label, "source": "Force self-assessment", "rate": row.force_rate}
            )
    if not values:
        return None
    spec = _base_spec("Victims' Code rights: victim-reported rate beside the force's own rate")
    spec.update(
        {
            "height": {"step": 22},
            "data": {"values": values},
            "encoding": {
                "y": {
                    "field": "right",
                    "type": "nominal",
                    "sort": [f"Right {number}" for number in RIGHT_TITLES],
                    "title": None,
                },
                "yOffset": {"field": "source", "sort": ["Victims", "Force self-assessment"]},
                "color": {
                    "field": "source",
                    "type": "nominal",
                    "sort": ["Victims", "Force self-assessment"],
                    "scale": {"range": [VICTIM_COLOUR, FORCE_COLOUR]},
                    "legend": {"orient": "bottom", "title": None},
                },
            },
            "layer": [
                {
                    "mark": {"type": "bar"},
                    "encoding": {
                        "x": {
                            "field": "rate",
                            "type": "quantitative",
                            "scale": {"domain": [0, 1]},
                            "axis": {"format": "%", "title": "Rate"},
                        },
                        "tooltip": [
                            {"field": "right", "title": "Right"},
                            {"field": "source", "title": "Source"},
                            {"field": "rate", "format": ".0%", "title": "Rate"},
                        ],
                    },
                },
                {
                    "transform": [{"filter": "datum.source === 'Victims'"}],
                    "mark": {"type": "rule", "color": TEXT_COLOUR, "strokeWidth": 2},
                    "encoding": {
                        "x": {"field": "ci_low", "type": "quantitative"},
                        "x2": {"field": "ci_high"},
                    },
                },
            ],
        }
    )
    return spec


def funnel_chart(cell: FunnelCell | None) -> dict[str, Any] | None:
    """Bars of how many invitations reached each stage (the unsuppressed total only)."""
    if cell is None or cell.suppressed:
        return None
    values = [
        {"stage": STAGE_LABELS[name], "count": getattr(cell, name)}
        for name in STAGE_NAMES
        if name != "withdrawn"
    ]
    spec = _base_spec("Invitations reaching each stage, from invited to completed")
    spec.update(
        {
            "height": 240,
            "data": {"values": values},
            "mark": {"type": "bar", "color": VICTIM_COLOUR},
            "encoding": {
                "x": {
                    "field": "stage",
                    "type": "ordinal",
                    "sort": [v["stage"] for v in values],
                    "title": None,
                    "axis": {"labelAngle": 0},
                },
                "y": {"field": "count", "type": "quantitative", "title": "Invitations"},
                "tooltip": [
                    {"field": "stage", "title": "Stage"},
                    {"field": "count", "title": "Invitations", "format": ","},
                ],
            },
        }
    )
    return spec


# --- assembling the page --------------------------------------------------------------------


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


def _cell_for(result: AggregateResult, dimension: str, value: str) -> MetricCell | None:
    for cell in result.cells:
        if cell.group.get(dimension) == value:
            return cell
    return None


def _total(result: AggregateResult) -> MetricCell | None:
    return result.cells[0] if result.cells else None


def headline_table(session: Session, filters: DashboardFilters) -> ChartTable:
    rows: list[list[dict[str, Any]]] = []
    max_adjustment = 0
    for metric_id in HEADLINE_METRICS:
        result = aggregate_metric(
            session,
            metric_id,
            group_by=[],
            filters=filters.aggregate_filters(),
            period_from=filters.period_from,
            period_to=filters.period_to,
        )
        max_adjustment = max(max_adjustment, result.disclosure.max_adjustment)
        title = metric_title(metric_id)
        if result.lower_is_better:
            title += " (lower is better)"
        csv_url = f"/api/v1/aggregates/{metric_id}?{filters.api_query(format='csv')}"
        link = Markup(
            '<a class="govuk-link" href="{}">CSV<span class="govuk-visually-hidden"> of {}'
            "</span></a>"
        ).format(csv_url, title)
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


def key_measures_chart(
    series: Sequence[tuple[str, Sequence[tuple[str, MetricCell | None]]]], quarters: Sequence[str]
) -> dict[str, Any] | None:
    """One line per measure across the quarters, with each point's 95% interval."""
    values = [
        {
            "measure": title,
            "quarter": label,
            "rate": cell.rate,
            "ci_low": cell.ci_low,
            "ci_high": cell.ci_high,
        }
        for title, pairs in series
        for label, cell in pairs
        if cell is not None and not cell.suppressed and cell.rate is not None
    ]
    if not values:
        return None
    measures = [title for title, _ in series]
    spec = _base_spec("Headline measures by quarter with 95% intervals")
    spec.update(
        {
            "height": 300,
            "data": {"values": values},
            "encoding": {
                "x": {
                    "field": "quarter",
                    "type": "ordinal",
                    "sort": list(quarters),
                    "title": "Quarter",
                    "axis": {"labelAngle": 0},
                },
                "color": {
                    "field": "measure",
                    "type": "nominal",
                    "sort": measures,
                    "title": None,
                    "legend": {"orient": "bottom", "columns": 2, "labelLimit": 400},
                },
            },
            "layer": [
                {
                    "mark": {"type": "rule", "strokeWidth": 2, "opacity": 0.6},
                    "encoding": {
                        "y": {"field": "ci_low", "type": "quantitative"},
                        "y2": {"field": "ci_high"},
                    },
                },
                {
                    "mark": {"type": "line", "point": {"filled": True, "size": 60}},
                    "encoding": {
                        "y": {
                            "field": "rate",
                            "type": "quantitative",
                            "scale": {"domain": [0, 1]},
                            "axis": {"format": "%", "title": "Rate (95% interval)"},
                        },
                        "tooltip": [
                            {"field": "measure", "title": "Measure"},
                            {"field": "quarter", "title": "Quarter"},
                            {"field": "rate", "format": ".0%", "title": "Rate"},
                        ],
                    },
                },
            ],
        }
    )
    return spec


def key_measures_table(session: Session, filters: DashboardFilters) -> ChartTable:
    """The headline measures side by side, quarter by quarter."""
    first = periods.parse_period(filters.period_from)[0]
    last = periods.parse_period(filters.period_to)[1]
    quarters = periods.quarters_between(first, last)
    rows: list[list[dict[str, Any]]] = []
    series: list[tuple[str, list[tuple[str, MetricCell | None]]]] = []
    max_adjustment = 0
    for metric_id in HEADLINE_METRICS:
        result = aggregate_metric(
            session,
            metric_id,
            group_by=["quarter"],
            filters=filters.aggregate_filters(),
            period_from=filters.period_from,
            period_to=filters.period_to,
        )
        max_adjustment = max(max_adjustment, result.disclosure.max_adjustment)
        title = metric_title(metric_id)
        pairs = [(label, _cell_for(result, "quarter", label)) for label in quarters]
        series.append((title, pairs))
        cells: list[dict[str, Any]] = []
        for _label, cell in pairs:
            if cell is None:
                cells.append({"text": "No responses", "classes": f"{NUMERIC} app-suppressed"})
            elif cell.suppressed:
                cells.append({"text": SUPPRESSED, "classes": f"{NUMERIC} app-suppressed"})
            else:
                text = f"{percent(cell.rate)} ({interval_text(cell.ci_low, cell.ci_high)})"
                if cell.low_base:
                    text += f", {LOW_BASE_TEXT}"
                cells.append(text_cell(text, numeric=True))
        csv_url = f"/api/v1/aggregates/{metric_id}?" + filters.api_query(
            group_by="quarter", format="csv"
        )
        link = Markup(
            '<a class="govuk-link" href="{}">CSV<span class="govuk-visually-hidden"> of {} '
            "by quarter</span></a>"
        ).format(csv_url, title)
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
    result = aggregate_metric(
        session,
        filters.metric,
        group_by=["quarter"],
        filters=filters.aggregate_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )
    first = periods.parse_period(filters.period_from)[0]
    last = periods.parse_period(filters.period_to)[1]
    quarters = periods.quarters_between(first, last)
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
    result = aggregate_metric(
        session,
        filters.metric,
        group_by=[dimension],
        filters=filters.aggregate_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )
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


VICTIMS_CODE_HEAD = [
    {"text": "Right"},
    {"text": "Victims say", "format": "numeric"},
    {"text": "95% interval", "format": "numeric"},
    {"text": "Responses", "format": "numeric"},
    {"text": "Force self-assessment", "format": "numeric"},
    {"text": "Gap", "format": "numeric"},
]


def victims_code_rows(view: VictimsCodeView) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for row in view.rights:
        right = {"text": f"{row.right}. {row.title}"}
        force = text_cell(percent(row.force_rate) or "Not given", numeric=True)
        if row.suppressed:
            victims: list[dict[str, Any]] = [suppressed_cell(3)]
            gap = text_cell("", numeric=True)
        else:
            victims = [
                text_cell(percent(row.rate), numeric=True),
                text_cell(interval_text(row.ci_low, row.ci_high), numeric=True),
                text_cell(count_text(row.n, low_base=row.low_base), numeric=True),
            ]
            # No gap is drawn from a low-base figure.
            gap = text_cell("Not compared" if row.low_base else points(row.gap), numeric=True)
        rows.append([right, *victims, force, gap])
    return rows


def victims_code_table(view: VictimsCodeView, caption: str, csv_url: str) -> ChartTable:
    return ChartTable(
        id="victims-code",
        title="Victims' Code: what victims say and what the force says",
        caption=caption,
        head=VICTIMS_CODE_HEAD,
        rows=victims_code_rows(view),
        csv_url=csv_url,
        chart=victims_code_chart(view),
        chart_label="Chart of each Victims' Code right: the share of victims who said they "
        "received it beside the force's self-assessed rate. The table below gives the same "
        "figures.",
        notes=[
            "Gap is the victims' rate minus the force's rate, in percentage points: a negative "
            "gap means victims report the right less often than the force believes it delivers. "
            f"No gap is given for a right with fewer than {LOW_BASE} responses (low base)."
        ],
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
        filters=filters.aggregate_filters(),
        period_from=filters.period_from,
        period_to=filters.period_to,
    )
    total = funnel(
        session,
        group_by=[],
        filters=filters.aggregate_filters(),
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
        + filters.api_query(group_by="crime_group", format="csv"),
        chart=funnel_chart(total.cells[0] if total.cells else None),
        chart_label="Chart of how many invitations reached each stage, from invited to "
        "completed. The table below gives the same figures.",
        notes=[
            "Response rate is completed surveys as a share of invitations sent. A stage "
            "reached by too few invitations to publish is shown as Suppressed."
        ],
        max_adjustment=max(by_group.disclosure.max_adjustment, total.disclosure.max_adjustment),
    )


@dataclass
class Dashboard:
    filters: DashboardFilters
    min_cell: int
    figures: list[ChartTable]
    disclosure: Disclosure


def build_dashboard(session: Session, filters: DashboardFilters) -> Dashboard:
    """Every figure of the dashboard for these filters (raises InvalidInput on bad filters)."""
    view = victims_code_view(session, filters.period_from, filters.period_to)
    figures = [
        headline_table(session, filters),
        key_measures_table(session, filters),
        over_time_table(session, filters),
        by_group_table(session, filters, "crime_group"),
        by_group_table(session, filters, "touchpoint"),
        victims_code_table(
            view,
            caption=f"Victims' Code rights, {filters.period_from} to {filters.period_to} "
            "(all crime groups and touchpoints)",
            csv_url="/api/v1/aggregates/victims-code?"
            + urlencode({"from": filters.period_from, "to": filters.period_to, "format": "csv"}),
        ),
        funnel_table(
            *funnel_results(session, filters),
            filters,
            caption=f"Invitations by crime group, {filters.description()}",
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
