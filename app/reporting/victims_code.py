"""The Victims' Code view: victim-reported delivery of each right beside the force's own view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app import clock
from app.banks.aspects import SEVERAL, right_agency
from app.banks.metrics import RIGHT_TITLES, right_measure
from app.errors import InvalidInput
from app.reporting import parameters, periods
from app.reporting.aggregates import (
    CSV_DISCLOSURE_COLUMNS,
    aggregate_metric_from,
    database_tallies,
    disclosure_csv_values,
)
from app.reporting.cells import Period, resolve_period
from app.reporting.disclosure import Disclosure, configured_min_cell
from app.reporting.models import SelfAssessment
from app.reporting.tallies import Tallies

RIGHTS = tuple(range(1, 13))


class RightRow(BaseModel):
    right: int
    title: str
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    force_rate: float | None
    gap: float | None  # none on a suppressed or low-base row
    low_base: bool | None = None
    # Who delivers the right: police, witness_care, cps, courts, probation, or several.
    agency: str = SEVERAL
    # Information rights: the share of n who answered don't know (counted as not received),
    # from published counts; null on a suppressed row and for other rights.
    dont_know: float | None = None


class VictimsCodeView(BaseModel):
    min_cell: int
    mode: str | None = None  # self or assisted: only the responses given that way
    crime_group: str | None = None  # only that crime group's responses
    touchpoint: str | None = None  # only the responses of that touchpoint
    period_from: str
    period_to: str
    quarters: list[str]  # the self-assessment periods averaged into force_rate
    rights: list[RightRow]
    disclosure: Disclosure


def _quarters_in(period: Period) -> list[str]:
    """The calendar quarters the period overlaps: their self-assessments make force_rate."""
    return periods.quarters_between(period.first, period.last)


def force_rates(session: Session, quarters: list[str]) -> dict[int, float]:
    """Right → mean of the force's self-assessed rates over the given quarters."""
    if not quarters:
        return {}
    rows = session.exec(select(SelfAssessment).where(col(SelfAssessment.period).in_(quarters)))
    by_right: dict[int, list[float]] = {}
    for row in rows:
        by_right.setdefault(row.right, []).append(row.rate)
    return {right: sum(rates) / len(rates) for right, rates in by_right.items()}


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
    With `mode`, `crime_group` or `touchpoint`, each row counts only those responses (the
    force's rate is the same: it is not split by them).
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
        force_rates(session, _quarters_in(period)),
        period,
        mode=mode or None,
        crime_group=crime_group or None,
        touchpoint=touchpoint or None,
    )


def victims_code_from(
    tallies: Tallies,
    force: Mapping[int, float],
    period: Period,
    *,
    mode: str | None = None,
    crime_group: str | None = None,
    touchpoint: str | None = None,
) -> VictimsCodeView:
    """The view from the rights' metric cells in `tallies` and the force's mean rates."""
    quarters = _quarters_in(period)
    rows: list[RightRow] = []
    max_adjustment = 0
    for right in RIGHTS:
        result = aggregate_metric_from(
            tallies,
            right_measure(right),
            group_by=[],
            filters={"mode": mode, "crime_group": crime_group, "touchpoint": touchpoint},
            period_from=period.label_from,
            period_to=period.label_to,
        )
        max_adjustment = max(max_adjustment, result.disclosure.max_adjustment)
        cell = result.cells[0]
        force_rate = force.get(right)
        comparable = not cell.suppressed and not cell.low_base and cell.rate is not None
        rows.append(
            RightRow(
                right=right,
                title=RIGHT_TITLES[right],
                n=cell.n,
                positive=cell.positive,
                rate=cell.rate,
                ci_low=cell.ci_low,
                ci_high=cell.ci_high,
                suppressed=cell.suppressed,
                force_rate=force_rate,
                gap=cell.rate - force_rate
                if comparable and cell.rate is not None and force_rate is not None
                else None,
                low_base=cell.low_base,
                agency=right_agency(right),
                dont_know=cell.dont_know,
            )
        )
    min_cell = configured_min_cell()
    return VictimsCodeView(
        min_cell=min_cell,
        mode=mode,
        crime_group=crime_group,
        touchpoint=touchpoint,
        period_from=period.label_from,
        period_to=period.label_to,
        quarters=quarters,
        rights=rows,
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=max_adjustment),
    )


def victims_code_csv_rows(view: VictimsCodeView) -> tuple[list[str], list[list[Any]]]:
    """One CSV row per right, with every column of RightRow, then the disclosure columns."""
    fields = list(RightRow.model_fields)
    rows = [
        [*(getattr(row, name) for name in fields), *disclosure_csv_values(view.disclosure)]
        for row in view.rights
    ]
    return [*fields, *CSV_DISCLOSURE_COLUMNS], rows
