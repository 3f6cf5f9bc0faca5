"""Metric aggregates from the rollup counts: published n, positive, rate, Wilson interval.

A metric's inputs are the (bank version, question, touchpoint) triples whose question is tagged
with the metric's measure and asked at that touchpoint. They come from the published versions'
documents, read once per version: a published document never changes.

Disclosure control (docs/disclosure-control.md): each cell is the sum of its period pieces; in
each piece the positive and the not-positive answers are two tallies, each published once
through the cell-key table; n is their sum and the rate and interval come from the published
counts. A cell is suppressed when any of its live pieces has a published n below min_cell (or,
for a sensitive measure, too few published positive or not-positive answers): so the published
value of a small piece never enters any figure, and a cell is suppressed in every answer or in
none. Every suppression is decided on published counts only.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from pydantic import BaseModel
from sqlmodel import Session

from app import audit, clock
from app.banks import metrics as metric_registry
from app.banks.aspects import INFORMATION_RIGHTS, SEVERAL, right_agency
from app.banks.metrics import Metric
from app.enums import TOUCHPOINTS
from app.errors import NotFound
from app.reporting.cells import (
    FILTER_DIMENSIONS,
    GROUP_DIMENSIONS,
    CellKey,
    GroupValue,
    parse_filters,
    parse_group_by,
)
from app.reporting.disclosure import (
    SENSITIVE_MEASURES,
    SENSITIVE_MINIMUM,
    Disclosure,
    Tally,
    adjustment_bound,
    is_low_base,
)
from app.reporting.feeds import ANSWERED_STATUSES, latest_question_ids, metric_inputs
from app.reporting.periods import Piece
from app.reporting.query_plan import plan_query
from app.reporting.stats import wilson_interval
from app.reporting.tallies import DatabaseTallies, Tallies

__all__ = [
    "ANSWERED_STATUSES",
    "FILTER_DIMENSIONS",
    "GROUP_DIMENSIONS",
    "AggregateResult",
    "MetricCell",
    "aggregate_metric",
    "aggregate_metric_from",
    "metric_inputs",
    "parse_filters",
    "parse_group_by",
]


class MetricCell(BaseModel):
    group: dict[str, GroupValue]
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    low_base: bool | None = None  # published n below 50; null when suppressed
    # Information rights and their aspects only: the share of n who answered don't know
    # (counted as not received), from published counts; null when suppressed or not one.
    dont_know: float | None = None


class AggregateResult(BaseModel):
    metric: str
    title: str
    lower_is_better: bool
    group_by: list[str]
    period_from: str
    period_to: str
    min_cell: int
    cells: list[MetricCell]
    disclosure: Disclosure


class MetricInfo(BaseModel):
    id: str
    title: str
    description: str
    question_ids: list[str]
    positive_codes: list[str]
    excluded_codes: list[str]
    crime_groups: list[str]
    touchpoints: list[str]
    lower_is_better: bool
    # Victims' Code rights and their aspects: the right's number, and who delivers it
    # (police, witness_care, cps, courts, probation, or several; per touchpoint in `agencies`).
    right: int | None = None
    agency: str | None = None
    agencies: dict[str, str] = {}
    board: bool = False  # one of the board's measures
    comparable_with: list[str] = []
    caveats: list[str] = []


def metric_agency(metric: Metric) -> str | None:
    """The agency delivering a right or aspect everywhere it is asked, else `several`."""
    if metric.right is None:
        return None
    if not metric.agencies:  # the right's own figure, derived from its aspects
        return right_agency(metric.right)
    agencies = set(metric.agencies.values())
    return agencies.pop() if len(agencies) == 1 else SEVERAL


def get_metric_or_404(metric_id: str) -> Metric:
    metric = metric_registry.get_metric(metric_id)
    if metric is None:
        raise NotFound("There is no metric with that id.")
    return metric


def list_metrics(session: Session) -> list[MetricInfo]:
    """The metric registry, with the questions that feed each metric today."""
    question_ids = latest_question_ids(session)
    return [
        MetricInfo(
            id=metric.id,
            title=metric.title,
            description=metric.description,
            question_ids=question_ids.get(metric.id, []),
            positive_codes=sorted(metric.positive_codes),
            excluded_codes=sorted(metric.excluded_codes),
            crime_groups=sorted(metric.crime_groups),
            touchpoints=[t for t in TOUCHPOINTS if t in metric.touchpoints],
            lower_is_better=metric.lower_is_better,
            right=metric.right,
            agency=metric_agency(metric),
            agencies=dict(metric.agencies),
            board=metric.board,
            comparable_with=list(metric.comparable_with),
            caveats=list(metric.caveats),
        )
        for metric in metric_registry.METRICS
    ]


# --- the aggregate --------------------------------------------------------------------------


def is_live(piece: Piece, live: set[date]) -> bool:
    return any(month in live for month in piece.months())


@dataclass(frozen=True)
class MetricPiece:
    """One piece of a metric cell: its two tallies, each published once."""

    positive: Tally
    negative: Tally  # answers counted but not positive
    dont_know: Tally = Tally()  # counted don't know answers, a part of `negative`

    @functools.cached_property
    def published_positive(self) -> int:
        return self.positive.published()

    @functools.cached_property
    def published_negative(self) -> int:
        return self.negative.published()

    @functools.cached_property
    def published_n(self) -> int:
        return self.published_positive + self.published_negative

    @functools.cached_property
    def published_dont_know(self) -> int:
        """Published once on its own, and never more than the published not-positive count
        it is a part of."""
        return min(self.dont_know.published(), self.published_negative)


EMPTY_METRIC_PIECE = MetricPiece(Tally(), Tally())


def too_few_either_way(positive: int, negative: int, min_cell: int) -> bool:
    """The sensitive-measure rule, on *published* counts: n below twice min_cell with a
    positive or not-positive count below SENSITIVE_MINIMUM. The issue says true counts, but a
    rule on true counts leaks: a tracker who adds one answer and sees the cell flip between
    hidden and shown learns the exact true count. A rule on published counts reveals nothing
    the published counts would not (docs/disclosure-control.md)."""
    n = positive + negative
    return n < 2 * min_cell and min(positive, negative) < SENSITIVE_MINIMUM


def hidden_piece(piece: MetricPiece, min_cell: int, sensitive: bool) -> bool:
    if piece.published_n < min_cell:
        return True
    return sensitive and too_few_either_way(
        piece.published_positive, piece.published_negative, min_cell
    )


def suppressed_cell(group: dict[str, GroupValue]) -> MetricCell:
    return MetricCell(
        group=group,
        n=None,
        positive=None,
        rate=None,
        ci_low=None,
        ci_high=None,
        suppressed=True,
        low_base=None,
    )


def metric_cell(
    group: dict[str, GroupValue],
    pieces: Sequence[MetricPiece],
    *,
    min_cell: int,
    sensitive: bool,
    dont_know: bool = False,
) -> MetricCell:
    """A cell from the tallies of its live pieces (pure); with `dont_know`, the share of n
    that answered don't know."""
    if not pieces or any(hidden_piece(piece, min_cell, sensitive) for piece in pieces):
        return suppressed_cell(group)
    n = sum(piece.published_n for piece in pieces)
    positive = sum(piece.published_positive for piece in pieces)
    if sensitive and too_few_either_way(positive, n - positive, min_cell):
        return suppressed_cell(group)
    interval = wilson_interval(positive, n)
    assert interval is not None  # n ≥ min_cell ≥ 1
    return MetricCell(
        group=group,
        n=n,
        positive=positive,
        rate=positive / n,
        ci_low=interval[0],
        ci_high=interval[1],
        suppressed=False,
        low_base=is_low_base(n),
        dont_know=sum(piece.published_dont_know for piece in pieces) / n if dont_know else None,
    )


def shows_dont_know(metric: Metric) -> bool:
    """An information right, or one of its aspects: don't know counts as not received and is
    shown as its own share."""
    return metric.right in INFORMATION_RIGHTS


def database_tallies(session: Session) -> DatabaseTallies:
    """The rollups of this session, as the aggregates read them."""
    return DatabaseTallies(session, metric_inputs)


def aggregate_metric(
    session: Session,
    metric_id: str,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> AggregateResult:
    """One metric by any allowed combination of dimensions, with disclosure control applied;
    raises NotFound/InvalidInput. `on` is the day a missing period end is counted from."""
    return aggregate_metric_from(
        database_tallies(session), metric_id, group_by, filters, period_from, period_to, on=on
    )


def aggregate_metric_from(
    tallies: Tallies,
    metric_id: str,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> AggregateResult:
    """`aggregate_metric` reading its tallies from `tallies`."""
    metric = get_metric_or_404(metric_id)
    plan = plan_query(tallies, group_by, filters, period_from, period_to, on or clock.today())
    period, min_cell = plan.period, plan.min_cell
    accumulated: dict[tuple[CellKey, Piece], MetricPiece] = {}
    for row in tallies.metric_months(metric, plan.columns, plan.pushed, period, fine=plan.folds):
        placed = plan.grouping.place(row.values, row.month)
        if placed is None:
            continue
        before = accumulated.get(placed, EMPTY_METRIC_PIECE)
        accumulated[placed] = MetricPiece(
            before.positive + row.tallies["positive"],
            before.negative + row.tallies["negative"],
            before.dont_know + row.tallies.get("dont_know", Tally()),
        )
    live = tallies.live_response_months(period.first, period.last)
    alive: dict[Piece, bool] = {}
    sensitive = metric.id in SENSITIVE_MEASURES
    dont_know = shows_dont_know(metric)
    cells: list[MetricCell] = []
    most_pieces = 0
    for spec in plan.grouping.cells():
        pieces = [
            accumulated.get((spec.key, piece), EMPTY_METRIC_PIECE)
            for piece in spec.pieces
            if alive.setdefault(piece, is_live(piece, live))
        ]
        most_pieces = max(most_pieces, len(pieces))
        cells.append(
            metric_cell(
                spec.group, pieces, min_cell=min_cell, sensitive=sensitive, dont_know=dont_know
            )
        )
    return AggregateResult(
        metric=metric.id,
        title=metric.title,
        lower_is_better=metric.lower_is_better,
        group_by=plan.dimensions,
        period_from=period.label_from,
        period_to=period.label_to,
        min_cell=min_cell,
        cells=cells,
        # n adds a positive and a not-positive published count in every piece.
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=adjustment_bound(2 * most_pieces)),
    )


def record_aggregate_read(
    session: Session, *, actor: str, metric: str, params: Mapping[str, Any]
) -> None:
    """Audit one aggregate read: who, which figure, which parameters (never personal data)."""
    detail = {"metric": metric, "params": {k: v for k, v in params.items() if v not in (None, "")}}
    audit.record(
        session,
        actor=actor,
        action="aggregates.read",
        object_type="metric",
        object_id=metric,
        detail=detail,
    )


CSV_VALUE_COLUMNS = ("n", "positive", "rate", "ci_low", "ci_high", "suppressed", "low_base")
# Every CSV of an aggregate ends with the answer's `disclosure` object, one column per field.
CSV_DISCLOSURE_COLUMNS = ("disclosure_method", "min_cell", "max_adjustment")


def disclosure_csv_values(disclosure: Disclosure) -> list[Any]:
    return [disclosure.method, disclosure.min_cell, disclosure.max_adjustment]


class CellTable(Protocol):
    """What a CSV of metric cells needs: an aggregate's answer, or a cross-tab's."""

    group_by: list[str]
    cells: list[MetricCell]
    disclosure: Disclosure


def aggregate_csv_rows(result: CellTable) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of an aggregate as CSV: the group dimensions, then the figures."""
    columns = [*result.group_by, *CSV_VALUE_COLUMNS, *CSV_DISCLOSURE_COLUMNS]
    rows = [
        [
            *(cell.group.get(name) for name in result.group_by),
            cell.n,
            cell.positive,
            cell.rate,
            cell.ci_low,
            cell.ci_high,
            cell.suppressed,
            cell.low_base,
            *disclosure_csv_values(result.disclosure),
        ]
        for cell in result.cells
    ]
    return columns, rows
