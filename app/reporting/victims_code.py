"""The Victims' Code view: victim-reported delivery of each right beside the force's own view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from app import clock
from app.banks.aspects import SEVERAL, right_agency
from app.banks.metrics import RIGHT_TITLES, right_measure
from app.errors import InvalidInput
from app.reporting import parameters, periods
from app.reporting.aggregates import (
    CSV_DISCLOSURE_COLUMNS,
    MetricCell,
    aggregate_metric_from,
    database_tallies,
    disclosure_csv_values,
)
from app.reporting.cells import Period, resolve_period
from app.reporting.compliance_gap import HIGHER, LOWER, call_gap, comparisons_text
from app.reporting.disclosure import Disclosure, configured_min_cell
from app.reporting.force_figures import (
    ForceFigure,
    ForceFigures,
    as_force_figures,
    force_figures,
)
from app.reporting.tallies import Tallies
from app.reporting.victims_code_parts import part_cell, part_sources

RIGHTS = tuple(range(1, 13))


class GapFields(BaseModel):
    """The force's side of one comparison and the verdict on it (app.reporting.compliance_gap)."""

    force_rate: float | None
    gap: float | None  # rate − force_rate; none on a suppressed or low-base row
    # From self-assessment entries: the force's numerator and denominator over the period.
    force_numerator: int | None = None
    force_denominator: int | None = None
    # "higher" / "lower" (victims report it more / less often), "no_clear_difference", or
    # null when there is nothing to compare; and the 95% Newcombe interval of the gap.
    gap_call: str | None = None
    gap_ci_low: float | None = None
    gap_ci_high: float | None = None


class RightPart(GapFields):
    """A `several` right's figure for one delivering agency."""

    agency: str
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    low_base: bool | None = None
    dont_know: float | None = None
    touchpoints: list[str] = []  # the touchpoints whose answers the part counts


class RightRow(GapFields):
    right: int
    title: str
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    low_base: bool | None = None
    # Who delivers the right: police, witness_care, cps, courts, probation, or several.
    agency: str = SEVERAL
    # Information rights: the share of n who answered don't know (counted as not received),
    # from published counts; null on a suppressed row and for other rights.
    dont_know: float | None = None
    parts: list[RightPart] | None = None  # per agency, on a `several` row only


class VictimsCodeView(BaseModel):
    min_cell: int
    mode: str | None = None  # self or assisted: only the responses given that way
    crime_group: str | None = None  # only that crime group's responses
    touchpoint: str | None = None  # only the responses of that touchpoint
    period_from: str
    period_to: str
    quarters: list[str]  # the self-assessment periods summed (or averaged) into force_rate
    rights: list[RightRow]
    comparisons: int = 0  # how many rows and parts carry a verdict
    comparisons_text: str = ""  # says about 1 in 20 will look different by chance
    disclosure: Disclosure


def _quarters_in(period: Period) -> list[str]:
    """The calendar quarters the period overlaps: their self-assessments make force_rate."""
    return periods.quarters_between(period.first, period.last)


def victims_code_view(
    session: Session,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    mode: str | None = None,
    crime_group: str | None = None,
    touchpoint: str | None = None,
    on: date | None = None,
) -> VictimsCodeView:
    """One row per right 1–12: victims' rate with interval, the force's rate and the gap.

    Each row is the published cell of the right's metric for the period, the same cell the
    aggregates endpoint gives; a gap is given only on a row that is shown and not low base.
    With `mode`, `crime_group` or `touchpoint`, each row counts only those responses; the
    force's figure follows the crime group where its entries give one (app.reporting.
    force_figures). A gap is called only as app.reporting.compliance_gap says.
    """
    chosen = {"mode": mode, "crime_group": crime_group, "touchpoint": touchpoint}
    problems = [
        problem
        for name, value in chosen.items()
        if (problem := parameters.choice_problem(name, value)) is not None
    ]
    if problems:
        raise InvalidInput(
            "A filter is not valid.", errors=[problem.field_error() for problem in problems]
        )
    period = resolve_period(period_from, period_to, on or clock.today())
    return victims_code_from(
        database_tallies(session),
        force_figures(session, _quarters_in(period), crime_group or None),
        period,
        mode=mode or None,
        crime_group=crime_group or None,
        touchpoint=touchpoint or None,
    )


def gap_fields(cell: MetricCell | RightPart, figure: ForceFigure | None) -> dict[str, Any]:
    """The force's side and the verdict, for a published cell."""
    force_rate = figure.rate if figure else None
    comparable = not cell.suppressed and not cell.low_base and cell.rate is not None
    verdict = call_gap(
        positive=cell.positive,
        n=cell.n,
        ci_low=cell.ci_low,
        ci_high=cell.ci_high,
        low_base=cell.low_base,
        force_rate=force_rate,
        force_numerator=figure.numerator if figure else None,
        force_denominator=figure.denominator if figure else None,
    )
    return {
        "force_rate": force_rate,
        "gap": cell.rate - force_rate
        if comparable and cell.rate is not None and force_rate is not None
        else None,
        "force_numerator": figure.numerator if figure else None,
        "force_denominator": figure.denominator if figure else None,
        "gap_call": verdict.call,
        "gap_ci_low": verdict.ci_low,
        "gap_ci_high": verdict.ci_high,
    }


def _parts(
    tallies: Tallies,
    right: int,
    force: ForceFigures,
    filters: Mapping[str, str | None],
    period: Period,
    min_cell: int,
) -> tuple[list[RightPart], int]:
    parts: list[RightPart] = []
    bound = 0
    for agency, sources in part_sources(right).items():
        cell, touchpoints, adjustment = part_cell(
            tallies, right, sources, filters, period, min_cell
        )
        bound = max(bound, adjustment)
        part = RightPart(
            agency=agency,
            n=cell.n,
            positive=cell.positive,
            rate=cell.rate,
            ci_low=cell.ci_low,
            ci_high=cell.ci_high,
            suppressed=cell.suppressed,
            low_base=cell.low_base,
            dont_know=cell.dont_know,
            touchpoints=touchpoints,
            force_rate=None,
            gap=None,
        )
        parts.append(part.model_copy(update=gap_fields(part, force.for_agency(right, agency))))
    return parts, bound


def _right_row(
    tallies: Tallies,
    right: int,
    figures: ForceFigures,
    filters: Mapping[str, str | None],
    period: Period,
    min_cell: int,
) -> tuple[RightRow, int]:
    """One right's row (the published cell of its metric, the aggregates' own), with its parts
    when several agencies deliver it, and the largest adjustment of its counts."""
    result = aggregate_metric_from(
        tallies,
        right_measure(right),
        group_by=[],
        filters=filters,
        period_from=period.label_from,
        period_to=period.label_to,
    )
    adjustment = result.disclosure.max_adjustment
    cell = result.cells[0]
    agency = right_agency(right)
    parts = None
    if agency == SEVERAL:
        parts, bound = _parts(tallies, right, figures, filters, period, min_cell)
        adjustment = max(adjustment, bound)
    row = RightRow(
        right=right,
        title=RIGHT_TITLES[right],
        n=cell.n,
        positive=cell.positive,
        rate=cell.rate,
        ci_low=cell.ci_low,
        ci_high=cell.ci_high,
        suppressed=cell.suppressed,
        low_base=cell.low_base,
        agency=agency,
        dont_know=cell.dont_know,
        parts=parts,
        **gap_fields(cell, figures.for_right(right)),
    )
    return row, adjustment


def victims_code_from(
    tallies: Tallies,
    force: ForceFigures | Mapping[int, float],
    period: Period,
    *,
    mode: str | None = None,
    crime_group: str | None = None,
    touchpoint: str | None = None,
) -> VictimsCodeView:
    """The view from the rights' metric cells in `tallies` and the force's figures."""
    figures = as_force_figures(force)
    quarters = _quarters_in(period)
    filters = {"mode": mode, "crime_group": crime_group, "touchpoint": touchpoint}
    min_cell = configured_min_cell()
    rows: list[RightRow] = []
    max_adjustment = 0
    for right in RIGHTS:
        row, adjustment = _right_row(tallies, right, figures, filters, period, min_cell)
        rows.append(row)
        max_adjustment = max(max_adjustment, adjustment)
    count = sum(
        1 for row in rows for item in [row, *(row.parts or [])] if item.gap_call is not None
    )
    return VictimsCodeView(
        min_cell=min_cell,
        mode=mode,
        crime_group=crime_group,
        touchpoint=touchpoint,
        period_from=period.label_from,
        period_to=period.label_to,
        quarters=quarters,
        rights=rows,
        comparisons=count,
        comparisons_text=comparisons_text(count),
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=max_adjustment),
    )


def called_gaps(view: VictimsCodeView) -> list[tuple[float, int]]:
    """(gap, right) of the rows whose gap is called, for "widest gap": no other gap ranks."""
    return [
        (row.gap, row.right)
        for row in view.rights
        if row.gap is not None and row.gap_call in (HIGHER, LOWER)
    ]


CSV_PART_COLUMN = "part_of_right"
# The first columns keep their place from before issue 14; the new ones follow.
CSV_FIELDS = (
    *("right", "title", "n", "positive", "rate", "ci_low", "ci_high", "suppressed"),
    *("force_rate", "gap", "low_base", "agency", "dont_know", "force_numerator"),
    *("force_denominator", "gap_call", "gap_ci_low", "gap_ci_high"),
)


def victims_code_csv_rows(view: VictimsCodeView) -> tuple[list[str], list[list[Any]]]:
    """One CSV row per right, with every column of RightRow but `parts`, then the disclosure
    columns; a `several` right's parts follow it, one row each, marked in `part_of_right`."""
    fields = list(CSV_FIELDS)
    disclosure = disclosure_csv_values(view.disclosure)
    rows: list[list[Any]] = []
    for row in view.rights:
        rows.append([*(getattr(row, name) for name in fields), None, *disclosure])
        for part in row.parts or []:
            values = {"right": row.right, "title": row.title, **part.model_dump()}
            rows.append([*(values.get(name) for name in fields), row.right, *disclosure])
    return [*fields, CSV_PART_COLUMN, *CSV_DISCLOSURE_COLUMNS], rows
