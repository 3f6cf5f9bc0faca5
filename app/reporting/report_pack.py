"""The quarterly report's figures as a zip of CSV files (stdlib zipfile).

Each CSV is made safe against formula injection (app.reporting.csv_export); suppressed figures
are empty cells with `suppressed` true, exactly as in the aggregates API.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

from app.reporting.aggregates import CSV_DISCLOSURE_COLUMNS, disclosure_csv_values
from app.reporting.csv_export import CsvContext, csv_file
from app.reporting.periods import parse_quarter
from app.reporting.report import QuarterlyReport
from app.reporting.victims_code import CSV_FIELDS

README = """Quarterly report {period} ({quarter_name}): figures behind the board statement.

headline.csv           headline measures this quarter and last ({previous_period}), with the
                       change in rate when both quarters are shown
board_priorities.csv   per board priority and measure, by crime group and for all groups: n,
                       positive, rate, 95% interval, suppressed, low_base
victim_withdrawn.csv   invitations with a victim-withdrawn outcome (force data), by crime group
                       and all: a count published under the same disclosure control, no interval
not_invited.csv        rows of the force's uploads not invited, by reason
victims_code.csv       per Victims' Code right: victims' rate, 95% interval, the force's
                       self-assessed rate, and the gap (victims minus force)
funnel.csv             invitations by crime group: invited, sent, delivered, opened, started,
                       completed, withdrawn, response rate (completed / sent)
what_victims_said.csv  comments an analyst marked quotable, after automatic redaction, from
                       groups with at least {min_cell} responses
you_said_we_did.csv    actions published this quarter

Rates are between 0 and 1. Intervals are 95% Wilson score intervals. Every count has small
random adjustments (the cell-key method): a published count differs from the exact count by
at most max_adjustment ({max_adjustment} in this pack), and the same group always gets the same
figure. A suppressed figure is left empty with suppressed = true: fewer than {min_cell}
published responses (or, for attrition, retraumatisation, feeling believed and trust in the
officers, too few answers either way). low_base = true marks a figure from fewer than 50
responses: treat it with caution; no change or gap is given for it.
Generated {generated_at:%Y-%m-%d %H:%M} UTC.
"""


Table = tuple[list[str], list[list[Any]]]


def _cell_values(cell: Any) -> list[Any]:
    if cell is None:
        return [None, None, None, None, None, True, None]
    return [
        cell.n,
        cell.positive,
        cell.rate,
        cell.ci_low,
        cell.ci_high,
        cell.suppressed,
        cell.low_base,
    ]


def headline_csv(report: QuarterlyReport) -> Table:
    columns = [
        "measure",
        "title",
        "lower_is_better",
        "period",
        "n",
        "positive",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "low_base",
        "previous_period",
        "previous_n",
        "previous_positive",
        "previous_rate",
        "previous_ci_low",
        "previous_ci_high",
        "previous_suppressed",
        "previous_low_base",
        "change",
        "change_judgement",
        *CSV_DISCLOSURE_COLUMNS,
    ]
    rows = [
        [
            figure.metric_id,
            figure.title,
            figure.lower_is_better,
            report.period,
            *_cell_values(figure.current),
            report.previous_period,
            *_cell_values(figure.previous),
            figure.change,
            figure.judgement or None,
            *disclosure_csv_values(report.disclosure),
        ]
        for figure in report.headline
    ]
    return columns, rows


def board_csv(report: QuarterlyReport) -> Table:
    columns = [
        "priority",
        "measure",
        "title",
        "lower_is_better",
        "period",
        "crime_group",
        "n",
        "positive",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "low_base",
        *CSV_DISCLOSURE_COLUMNS,
    ]
    rows = [
        [
            section.priority.id,
            measure.metric_id,
            measure.title,
            measure.lower_is_better,
            report.period,
            group,
            *_cell_values(cell),
            *disclosure_csv_values(report.disclosure),
        ]
        for section in report.sections
        for measure in section.measures
        for group, cell in measure.by_group
    ]
    return columns, rows


def withdrawn_csv(report: QuarterlyReport) -> Table:
    columns = ["period", "crime_group", "victim_withdrawn", "suppressed", "low_base"]
    rows = [
        [report.period, cell.crime_group, cell.count, cell.suppressed, cell.low_base]
        for section in report.sections
        for cell in section.withdrawn
    ]
    return (
        [*columns, *CSV_DISCLOSURE_COLUMNS],
        [[*row, *disclosure_csv_values(report.disclosure)] for row in rows],
    )


def not_invited_csv(report: QuarterlyReport) -> Table:
    columns = ["period", "reason", "skipped", "suppressed", "low_base", *CSV_DISCLOSURE_COLUMNS]
    rows = [
        [
            report.period,
            cell.group.get("reason"),
            cell.skipped,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(report.disclosure),
        ]
        for cell in report.skipped.cells
    ]
    return columns, rows


def victims_code_csv(report: QuarterlyReport) -> Table:
    columns = ["period", *CSV_FIELDS, *CSV_DISCLOSURE_COLUMNS]
    rows = [
        [
            report.period,
            *(getattr(row, name) for name in CSV_FIELDS),
            *disclosure_csv_values(report.disclosure),
        ]
        for row in report.victims_code.rights
    ]
    return columns, rows


def funnel_csv(report: QuarterlyReport) -> Table:
    stages = ["invited", "sent", "delivered", "opened", "started", "completed", "withdrawn"]
    columns = [
        "period",
        "crime_group",
        *stages,
        "response_rate",
        "suppressed",
        "low_base",
        *CSV_DISCLOSURE_COLUMNS,
    ]
    rows = [
        [
            report.period,
            cell.group.get("crime_group", "all") if cell.group else "all",
            *(getattr(cell, stage) for stage in stages),
            cell.response_rate,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(report.disclosure),
        ]
        for cell in report.funnel_cells
    ]
    return columns, rows


def quotes_csv(report: QuarterlyReport) -> Table:
    columns = ["theme", "crime_group", "touchpoint", "month", "comment"]
    rows = [
        [group.theme, quote.crime_group, quote.touchpoint, quote.month, quote.text]
        for group in report.quotes
        for quote in group.quotes
    ]
    return columns, rows


def actions_csv(report: QuarterlyReport) -> Table:
    columns = ["published_at", "crime_group", "status", "owner", "agency", "due_date", "text"]
    rows = [
        [
            action.published_at.strftime("%Y-%m-%d"),
            action.crime_group or "all",
            action.status,
            action.owner or "",
            action.agency or "",
            action.due_date.isoformat() if action.due_date else "",
            action.text,
        ]
        for action in report.actions
    ]
    return columns, rows


# Each file of the pack: its name, what its `metric` column says, and how it is made.
PACK_FILES: tuple[tuple[str, str, Callable[[QuarterlyReport], Table]], ...] = (
    ("headline.csv", "headline", headline_csv),
    ("board_priorities.csv", "board_priorities", board_csv),
    ("victim_withdrawn.csv", "victim_withdrawn", withdrawn_csv),
    ("not_invited.csv", "skipped", not_invited_csv),
    ("victims_code.csv", "victims-code", victims_code_csv),
    ("funnel.csv", "funnel", funnel_csv),
    ("what_victims_said.csv", "comments", quotes_csv),
    ("you_said_we_did.csv", "actions", actions_csv),
)


def pack_files(report: QuarterlyReport) -> dict[str, bytes]:
    """README.txt and each CSV file (app/reporting/csv_export.py: csv_file) of the pack."""
    first, last = parse_quarter(report.period)
    files = {
        "README.txt": README.format(
            period=report.period,
            quarter_name=report.quarter_name,
            previous_period=report.previous_period,
            min_cell=report.min_cell,
            max_adjustment=report.disclosure.max_adjustment,
            generated_at=report.generated_at,
        ).encode()
    }
    for name, metric, make in PACK_FILES:
        context = CsvContext(metric, f"{first:%Y-%m}", f"{last:%Y-%m}")
        columns, rows = make(report)
        files[name] = csv_file(context, columns, rows)
    return files


def build_pack(report: QuarterlyReport) -> bytes:
    """The zip: README.txt and one CSV per section of the report."""
    stamp = report.generated_at.timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in pack_files(report).items():
            info = zipfile.ZipInfo(f"quarterly-{report.period}/{name}", date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
