"""The invitation funnel: invited → sent → delivered → opened → started → completed, by group."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, func, select
from sqlmodel import Session

from app.invitations.models import Invitation
from app.reporting import periods
from app.reporting.aggregates import (
    FILTER_DIMENSIONS,
    GroupValue,
    MonthRange,
    group_label,
    month_dimension_needed,
    parse_filters,
    parse_group_by,
    parse_month_range,
    shown_groups,
)

invitation_table: Table = Invitation.__table__  # type: ignore[attr-defined]

STAGES: tuple[tuple[str, str | None], ...] = (
    ("invited", None),
    ("sent", "first_sent_at"),
    ("delivered", "delivered_at"),
    ("opened", "opened_at"),
    ("started", "started_at"),
    ("completed", "completed_at"),
    ("withdrawn", "withdrawn_at"),
)
STAGE_NAMES = tuple(name for name, _ in STAGES)


class FunnelCell(BaseModel):
    group: dict[str, GroupValue]
    invited: int | None
    sent: int | None
    delivered: int | None
    opened: int | None
    started: int | None
    completed: int | None
    withdrawn: int | None
    response_rate: float | None
    suppressed: bool


class FunnelResult(BaseModel):
    group_by: list[str]
    min_cell: int
    cells: list[FunnelCell]


def _month_text(session: Session) -> ColumnElement[str]:
    """`YYYY-MM` of the touchpoint date, in the database's own dialect."""
    column = invitation_table.c.touchpoint_date
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _conditions(filters: Mapping[str, str], months: MonthRange) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name, value in filters.items():
        column = invitation_table.c[name]
        # An invitation's unknown area is stored as NULL; "" never reaches a filter.
        conditions.append(column == value)
    if months.first is not None:
        conditions.append(invitation_table.c.touchpoint_date >= months.first)
    if months.last is not None:
        conditions.append(invitation_table.c.touchpoint_date < periods.next_month(months.last))
    return conditions


def funnel_counts(
    session: Session,
    group_by: Sequence[str],
    filters: Mapping[str, str],
    months: MonthRange,
) -> dict[tuple[GroupValue, ...], dict[str, int]]:
    """Group key → count per stage (unsuppressed)."""
    base: list[ColumnElement[Any]] = [
        invitation_table.c[name] for name in FILTER_DIMENSIONS if name in group_by
    ]
    if month_dimension_needed(group_by):
        base.append(_month_text(session).label("month_text"))
    stage_columns = [
        (func.count() if column is None else func.count(invitation_table.c[column])).label(name)
        for name, column in STAGES
    ]
    statement = select(*base, *stage_columns).where(*_conditions(filters, months)).group_by(*base)
    totals: dict[tuple[GroupValue, ...], dict[str, int]] = {}
    for row in session.execute(statement).mappings():
        values: dict[str, Any] = dict(row)
        if "month_text" in values:
            values["month"] = date.fromisoformat(f"{values['month_text']}-01")
        key = tuple(group_label(name, values) for name in group_by)
        cell = totals.setdefault(key, dict.fromkeys(STAGE_NAMES, 0))
        for name in STAGE_NAMES:
            cell[name] += int(values[name] or 0)
    return {key: cell for key, cell in totals.items() if cell["invited"] > 0}


def funnel(
    session: Session,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    min_cell: int = 10,
    period_from: str | None = None,
    period_to: str | None = None,
) -> FunnelResult:
    """The funnel by group, suppressed on the number invited (primary and secondary)."""
    dimensions = parse_group_by(group_by)
    counts = funnel_counts(
        session, dimensions, parse_filters(filters), parse_month_range(period_from, period_to)
    )
    cells: list[FunnelCell] = []
    for group, stage in shown_groups(dimensions, counts, lambda stage: stage["invited"], min_cell):
        if stage is None:
            cells.append(
                FunnelCell(
                    group=group,
                    **dict.fromkeys(STAGE_NAMES),
                    response_rate=None,
                    suppressed=True,
                )
            )
            continue
        cells.append(
            FunnelCell(
                group=group,
                **stage,
                response_rate=stage["completed"] / stage["sent"] if stage["sent"] else None,
                suppressed=False,
            )
        )
    return FunnelResult(group_by=dimensions, min_cell=min_cell, cells=cells)


FUNNEL_CSV_COLUMNS = (*STAGE_NAMES, "response_rate", "suppressed")


def funnel_csv_rows(result: FunnelResult) -> tuple[list[str], list[list[Any]]]:
    columns = [*result.group_by, *FUNNEL_CSV_COLUMNS]
    rows = [
        [
            *(cell.group.get(name) for name in result.group_by),
            *(getattr(cell, name) for name in STAGE_NAMES),
            cell.response_rate,
            cell.suppressed,
        ]
        for cell in result.cells
    ]
    return columns, rows
