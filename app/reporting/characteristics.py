"""Equality characteristics as dimensions of the metric aggregates (issue 13, point 6).

A response that answered the equality section's age band, sex, disability or ethnicity question
(the question's `characteristic`) is counted once more per characteristic it answered, in
`rollup_characteristic`: each counted answer to a question that feeds a measure, and each
derived right answer (app.reporting.right_rates), keyed by the characteristic and its code and
the coarse context (bank version, crime group, touchpoint, month, mode: no area, no language),
with the sum of the responses' record keys, so the cell key of a characteristic cell comes from
its records' keys like any other cell's. Submit adds, withdrawal subtracts, `rollups rebuild`
recomputes (app.reporting.rollups).

Disclosure (docs/disclosure-control.md): a characteristic is a limited dimension, a query may
use at most one characteristic and not with area or language (the rows do not keep them), and
a cell grouped or filtered by one is suppressed below twice min_cell.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, select, tuple_
from sqlmodel import Session

from app.banks.metrics import Metric
from app.banks.schema import CHARACTERISTICS, UNDER_18_CODE
from app.cell_key import KEY_SPACE
from app.enums import Mode
from app.reporting.feeds import answered_version_ids
from app.reporting.metric_sums import side_sums, side_tallies
from app.reporting.models import CHARACTERISTIC_KEY, RollupCharacteristic
from app.reporting.response_facts import ResponseCount, versions_facts
from app.reporting.sql_upsert import add_counts, drop_emptied
from app.reporting.tally_source import MonthTallies, Period, as_month
from app.survey.models import Response

characteristic_table: Table = RollupCharacteristic.__table__  # type: ignore[attr-defined]

# A cell grouped or filtered by a characteristic needs this many times min_cell.
THRESHOLD_FACTOR = 2
# Dimensions the characteristic rows do not keep: a query cannot combine them with one.
NOT_WITH_CHARACTERISTIC: tuple[str, ...] = ("area", "language")


def characteristic_rows(
    context: Mapping[str, Any], counted: ResponseCount, key: int, sign: int
) -> list[dict[str, Any]]:
    """The characteristic rows one response adds (sign +1) or takes away (sign -1)."""
    return [
        {
            "question_id": question_id,
            "code": code,
            "characteristic": characteristic,
            "characteristic_code": characteristic_code,
            **context,
            "count": sign,
            "key_sum": (sign * key) % KEY_SPACE,
        }
        for characteristic, characteristic_code in sorted(counted.characteristics.items())
        if characteristic in CHARACTERISTICS
        for question_id, code in counted.metric_answers
    ]


def response_context(response: Any) -> dict[str, Any]:
    """The coarse context of a Response, or of a rebuild's row holding its columns."""
    return {
        "bank_version_id": response.bank_version_id,
        "crime_group": response.crime_group,
        "touchpoint": response.touchpoint,
        "month": response.month,
        "mode": Mode.assisted.value if response.assisted else Mode.alone.value,
    }


def apply_characteristics(
    session: Session, response: Response, counted: ResponseCount, sign: int
) -> None:
    """Add or take away one response's characteristic rows (same transaction as the rollups)."""
    context = response_context(response)
    rows = characteristic_rows(context, counted, response.record_key % KEY_SPACE, sign)
    if not rows:
        return
    add_counts(session, characteristic_table, CHARACTERISTIC_KEY, rows)
    if sign < 0:
        drop_emptied(session, characteristic_table, context)


def insert_counted(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Insert rebuilt characteristic rows (their months were emptied first)."""
    batch = list(rows)
    for start in range(0, len(batch), 1000):
        session.execute(characteristic_table.insert(), batch[start : start + 1000])


# --- reading: the metric tallies of a query grouped or filtered by one characteristic -------


def characteristic_used(columns: Iterable[str], filters: Mapping[str, str]) -> str | None:
    """The characteristic a query groups or filters by (the plan allows at most one)."""
    used = [name for name in CHARACTERISTICS if name in columns or name in filters]
    return used[0] if used else None


def characteristic_values(session: Session, name: str) -> list[str]:
    """The codes a characteristic can take: its questions' options in the published (and
    retired) bank versions, in order, under 18 left out (never counted). From the banks, never
    from the answers, so listing them tells nothing about who answered."""
    values: list[str] = []
    for facts in versions_facts(session, answered_version_ids(session)).values():
        for code in facts.options.get(name, ()):
            if code not in values and code != UNDER_18_CODE:
                values.append(code)
    return values


def characteristic_months(
    session: Session,
    metric: Metric,
    inputs: Sequence[tuple[int, str, str]],
    columns: Sequence[str],
    filters: Mapping[str, str],
    period: Period,
    name: str,
) -> list[MonthTallies]:
    """Positive, not-positive and don't know tallies per `columns` (one of them, or a filter,
    the characteristic `name`) and month, from the characteristic rows."""
    table = characteristic_table

    def column(dimension: str) -> Any:
        return table.c.characteristic_code if dimension == name else table.c[dimension]

    base = [column(dimension).label(dimension) for dimension in columns]
    statement = (
        select(*base, table.c.month, *side_sums(table, metric))
        .where(
            table.c.question_id.in_(sorted({q for _, q, _ in inputs})),
            tuple_(table.c.bank_version_id, table.c.question_id, table.c.touchpoint).in_(inputs),
            table.c.characteristic == name,
            table.c.month >= period.first,
            table.c.month <= period.last,
            *(column(dimension) == value for dimension, value in filters.items()),
        )
        .group_by(*(column(dimension) for dimension in columns), table.c.month)
    )
    return [
        MonthTallies(
            {dimension: row[dimension] for dimension in columns},
            as_month(row["month"]),
            side_tallies(row),
        )
        for row in session.execute(statement).mappings()
    ]
