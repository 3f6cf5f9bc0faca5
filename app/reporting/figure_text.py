"""How a published figure reads: rates, intervals, counts, labels and GOV.UK table cells.

Shared by the dashboard, the quarterly report and the staff pages. A suppressed cell reads
"Suppressed" and a low-base count says so (LOW_BASE_TEXT): nothing here derives a hidden figure.
"""

from __future__ import annotations

from typing import Any

from app.banks.metrics import get_metric
from app.crime_groups import crime_group_title
from app.enums import CRIME_GROUPS
from app.reporting.aggregates import MetricCell
from app.reporting.disclosure import LOW_BASE_TEXT

# The titles of question_banks/crime_groups.yaml.
CRIME_GROUP_LABELS: dict[str, str] = {slug: crime_group_title(slug) for slug in CRIME_GROUPS}
TOUCHPOINT_LABELS: dict[str, str] = {
    "reporting": "Reporting",
    "investigation": "Investigation",
    "outcome": "Outcome",
    "court": "Court",
    "sentence": "Sentence",
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
