"""The quarterly report: an OPCC board statement for one calendar quarter.

Headline figures with their intervals and the change on the last quarter, a section per board
priority by crime group (app.reporting.board_sections), the Victims' Code comparison, who was not
heard (the invitation funnel and the rows not invited, by reason), the caveats of mode, timing
and coverage, what victims said (quotable redacted comments from large enough
groups, by theme) and "you said, we did". The same figures go into the CSV pack
(`report_pack`): every one is a published cell of the aggregates API. Suppressed figures stay
suppressed, and a low-base figure (published n below 50) says so: a change, a gap or the
"widest gap" is given only between figures that are shown and not low base.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from app import clock
from app.db import read_only
from app.errors import InvalidInput
from app.reporting import actions, comment_quotes, comments, parameters, periods
from app.reporting.aggregates import MetricCell, aggregate_metric
from app.reporting.board_sections import BoardSection, board_sections, max_adjustment
from app.reporting.board_tables import BoardFigure, caveats, section_figures, skipped_figure
from app.reporting.comment_quotes import ThemeQuotes
from app.reporting.dashboard_filters import DashboardFilters
from app.reporting.disclosure import LOW_BASE_TEXT, Disclosure, configured_min_cell
from app.reporting.figure_tables import ChartTable, funnel_results, funnel_table, victims_code_table
from app.reporting.figure_text import (
    SUPPRESSED,
    count_text,
    interval_text,
    metric_title,
    percent,
    points,
    suppressed_cell,
    text_cell,
)
from app.reporting.funnel import FunnelCell
from app.reporting.models import PublishedAction
from app.reporting.skipped import SkippedResult, skipped_rows
from app.reporting.victims_code import VictimsCodeView, victims_code_view

# The board's headline measures; the Victims' Code summary follows satisfaction.
REPORT_METRICS: tuple[str, ...] = (
    "satisfaction.overall",
    "report_again",
    "confidence",
    "retraumatisation",
    "attrition",
    "procedural_justice.trust",
    "feel_safe",
)
RIGHTS_SUMMARY_ID = "victims_code.rights"


@dataclass(frozen=True)
class HeadlineFigure:
    """One headline measure this quarter and last, with the change between them."""

    metric_id: str
    title: str
    lower_is_better: bool
    current: MetricCell | None  # None: no responses at all
    previous: MetricCell | None
    change: float | None  # rate difference (current − previous), both shown, else None
    judgement: str  # "better", "worse", "no clear change" or ""


def _shown(cell: MetricCell | None) -> bool:
    """Shown and not low base: a figure a change can be judged on."""
    return cell is not None and not cell.suppressed and not cell.low_base and cell.rate is not None


def judge_change(
    current: MetricCell | None, previous: MetricCell | None, *, lower_is_better: bool
) -> tuple[float | None, str]:
    """The change in rate and whether it is better, worse or within the intervals (pure).

    A change counts as better or worse only when the two 95% intervals do not overlap: a
    cautious reading that a board can rely on without a statistician in the room. No change is
    given when either figure is suppressed or low base.
    """
    if current is None or previous is None or not (_shown(current) and _shown(previous)):
        return None, ""
    assert current.rate is not None and previous.rate is not None
    change = current.rate - previous.rate
    assert current.ci_low is not None and current.ci_high is not None
    assert previous.ci_low is not None and previous.ci_high is not None
    overlap = current.ci_low <= previous.ci_high and previous.ci_low <= current.ci_high
    if overlap:
        return change, "no clear change"
    improved = change < 0 if lower_is_better else change > 0
    return change, "better" if improved else "worse"


@dataclass
class QuarterlyReport:
    period: str
    previous_period: str
    first_month: date
    last_month: date
    min_cell: int
    headline: list[HeadlineFigure]
    widest_gap_right: int | None  # the most negative gap the view gives, else None
    widest_gap: float | None
    sections: list[BoardSection]
    section_figures: list[list[BoardFigure]]
    skipped: SkippedResult
    skipped_figure: BoardFigure
    caveats: list[str]
    victims_code: VictimsCodeView
    victims_code_figure: ChartTable
    funnel_figure: ChartTable
    funnel_cells: list[FunnelCell]  # by crime group, then the total
    quotes: list[ThemeQuotes]
    actions: Sequence[PublishedAction]
    generated_at: datetime
    disclosure: Disclosure

    @property
    def quarter_name(self) -> str:
        """`2026-Q3` → "July to September 2026"."""
        return f"{self.first_month:%B} to {self.last_month:%B %Y}"


def parse_report_period(value: str | None, today: date) -> str:
    """The quarter asked for, or the last complete quarter; InvalidInput when malformed."""
    if not value:
        return periods.quarter_label_offset(periods.quarter_label(today), -1)
    quarter = parameters.parse_quarter(value)
    if isinstance(quarter, parameters.Problem):
        raise InvalidInput("Choose a quarter like 2026-Q3.", errors=[quarter.field_error("query")])
    return quarter


def _total(session: Session, metric_id: str, period: str) -> tuple[MetricCell | None, bool, int]:
    result = aggregate_metric(session, metric_id, group_by=[], period_from=period, period_to=period)
    cell = result.cells[0] if result.cells else None
    return cell, result.lower_is_better, result.disclosure.max_adjustment


def build_report(session: Session, period: str) -> QuarterlyReport:
    """Every figure of the quarterly report for `period` (YYYY-Qn), read under `read_only`
    (after the quarter's new comments are classified in a short write of their own), so that
    building it never holds SQLite's write lock."""
    first, last = periods.parse_quarter(period)
    min_cell = configured_min_cell()
    comments.classify_released(
        session,
        comments.CommentFilters(first_month=first, last_month=last, quotable_only=True),
        min_cell=min_cell,
    )
    with read_only(session):
        return _build_report(session, period, first, last, min_cell)


def _headline(
    session: Session, period: str, previous_period: str
) -> tuple[list[HeadlineFigure], list[int]]:
    """The headline figures, and the adjustment bounds of the cells they read."""
    headline: list[HeadlineFigure] = []
    adjustments = [0]
    for metric_id in REPORT_METRICS:
        current, lower_is_better, bound = _total(session, metric_id, period)
        previous, _, previous_bound = _total(session, metric_id, previous_period)
        adjustments += [bound, previous_bound]
        change, judgement = judge_change(current, previous, lower_is_better=lower_is_better)
        headline.append(
            HeadlineFigure(
                metric_id=metric_id,
                title=metric_title(metric_id),
                lower_is_better=lower_is_better,
                current=current,
                previous=previous,
                change=change,
                judgement=judgement,
            )
        )
    return headline, adjustments


def _build_report(
    session: Session, period: str, first: date, last: date, min_cell: int
) -> QuarterlyReport:
    previous_period = periods.quarter_label_offset(period, -1)
    headline, adjustments = _headline(session, period, previous_period)
    view = victims_code_view(session, period, period)
    filters = DashboardFilters(period_from=period, period_to=period)
    by_group, total = funnel_results(session, filters)
    adjustments += [
        view.disclosure.max_adjustment,
        by_group.disclosure.max_adjustment,
        total.disclosure.max_adjustment,
    ]
    sections = board_sections(session, period, first, last, min_cell)
    skipped = skipped_rows(session, group_by=["reason"], period_from=period, period_to=period)
    funnel_cells = [*by_group.cells, *total.cells]
    adjustments += [max_adjustment(sections), skipped.disclosure.max_adjustment]
    gaps = [(row.gap, row.right) for row in view.rights if row.gap is not None]
    widest = min(gaps) if gaps else None  # most negative: victims report it least
    start = datetime(first.year, first.month, 1, tzinfo=UTC)
    end_month = periods.next_month(last)
    end = datetime(end_month.year, end_month.month, 1, tzinfo=UTC)
    return QuarterlyReport(
        period=period,
        previous_period=previous_period,
        first_month=first,
        last_month=last,
        min_cell=min_cell,
        headline=headline,
        widest_gap_right=widest[1] if widest else None,
        widest_gap=widest[0] if widest else None,
        sections=sections,
        section_figures=[section_figures(section, period, funnel_cells) for section in sections],
        skipped=skipped,
        skipped_figure=skipped_figure(skipped, period),
        caveats=caveats(sections),
        victims_code=view,
        victims_code_figure=victims_code_table(
            view,
            caption=f"Victims' Code rights, {period}: victims' answers and the force's "
            "self-assessment",
            csv_url="",
        ),
        funnel_figure=funnel_table(
            by_group, total, filters, caption=f"Invitations by crime group, {period}"
        ),
        funnel_cells=funnel_cells,
        quotes=comment_quotes.quotes_by_theme(session, first, last, min_cell=min_cell),
        actions=actions.list_actions(session, since=start, until=end),
        generated_at=clock.now(),
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=max(adjustments)),
    )


# --- the headline table ---------------------------------------------------------------------

HEADLINE_HEAD = [
    {"text": "Measure"},
    {"text": "This quarter", "format": "numeric"},
    {"text": "95% interval", "format": "numeric"},
    {"text": "Responses", "format": "numeric"},
    {"text": "Last quarter", "format": "numeric"},
    {"text": "Change", "format": "numeric"},
]


def _change_text(change: float | None, judgement: str) -> str:
    if change is None:
        return "Not available"
    text = points(change)
    if judgement and text != "no change":
        return f"{text} ({judgement})"
    return text


def headline_rows(report: QuarterlyReport) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for figure in report.headline:
        title = figure.title + (" (lower is better)" if figure.lower_is_better else "")
        row: list[dict[str, Any]] = [{"text": title}]
        if figure.current is None:
            row.append({"text": "No responses", "colspan": 3, "classes": "app-suppressed"})
        elif figure.current.suppressed:
            row.append(suppressed_cell(3))
        else:
            row += [
                text_cell(percent(figure.current.rate), numeric=True),
                text_cell(
                    interval_text(figure.current.ci_low, figure.current.ci_high), numeric=True
                ),
                text_cell(
                    count_text(figure.current.n, low_base=figure.current.low_base), numeric=True
                ),
            ]
        if figure.previous is None:
            row.append(text_cell("No responses", numeric=True))
        elif figure.previous.suppressed:
            row.append({"text": SUPPRESSED, "classes": "app-suppressed govuk-table__cell--numeric"})
        else:
            previous = percent(figure.previous.rate)
            if figure.previous.low_base:
                previous += f" ({LOW_BASE_TEXT})"
            row.append(text_cell(previous, numeric=True))
        low_base = any(
            cell is not None and cell.low_base for cell in (figure.current, figure.previous)
        )
        change = text_cell(
            "Not compared (low base)"
            if low_base
            else _change_text(figure.change, figure.judgement),
            numeric=True,
        )
        if figure.judgement in ("better", "worse"):
            change["classes"] += f" app-change--{figure.judgement}"
        row.append(change)
        rows.append(row)
    return rows
