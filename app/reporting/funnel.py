"""The invitation funnel: invited → sent → delivered → opened → started → completed, by group.

Each stage counts the invitations that reached it *or any later stage* (an invitation opened
without a delivery receipt was delivered), so true counts never rise along the chain.

Disclosure control (docs/disclosure-control.md): in each period piece, the invitations are
split by the last stage they reached (invited only, sent but not delivered, …, completed), and
each of those disjoint counts is a tally published once through the cell-key table; a stage is
the sum of the published counts at or beyond it. So every invitation sits in exactly one
perturbed count, the stages can never rise along the chain, and each stage is still within
2 × (the stages it adds up) of the truth. (Perturbing the nested stage counts one by one and
clamping would publish each completed survey six times with six independent adjustments,
enough together to pin a small group: tests/disclosure/test_attack_endpoints.py.) Withdrawn is
its own published count, at most invited. A cell is suppressed when any live piece has fewer
than min_cell published invitations; a stage of a shown cell is left empty (null) when any
live piece has fewer than min_cell at that stage, so a small number of completed surveys is
never published on its own.

The funnel counts invitations, not responses, and an invitation has no mode: whether a survey
is answered alone or with a support worker is known only of a submitted response. So the
funnel takes no `mode`; a query grouped or filtered by mode is refused (422), never answered
as if it were split.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session

from app import clock
from app.banks.schema import CHARACTERISTICS
from app.reporting.aggregates import (
    CSV_DISCLOSURE_COLUMNS,
    database_tallies,
    disclosure_csv_values,
    is_live,
)
from app.reporting.cells import (
    CellKey,
    GroupValue,
    parse_group_by,
    refuse_dimension,
)
from app.reporting.disclosure import (
    Disclosure,
    Tally,
    adjustment_bound,
    is_low_base,
)
from app.reporting.periods import Piece
from app.reporting.query_plan import plan_query
from app.reporting.tallies import STAGE_NAMES, Tallies

CHAIN = STAGE_NAMES[:-1]  # invited ≥ sent ≥ … ≥ completed
NO_MODE = (
    "The funnel counts invitations, not responses, and an invitation has no mode: "
    "split or filter responses by mode in the metric aggregates instead."
)


NO_EQUALITY = (
    "The funnel counts invitations, and an invitation has no equality answers: split or "
    "filter responses by age band, sex, disability or ethnicity in the metric aggregates."
)


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
    low_base: bool | None = None  # fewer than 50 published invitations; null when suppressed


class FunnelResult(BaseModel):
    group_by: list[str]
    period_from: str
    period_to: str
    min_cell: int
    cells: list[FunnelCell]
    disclosure: Disclosure


@dataclass(frozen=True)
class FunnelPiece:
    """One period piece of a funnel cell: a tally per stage."""

    stages: Mapping[str, Tally]

    def published(self) -> dict[str, int]:
        """Each last-stage-reached count published once; a stage is the sum at or beyond it."""
        values: dict[str, int] = {}
        beyond = 0
        later = Tally()
        for name in reversed(CHAIN):
            reached = self.stages[name]
            beyond += (reached - later).published()  # reached this stage and went no further
            values[name] = beyond
            later = reached
        values["withdrawn"] = min(self.stages["withdrawn"].published(), values["invited"])
        return values


EMPTY_PIECE = FunnelPiece({name: Tally() for name in STAGE_NAMES})


def funnel_cell(
    group: dict[str, GroupValue], pieces: Sequence[FunnelPiece], *, min_cell: int
) -> FunnelCell:
    """A funnel cell from its live pieces (pure)."""
    published = [piece.published() for piece in pieces]
    if not published or any(values["invited"] < min_cell for values in published):
        return FunnelCell(
            group=group,
            **dict.fromkeys(STAGE_NAMES),
            response_rate=None,
            suppressed=True,
            low_base=None,
        )
    stages: dict[str, int | None] = {
        name: None
        if any(values[name] < min_cell for values in published)
        else sum(values[name] for values in published)
        for name in STAGE_NAMES
    }
    sent, completed = stages["sent"], stages["completed"]
    return FunnelCell(
        group=group,
        **stages,
        response_rate=completed / sent if sent and completed is not None else None,
        suppressed=False,
        low_base=is_low_base(stages["invited"]),
    )


def funnel(
    session: Session,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> FunnelResult:
    """The funnel by group, with disclosure control applied; raises InvalidInput."""
    return funnel_from(database_tallies(session), group_by, filters, period_from, period_to, on=on)


def funnel_from(
    tallies: Tallies,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> FunnelResult:
    """`funnel` reading its tallies from `tallies`."""
    refuse_dimension("mode", parse_group_by(group_by), filters, NO_MODE)
    for characteristic in CHARACTERISTICS:
        refuse_dimension(characteristic, parse_group_by(group_by), filters, NO_EQUALITY)
    plan = plan_query(tallies, group_by, filters, period_from, period_to, on or clock.today())
    period, min_cell = plan.period, plan.min_cell
    accumulated: dict[tuple[CellKey, Piece], dict[str, Tally]] = {}
    for row in tallies.invitation_months(plan.columns, plan.pushed, period):
        placed = plan.grouping.place(row.values, row.month)
        if placed is None:
            continue
        stages = accumulated.setdefault(placed, {name: Tally() for name in STAGE_NAMES})
        for name in STAGE_NAMES:
            stages[name] = stages[name] + row.tallies[name]
    live = tallies.live_invitation_months(period.first, period.last)
    cells: list[FunnelCell] = []
    most_pieces = 0
    for spec in plan.grouping.cells():
        pieces = [
            FunnelPiece(accumulated[(spec.key, piece)])
            if (spec.key, piece) in accumulated
            else EMPTY_PIECE
            for piece in spec.pieces
            if is_live(piece, live)
        ]
        most_pieces = max(most_pieces, len(pieces))
        cells.append(funnel_cell(spec.group, pieces, min_cell=min_cell))
    return FunnelResult(
        group_by=plan.dimensions,
        period_from=period.label_from,
        period_to=period.label_to,
        min_cell=min_cell,
        cells=cells,
        # Invited adds one published count per stage in every piece.
        disclosure=Disclosure(
            min_cell=min_cell, max_adjustment=adjustment_bound(len(CHAIN) * most_pieces)
        ),
    )


FUNNEL_CSV_COLUMNS = (*STAGE_NAMES, "response_rate", "suppressed", "low_base")


def funnel_csv_rows(result: FunnelResult) -> tuple[list[str], list[list[Any]]]:
    columns = [*result.group_by, *FUNNEL_CSV_COLUMNS, *CSV_DISCLOSURE_COLUMNS]
    rows = [
        [
            *(cell.group.get(name) for name in result.group_by),
            *(getattr(cell, name) for name in STAGE_NAMES),
            cell.response_rate,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(result.disclosure),
        ]
        for cell in result.cells
    ]
    return columns, rows
