"""The Victims' Code view: victim-reported delivery of each right beside the force's own view."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app import audit, clock
from app.banks.aspects import SEVERAL, right_agency
from app.banks.metrics import RIGHT_TITLES, right_measure
from app.errors import ErrorItem, FieldError, InvalidInput
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


class SelfAssessmentResult(BaseModel):
    period: str
    rights: dict[str, float]


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


def parse_self_assessment(period: str, rights: Any) -> tuple[str, dict[int, float]]:
    """Validate a period (YYYY-Qn) and a {"1": 0.92, …} mapping; 422 with every problem."""
    errors: list[ErrorItem] = []
    # Saving and reading both store the quarter as parse_quarter gives it back.
    quarter = parameters.parse_quarter(period)
    if isinstance(quarter, parameters.Problem):
        errors.append(quarter.field_error("path"))
    else:
        period = quarter
    parsed: dict[int, float] = {}
    if not isinstance(rights, Mapping) or not rights:
        errors.append(FieldError(("body", "rights"), 'Give rates per right, like {"1": 0.92}.'))
    else:
        for key, value in rights.items():
            loc = ("body", "rights", str(key))
            text = str(key)
            # ASCII digits only: "٣".isdigit() is true and int("٣") is 3.
            number = int(text) if text.isascii() and text.isdecimal() and len(text) <= 2 else None
            if number not in RIGHTS:
                errors.append(FieldError(loc, "Rights are numbered 1 to 12."))
            elif (
                isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
            ):
                errors.append(FieldError(loc, "A rate is a number from 0 to 1."))
            else:
                assert number is not None
                parsed[number] = float(value)
    if errors:
        raise InvalidInput("The self-assessment is not valid.", errors=errors)
    return period, parsed


def save_self_assessment(
    session: Session, *, period: str, rights: Any, actor: str
) -> SelfAssessmentResult:
    """Upsert the force's rates for one quarter (rights not given keep their value); audited."""
    period, parsed = parse_self_assessment(period, rights)
    existing = {
        row.right: row
        for row in session.exec(select(SelfAssessment).where(SelfAssessment.period == period))
    }
    for right, rate in sorted(parsed.items()):
        row = existing.get(right)
        if row is None:
            row = SelfAssessment(period=period, right=right, rate=rate, uploaded_by=actor)
            existing[right] = row
        else:
            row.rate = rate
            row.uploaded_by = actor
            row.uploaded_at = clock.now()
        session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="self_assessment.upload",
        object_type="self_assessment",
        object_id=period,
        detail={"period": period, "rights": sorted(parsed)},
    )
    return SelfAssessmentResult(
        period=period,
        rights={str(right): existing[right].rate for right in sorted(existing)},
    )


def victims_code_csv_rows(view: VictimsCodeView) -> tuple[list[str], list[list[Any]]]:
    """One CSV row per right, with every column of RightRow, then the disclosure columns."""
    fields = list(RightRow.model_fields)
    rows = [
        [*(getattr(row, name) for name in fields), *disclosure_csv_values(view.disclosure)]
        for row in view.rights
    ]
    return [*fields, *CSV_DISCLOSURE_COLUMNS], rows


def get_self_assessment(session: Session, period: str) -> SelfAssessmentResult:
    quarter = parameters.parse_quarter(period)
    if isinstance(quarter, parameters.Problem):
        raise InvalidInput("The period is not valid.", errors=[quarter.field_error("path")])
    period = quarter
    rows = session.exec(
        select(SelfAssessment)
        .where(SelfAssessment.period == period)
        .order_by(col(SelfAssessment.right))
    )
    return SelfAssessmentResult(period=period, rights={str(r.right): r.rate for r in rows})
