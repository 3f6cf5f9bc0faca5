"""The figures of one quarter of the public results page: the board's measures by crime group.

They are the quarterly report's cells (app.reporting.board_sections), which are the aggregates
API's published cells for crime_group × quarter and for all groups: nothing here counts
anything itself, so the page opens no new way to difference figures. A suppressed cell keeps
no figure at all ("too few answers" on the page).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Session

from app.reporting import periods
from app.reporting.board_sections import board_sections
from app.reporting.disclosure import Disclosure, configured_min_cell

CELL_FIELDS = {"n", "positive", "rate", "ci_low", "ci_high", "suppressed", "low_base"}


class ResultCell(BaseModel):
    crime_group: str  # a crime group's slug, or "all"
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    low_base: bool | None


class ResultMeasure(BaseModel):
    metric: str
    title: str
    priority: str  # the board priority's title it belongs to
    lower_is_better: bool
    cells: list[ResultCell]


class FrozenQuarter(BaseModel):
    """One quarter as frozen: stored as `results_quarter.payload`, served as is."""

    quarter: str
    frozen_at: datetime
    measures: list[ResultMeasure]
    disclosure: Disclosure


def quarter_figures(session: Session, quarter: str, *, at: datetime) -> FrozenQuarter:
    """Compute the quarter's published figures now (the caller freezes them)."""
    first, last = periods.parse_quarter(quarter)
    min_cell = configured_min_cell()
    measures: list[ResultMeasure] = []
    bounds: list[int] = []
    for section in board_sections(session, quarter, first, last, min_cell):
        for rows in section.measures:
            bounds.append(rows.max_adjustment)
            measures.append(
                ResultMeasure(
                    metric=rows.metric_id,
                    title=rows.title,
                    priority=section.priority.title,
                    lower_is_better=rows.lower_is_better,
                    cells=[
                        ResultCell(crime_group=group, **cell.model_dump(include=CELL_FIELDS))
                        for group, cell in rows.by_group
                    ],
                )
            )
    return FrozenQuarter(
        quarter=quarter,
        frozen_at=at,
        measures=measures,
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=max(bounds, default=0)),
    )
