"""The victims' figure of a `several` right per delivering agency (issue 14).

A response belongs to one touchpoint, and the aspects of a right are delivered there by a known
agency (app.banks.aspects). Where one agency delivers every aspect of the right asked at a
touchpoint, the right's derived answer there (app.reporting.right_rates) *is* that agency's
answer, so the agency's part is the right's derived tallies at those touchpoints. Where two
agencies share a touchpoint (today only right 8 at court: witness care and the CPS), an
agency's answer there can be read only when it has a single aspect there (its aspect's own
answer, with the right's exclusions, equals its derived answer); otherwise that touchpoint is
left out of the part, and the part lists the touchpoints it counts. Each part is a cell of its
own, published from its pieces' published counts like any other (cell-key method).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.banks.aspects import aspects_of, right_agencies
from app.banks.metrics import right_measure
from app.reporting.aggregates import (
    EMPTY_METRIC_PIECE,
    MetricCell,
    MetricPiece,
    get_metric_or_404,
    is_live,
    metric_cell,
    shows_dont_know,
)
from app.reporting.cells import CellKey, Period
from app.reporting.disclosure import SENSITIVE_MEASURES, Tally, adjustment_bound
from app.reporting.periods import Piece
from app.reporting.query_plan import plan_query
from app.reporting.tallies import Tallies


def part_sources(right: int) -> dict[str, list[tuple[str, str]]]:
    """Agency → the (touchpoint, metric id) pairs its part reads, in touchpoint order."""
    at: dict[str, dict[str, list[str]]] = {}  # touchpoint → agency → its aspect ids there
    for aspect in aspects_of(right):
        for touchpoint, agency in aspect.agencies.items():
            at.setdefault(touchpoint, {}).setdefault(agency, []).append(aspect.id)
    sources: dict[str, list[tuple[str, str]]] = {agency: [] for agency in right_agencies(right)}
    for touchpoint, agencies in at.items():
        for agency, aspect_ids in agencies.items():
            if len(agencies) == 1:
                sources[agency].append((touchpoint, right_measure(right)))
            elif len(aspect_ids) == 1:
                sources[agency].append((touchpoint, aspect_ids[0]))
    return sources


def _pieces_by_touchpoint(
    tallies: Tallies, metric_id: str, filters: Mapping[str, str | None], period: Period
) -> dict[str, list[MetricPiece]]:
    """Touchpoint → the live pieces of the metric's cell there (the aggregates' own reading)."""
    metric = get_metric_or_404(metric_id)
    chosen = {name: value for name, value in filters.items() if value}
    group_by = [] if "touchpoint" in chosen else ["touchpoint"]
    plan = plan_query(tallies, group_by, chosen, period.label_from, period.label_to, period.last)
    accumulated: dict[tuple[CellKey, Piece], MetricPiece] = {}
    for row in tallies.metric_months(
        metric, plan.columns, plan.pushed, plan.period, fine=plan.folds
    ):
        placed = plan.grouping.place(row.values, row.month)
        if placed is None:
            continue
        before = accumulated.get(placed, EMPTY_METRIC_PIECE)
        accumulated[placed] = MetricPiece(
            before.positive + row.tallies["positive"],
            before.negative + row.tallies["negative"],
            before.dont_know + row.tallies.get("dont_know", Tally()),
        )
    live = tallies.live_response_months(plan.period.first, plan.period.last)
    found: dict[str, list[MetricPiece]] = {}
    for spec in plan.grouping.cells():
        touchpoint = str(spec.group.get("touchpoint") or chosen.get("touchpoint"))
        found[touchpoint] = [
            accumulated.get((spec.key, piece), EMPTY_METRIC_PIECE)
            for piece in spec.pieces
            if is_live(piece, live)
        ]
    return found


def part_cell(
    tallies: Tallies,
    right: int,
    sources: Sequence[tuple[str, str]],
    filters: Mapping[str, str | None],
    period: Period,
    min_cell: int,
) -> tuple[MetricCell, list[str], int]:
    """The agency's cell, the touchpoints it counts, and the bound of its adjustment."""
    wanted = filters.get("touchpoint")
    pieces: list[MetricPiece] = []
    touchpoints: list[str] = []
    by_metric: dict[str, dict[str, list[MetricPiece]]] = {}
    for touchpoint, metric_id in sources:
        if wanted and touchpoint != wanted:
            continue
        if metric_id not in by_metric:
            by_metric[metric_id] = _pieces_by_touchpoint(tallies, metric_id, filters, period)
        touchpoints.append(touchpoint)
        pieces.extend(by_metric[metric_id].get(touchpoint, []))
    measure = get_metric_or_404(right_measure(right))
    cell = metric_cell(
        {},
        pieces,
        min_cell=min_cell,
        sensitive=measure.id in SENSITIVE_MEASURES,
        dont_know=shows_dont_know(measure),
    )
    return cell, touchpoints, adjustment_bound(2 * len(pieces))
