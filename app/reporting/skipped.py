"""Who was not heard: skipped upload rows by reason × crime group × touchpoint, under the
disclosure control.

Rows come from `skipped_count` (app/invitations/skip_counts.py), one per month of upload,
reason, crime group and touchpoint, with the sum of the rows' record keys. As in the funnel,
each month is a piece published once through the cell-key table (the same rows always give
the same published count, whatever the query), a cell is the sum of its published pieces, and
a cell is suppressed when any live month (one in which any row was skipped at all) publishes
fewer than min_cell. Every combination of the vocabularies is listed, so whether a cell is
listed tells nothing. The period is on the month of the upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import product
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlmodel import Session, col

from app import clock
from app.enums import CRIME_GROUPS, TOUCHPOINTS
from app.errors import InvalidInput
from app.invitations.models import SkippedCount
from app.reporting import periods
from app.reporting.aggregates import CSV_DISCLOSURE_COLUMNS, disclosure_csv_values
from app.reporting.cells import resolve_period
from app.reporting.disclosure import (
    Disclosure,
    Tally,
    adjustment_bound,
    configured_min_cell,
    is_low_base,
    tally,
)

# The contract's skip reasons, in its order.
SKIP_REASONS = (
    "under_18",
    "not_safe_to_contact",
    "no_consent",
    "opted_out",
    "duplicate",
    "cooling_off",
    "stage_allocation",
)
NOT_KNOWN = "not_known"  # a row whose crime group or touchpoint was not valid
DIMENSIONS = ("reason", "crime_group", "touchpoint", "month", "quarter", "financial_year")


class SkippedCell(BaseModel):
    group: dict[str, str]
    skipped: int | None
    suppressed: bool
    low_base: bool | None = None


class SkippedResult(BaseModel):
    group_by: list[str]
    period_from: str
    period_to: str
    min_cell: int
    cells: list[SkippedCell]
    disclosure: Disclosure


def _dimensions(group_by: Sequence[str] | None) -> list[str]:
    names = [part.strip() for item in group_by or [] for part in item.split(",") if part.strip()]
    wrong = [name for name in names if name not in DIMENSIONS]
    if wrong:
        raise InvalidInput(
            "A grouping is not valid.",
            errors=[{"loc": ["query", "group_by"], "msg": f"Use any of {', '.join(DIMENSIONS)}."}],
        )
    return list(dict.fromkeys(names))


def _label(dimension: str, month: date) -> str:
    if dimension == "month":
        return periods.month_label(month)
    if dimension == "quarter":
        return periods.quarter_label(month)
    return periods.financial_year_label(month)


def _values(dimension: str, months: list[date]) -> list[str]:
    if dimension == "reason":
        return list(SKIP_REASONS)
    if dimension == "crime_group":
        return [*CRIME_GROUPS, NOT_KNOWN]
    if dimension == "touchpoint":
        return [*TOUCHPOINTS, NOT_KNOWN]
    return list(dict.fromkeys(_label(dimension, month) for month in months))


def skipped_rows(
    session: Session,
    group_by: Sequence[str] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> SkippedResult:
    """Skipped rows by group, with disclosure control applied; raises InvalidInput."""
    dimensions = _dimensions(group_by)
    period = resolve_period(period_from, period_to, on or clock.today())
    min_cell = configured_min_cell()
    pieces: dict[tuple[tuple[str, ...], date], Tally] = {}
    live: set[date] = set()
    found = session.execute(
        select(SkippedCount).where(
            col(SkippedCount.month) >= period.first, col(SkippedCount.month) <= period.last
        )
    ).scalars()
    for row in found:
        values = {
            "reason": row.reason,
            "crime_group": row.crime_group or NOT_KNOWN,
            "touchpoint": row.touchpoint or NOT_KNOWN,
        }
        key = tuple(
            values[name] if name in values else _label(name, row.month) for name in dimensions
        )
        live.add(row.month)
        pieces[(key, row.month)] = pieces.get((key, row.month), Tally()) + tally(
            row.count, row.key_sum
        )
    months = periods.months_between(period.first, period.last)
    cells = [
        _cell(dict(zip(dimensions, key, strict=True)), key, pieces, live, dimensions, min_cell)
        for key in product(*(_values(name, months) for name in dimensions))
    ]
    return SkippedResult(
        group_by=dimensions,
        period_from=periods.month_label(period.first),
        period_to=periods.month_label(period.last),
        min_cell=min_cell,
        cells=cells,
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=adjustment_bound(len(live))),
    )


def _cell(
    group: dict[str, str],
    key: tuple[str, ...],
    pieces: dict[tuple[tuple[str, ...], date], Tally],
    live: set[date],
    dimensions: list[str],
    min_cell: int,
) -> SkippedCell:
    own = [
        month
        for month in sorted(live)
        if all(
            _label(name, month) == group[name]
            for name in dimensions
            if name in ("month", "quarter", "financial_year")
        )
    ]
    published = [pieces.get((key, month), Tally()).published() for month in own]
    if not published or any(value < min_cell for value in published):
        return SkippedCell(group=group, skipped=None, suppressed=True)
    total = sum(published)
    return SkippedCell(group=group, skipped=total, suppressed=False, low_base=is_low_base(total))


def skipped_csv_rows(result: SkippedResult) -> tuple[list[str], list[list[Any]]]:
    columns = [*result.group_by, "skipped", "suppressed", "low_base", *CSV_DISCLOSURE_COLUMNS]
    rows = [
        [
            *(cell.group.get(name) for name in result.group_by),
            cell.skipped,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(result.disclosure),
        ]
        for cell in result.cells
    ]
    return columns, rows
