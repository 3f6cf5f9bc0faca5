"""The board report's sections as GOV.UK tables and charts: each priority by crime group, who
was not heard, and the caveats every reader should see.

Every figure has its 95% interval and a low-base flag; a suppressed figure reads "Suppressed"
and no chart bar is drawn for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.banks.metrics import MODE_CAVEAT, get_metric
from app.reporting.board_sections import ALL_GROUPS, BoardSection, MeasureRows, WithdrawnCell
from app.reporting.board_svg import Bar, alt_text, bar_chart_svg, data_uri
from app.reporting.figure_text import (
    CRIME_GROUP_LABELS,
    count_text,
    interval_text,
    percent,
    suppressed_cell,
    text_cell,
)
from app.reporting.funnel import FunnelCell
from app.reporting.skipped import SKIP_REASONS, SkippedResult

MEASURE_HEAD = [
    {"text": "Crime group"},
    {"text": "Rate", "format": "numeric"},
    {"text": "95% interval", "format": "numeric"},
    {"text": "Responses", "format": "numeric"},
]
SKIP_REASON_LABELS = {
    "under_18": "Under 18",
    "not_safe_to_contact": "Not safe to contact",
    "no_consent": "No consent to contact",
    "opted_out": "Opted out",
    "duplicate": "Already invited (duplicate)",
    "cooling_off": "Invited recently (cooling-off)",
    "stage_allocation": "Another stage of the case was asked",
}


def group_label(group: str) -> str:
    return "All crime groups" if group == ALL_GROUPS else CRIME_GROUP_LABELS.get(group, group)


@dataclass
class BoardFigure:
    """One measure of a section: its chart (SVG data URI + alt text) and its table."""

    id: str
    title: str
    caption: str
    head: list[dict[str, Any]]
    rows: list[list[dict[str, Any]]]
    chart_src: str = ""
    chart_alt: str = ""
    notes: list[str] = field(default_factory=list)


def measure_figure(measure: MeasureRows, period: str) -> BoardFigure:
    title = measure.title + (" (lower is better)" if measure.lower_is_better else "")
    rows: list[list[dict[str, Any]]] = []
    bars: list[Bar] = []
    for group, cell in measure.by_group:
        label = group_label(group)
        if cell.suppressed or cell.rate is None:
            rows.append([{"text": label}, suppressed_cell(3)])
            bars.append(Bar(label, None, None, None))
            continue
        rows.append(
            [
                {"text": label},
                text_cell(percent(cell.rate), numeric=True),
                text_cell(interval_text(cell.ci_low, cell.ci_high), numeric=True),
                text_cell(count_text(cell.n, low_base=bool(cell.low_base)), numeric=True),
            ]
        )
        bars.append(Bar(label, cell.rate, cell.ci_low, cell.ci_high, bool(cell.low_base)))
    metric = get_metric(measure.metric_id)
    return BoardFigure(
        id=measure.metric_id.replace(".", "-").replace("_", "-"),
        title=title,
        caption=f"{title} by crime group, {period}",
        head=MEASURE_HEAD,
        rows=rows,
        chart_src=data_uri(bar_chart_svg(bars)) if any(b.rate is not None for b in bars) else "",
        chart_alt=alt_text(title, bars),
        notes=[f"Comparable with: {item}." for item in metric.comparable_with] if metric else [],
    )


WITHDRAWN_HEAD = [
    {"text": "Crime group"},
    {"text": "Cases withdrawn by the victim", "format": "numeric"},
    {"text": "Share of invitations", "format": "numeric"},
]


def withdrawn_figure(
    cells: list[WithdrawnCell], funnel_cells: list[FunnelCell], period: str
) -> BoardFigure:
    """The force's victim-withdrawn outcomes beside the survey's attrition (no interval: a count
    of all such cases, not a sample), with their share of the group's invitations."""
    invited = {
        str(cell.group.get("crime_group", ALL_GROUPS)) if cell.group else ALL_GROUPS: cell.invited
        for cell in funnel_cells
        if not cell.suppressed
    }
    rows: list[list[dict[str, Any]]] = []
    for cell in cells:
        label = group_label(cell.crime_group)
        if cell.suppressed or cell.count is None:
            rows.append([{"text": label}, suppressed_cell(2)])
            continue
        base = invited.get(cell.crime_group)
        share = percent(cell.count / base) if base else "Not available"
        rows.append(
            [
                {"text": label},
                text_cell(count_text(cell.count, low_base=bool(cell.low_base)), numeric=True),
                text_cell(share, numeric=True),
            ]
        )
    return BoardFigure(
        id="victim-withdrawn",
        title="Cases the force records as withdrawn by the victim",
        caption=f"Invitations with a victim-withdrawn outcome by crime group, {period} "
        "(force data)",
        head=WITHDRAWN_HEAD,
        rows=rows,
        notes=[
            "From the outcome the force gives with each invitation (victim declines or withdraws "
            "support). A count of the force's records, not a survey figure: it has no interval."
        ],
    )


def section_figures(
    section: BoardSection, period: str, funnel_cells: list[FunnelCell]
) -> list[BoardFigure]:
    figures = [measure_figure(measure, period) for measure in section.measures]
    if section.priority.id == "attrition":
        figures.append(withdrawn_figure(section.withdrawn, funnel_cells, period))
    return figures


# --- who was not heard ----------------------------------------------------------------------

SKIPPED_HEAD = [{"text": "Reason not invited"}, {"text": "Rows", "format": "numeric"}]


def skipped_figure(result: SkippedResult, period: str) -> BoardFigure:
    by_reason = {cell.group.get("reason"): cell for cell in result.cells}
    rows: list[list[dict[str, Any]]] = []
    for reason in SKIP_REASONS:
        cell = by_reason.get(reason)
        label = {"text": SKIP_REASON_LABELS.get(reason, reason)}
        if cell is None or cell.suppressed or cell.skipped is None:
            rows.append([label, suppressed_cell(1)])
        else:
            rows.append([label, text_cell(count_text(cell.skipped), numeric=True)])
    return BoardFigure(
        id="not-invited",
        title="Victims not invited, by reason",
        caption=f"Rows of the force's uploads not invited, by reason, {period}",
        head=SKIPPED_HEAD,
        rows=rows,
    )


# --- caveats --------------------------------------------------------------------------------

TIMING_CAVEAT = (
    "Timing: victims are asked a few days after each stage of their case (reporting, "
    "investigation, outcome, court, sentence), so a quarter mixes stages; a figure describes "
    "the stages asked that quarter, not every victim's whole journey."
)
COVERAGE_CAVEAT = (
    "Coverage: only victims the force uploaded, who are 18 or over, agreed to contact and were "
    "safe to contact are asked; those not invited are counted above by reason. Response rates "
    "differ by crime group, and those who answer may differ from those who do not."
)


def caveats(sections: list[BoardSection]) -> list[str]:
    """Mode (from each board metric's caveats), timing and coverage, without repeats."""
    found: list[str] = [MODE_CAVEAT]
    for section in sections:
        for measure in section.measures:
            metric = get_metric(measure.metric_id)
            found += list(metric.caveats) if metric else []
    return [*dict.fromkeys(found), TIMING_CAVEAT, COVERAGE_CAVEAT]
