"""Chart specs (Vega-Lite) of the dashboard's and the report's figures.

Every chart sits beside a table with the same figures, so a chart is decorative: suppressed
cells are left out of it (never drawn as zero) and it carries no ARIA tree of its own. The specs
are drawn in the browser by /static/js/charts.mjs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.banks.metrics import RIGHT_TITLES
from app.reporting.aggregates import MetricCell
from app.reporting.figure_text import STAGE_LABELS
from app.reporting.funnel import STAGE_NAMES, FunnelCell
from app.reporting.victims_code import VictimsCodeView

# GOV.UK Frontend colours: blue for what victims say, dark grey for the force's own view.
VICTIM_COLOUR = "#1d70b8"
FORCE_COLOUR = "#505a5f"
TEXT_COLOUR = "#0b0c0c"
CHART_FONT = "arial, sans-serif"


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


def _interval_layers(axis_title: str) -> list[dict[str, Any]]:
    """The interval as a rule and the rate as a point, with a tooltip naming the group."""
    rate_axis = {"format": "%", "title": "Rate (95% interval)"}
    return [
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
    ]


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
            "layer": _interval_layers(axis_title),
        }
    )
    return spec


def _victims_code_layers() -> list[dict[str, Any]]:
    """Bars of both rates, with the victims' 95% interval drawn across their bar."""
    return [
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
    ]


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
            "layer": _victims_code_layers(),
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


def _key_measures_layers() -> list[dict[str, Any]]:
    """Each measure's intervals as faint rules under its line of rates."""
    return [
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
    ]


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
            "layer": _key_measures_layers(),
        }
    )
    return spec
