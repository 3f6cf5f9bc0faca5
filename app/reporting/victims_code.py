"""The Victims' Code view: victim-reported delivery of each right beside the force's own view."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from app import audit
from app.banks.metrics import RIGHT_TITLES, right_measure
from app.errors import InvalidInput
from app.reporting import periods
from app.reporting.aggregates import aggregate_metric, parse_month_range
from app.reporting.models import SelfAssessment, utc_now

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
    gap: float | None


class VictimsCodeView(BaseModel):
    min_cell: int
    period_from: str | None
    period_to: str | None
    quarters: list[str]  # the self-assessment periods averaged into force_rate
    rights: list[RightRow]


class SelfAssessmentResult(BaseModel):
    period: str
    rights: dict[str, float]


def _quarters_in(session: Session, period_from: str | None, period_to: str | None) -> list[str]:
    months = parse_month_range(period_from, period_to)
    stored = sorted(set(session.exec(select(SelfAssessment.period)).all()))
    if months.first is None and months.last is None:
        return stored
    first = months.first or min((periods.parse_quarter(p)[0] for p in stored), default=months.last)
    last = months.last or max((periods.parse_quarter(p)[1] for p in stored), default=months.first)
    assert first is not None and last is not None
    return periods.quarters_between(first, last)


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
    min_cell: int = 10,
) -> VictimsCodeView:
    """One row per right 1–12: victims' rate with interval, the force's rate and the gap."""
    quarters = _quarters_in(session, period_from, period_to)
    force = force_rates(session, quarters)
    rows: list[RightRow] = []
    for right in RIGHTS:
        result = aggregate_metric(
            session,
            right_measure(right),
            group_by=[],
            period_from=period_from,
            period_to=period_to,
            min_cell=min_cell,
        )
        cell = result.cells[0] if result.cells else None
        suppressed = cell is None or cell.suppressed
        force_rate = force.get(right)
        rate = None if cell is None else cell.rate
        rows.append(
            RightRow(
                right=right,
                title=RIGHT_TITLES[right],
                n=None if suppressed or cell is None else cell.n,
                positive=None if suppressed or cell is None else cell.positive,
                rate=None if suppressed else rate,
                ci_low=None if suppressed or cell is None else cell.ci_low,
                ci_high=None if suppressed or cell is None else cell.ci_high,
                # No answers at all is reported like a small count: there is nothing to show.
                suppressed=suppressed,
                force_rate=force_rate,
                gap=None if suppressed or rate is None or force_rate is None else rate - force_rate,
            )
        )
    return VictimsCodeView(
        min_cell=min_cell,
        period_from=period_from,
        period_to=period_to,
        quarters=quarters,
        rights=rows,
    )


def parse_self_assessment(period: str, rights: Any) -> tuple[str, dict[int, float]]:
    """Validate a period (YYYY-Qn) and a {"1": 0.92, …} mapping; 422 with every problem."""
    errors: list[dict[str, Any]] = []
    try:
        periods.parse_quarter(period)
    except ValueError as exc:
        errors.append({"loc": ["path", "period"], "msg": str(exc)})
    parsed: dict[int, float] = {}
    if not isinstance(rights, Mapping) or not rights:
        errors.append({"loc": ["body", "rights"], "msg": 'Give rates per right, like {"1": 0.92}.'})
    else:
        for key, value in rights.items():
            loc = ["body", "rights", str(key)]
            number = int(key) if str(key).isdigit() else None
            if number not in RIGHTS:
                errors.append({"loc": loc, "msg": "Rights are numbered 1 to 12."})
            elif (
                isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1
            ):
                errors.append({"loc": loc, "msg": "A rate is a number from 0 to 1."})
            else:
                assert number is not None
                parsed[number] = float(value)
    if errors:
        raise InvalidInput("The self-assessment is not valid.", errors=errors)
    return period.strip(), parsed


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
            row.uploaded_at = utc_now()
        session.add(row)
    session.flush()
    event = audit.record(
        session,
        actor=actor,
        action="self_assessment.upload",
        object_type="self_assessment",
        object_id=period,
        detail={"period": period, "rights": sorted(parsed)},
    )
    event.occurred_at = utc_now()  # the column takes aware times only
    return SelfAssessmentResult(
        period=period,
        rights={str(right): existing[right].rate for right in sorted(existing)},
    )


def victims_code_csv_rows(view: VictimsCodeView) -> tuple[list[str], list[list[Any]]]:
    """One CSV row per right, with every column of RightRow."""
    columns = list(RightRow.model_fields)
    return columns, [[getattr(row, name) for name in columns] for row in view.rights]


def get_self_assessment(session: Session, period: str) -> SelfAssessmentResult:
    try:
        periods.parse_quarter(period)
    except ValueError as exc:
        raise InvalidInput(
            "The period is not valid.", errors=[{"loc": ["path", "period"], "msg": str(exc)}]
        ) from exc
    rows = session.exec(
        select(SelfAssessment)
        .where(SelfAssessment.period == period)
        .order_by(col(SelfAssessment.right))
    )
    return SelfAssessmentResult(period=period, rights={str(r.right): r.rate for r in rows})
