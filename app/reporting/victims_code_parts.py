"""The victims' figure of a `several` right per delivering agency (issue 14).

A response belongs to one touchpoint, and the aspects of a right are delivered there by a known
agency (app.banks.aspects). Where one agency delivers every aspect of the right asked at a
touchpoint, the right's derived answer there (app.reporting.right_rates) *is* that agency's
answer, so the agency's part reads the right's derived tallies at those touchpoints. Where two
or more agencies share a touchpoint (today right 8 at court: witness care and the CPS), each
agency's part reads its own derived answer there (`victims_code.right_N.<agency>`, the right's
rule over only that agency's aspects, counted on submit, withdrawal and rebuild). So every
agency's part counts every touchpoint where it delivers an aspect of the right, and the part
lists them. Each part is a cell of its own, published from its pieces' published counts like
any other (cell-key method).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.banks.aspects import aspects_of, right_agencies
from app.banks.metrics import Metric, right_measure
from app.reporting.aggregates import (
    EMPTY_METRIC_PIECE,
    MetricCell,
    MetricPiece,
    get_metric_or_404,
    is_live,
    metric_cell,
    shows_dont_know,
)
from app.reporting.cells import Period
from app.reporting.disclosure import SENSITIVE_MEASURES, Tally, adjustment_bound
from app.reporting.periods import Piece
from app.reporting.query_plan import plan_query
from app.reporting.right_rates import part_measure, part_of, shared_touchpoints
from app.reporting.tallies import Tallies


def part_sources(right: int) -> dict[str, list[tuple[str, str]]]:
    """Agency → the (touchpoint, metric or part id) pairs its part reads, in touchpoint order:
    the right's own derived answers where the agency alone delivers it, its part's where it
    shares the touchpoint."""
    shared = shared_touchpoints(right)
    sources: dict[str, list[tuple[str, str]]] = {agency: [] for agency in right_agencies(right)}
    seen: set[tuple[str, str]] = set()
    for aspect in aspects_of(right):
        for touchpoint, agency in aspect.agencies.items():
            if (agency, touchpoint) in seen:
                continue
            seen.add((agency, touchpoint))
            read = part_measure(right, agency) if touchpoint in shared else right_measure(right)
            sources[agency].append((touchpoint, read))
    return sources


def source_metric(metric_id: str) -> Metric:
    """The metric a part reads: the right's own, or its part id with the right's codes (a part
    id is not in the registry, so /metrics does not list it and no bank can tag it)."""
    named = part_of(metric_id)
    if named is None:
        return get_metric_or_404(metric_id)
    right, agency = named
    metric = get_metric_or_404(right_measure(right))
    return replace(
        metric,
        id=metric_id,
        title=f"{metric.title} (the part {agency.replace('_', ' ')} delivers)",
        touchpoints=frozenset(shared_touchpoints(right)),
    )


def _add(first: MetricPiece, second: MetricPiece) -> MetricPiece:
    """The tallies of two disjoint sets of records together (each response has one
    touchpoint, so the sets of different touchpoints never overlap)."""
    return MetricPiece(
        first.positive + second.positive,
        first.negative + second.negative,
        first.dont_know + second.dont_know,
    )


def _tallies_by_touchpoint(
    tallies: Tallies, metric_id: str, filters: Mapping[str, str | None], period: Period
) -> tuple[dict[str, dict[Piece, MetricPiece]], list[Piece]]:
    """Touchpoint → time piece → the metric's exact tallies there (nothing published yet),
    and the period's live pieces."""
    metric = source_metric(metric_id)
    chosen = {name: value for name, value in filters.items() if value}
    group_by = [] if "touchpoint" in chosen else ["touchpoint"]
    plan = plan_query(tallies, group_by, chosen, period.label_from, period.label_to, period.last)
    keys = {spec.key: spec for spec in plan.grouping.cells()}
    found: dict[str, dict[Piece, MetricPiece]] = {}
    for row in tallies.metric_months(
        metric, plan.columns, plan.pushed, plan.period, fine=plan.folds
    ):
        placed = plan.grouping.place(row.values, row.month)
        if placed is None:
            continue
        key, piece = placed
        spec = keys[key]
        touchpoint = str(spec.group.get("touchpoint") or chosen.get("touchpoint"))
        by_piece = found.setdefault(touchpoint, {})
        by_piece[piece] = _add(
            by_piece.get(piece, EMPTY_METRIC_PIECE),
            MetricPiece(
                row.tallies["positive"],
                row.tallies["negative"],
                row.tallies.get("dont_know", Tally()),
            ),
        )
    live = tallies.live_response_months(plan.period.first, plan.period.last)
    first = next(iter(keys.values()), None)
    pieces = [piece for piece in (first.pieces if first else ()) if is_live(piece, live)]
    return found, pieces


def part_cell(
    tallies: Tallies,
    right: int,
    sources: Sequence[tuple[str, str]],
    filters: Mapping[str, str | None],
    period: Period,
    min_cell: int,
) -> tuple[MetricCell, list[str], int]:
    """The agency's cell, the touchpoints it counts, and the bound of its adjustment.

    Like any metric cell it is published per time piece, each piece's tallies summed over the
    part's touchpoints first (exact counts and key sums), so an empty touchpoint adds nothing.
    """
    wanted = filters.get("touchpoint")
    merged: dict[Piece, MetricPiece] = {}
    pieces: list[Piece] = []
    touchpoints: list[str] = []
    read: dict[str, dict[str, dict[Piece, MetricPiece]]] = {}
    for touchpoint, metric_id in sources:
        if wanted and touchpoint != wanted:
            continue
        if metric_id not in read:
            read[metric_id], pieces = _tallies_by_touchpoint(tallies, metric_id, filters, period)
        touchpoints.append(touchpoint)
        for piece, value in read[metric_id].get(touchpoint, {}).items():
            merged[piece] = _add(merged.get(piece, EMPTY_METRIC_PIECE), value)
    measure = get_metric_or_404(right_measure(right))
    cell = metric_cell(
        {},
        [merged.get(piece, EMPTY_METRIC_PIECE) for piece in pieces] if touchpoints else [],
        min_cell=min_cell,
        sensitive=measure.id in SENSITIVE_MEASURES,
        dont_know=shows_dont_know(measure),
    )
    return cell, touchpoints, adjustment_bound(2 * len(pieces))
