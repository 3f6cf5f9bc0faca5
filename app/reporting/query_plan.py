"""What every figure query decides before it reads a tally: dimensions, filters, the bounded
period, the areas and languages offered on their own, and the cells to publish.

The metric aggregates and the funnel read different tallies but must group, fold and bound a
query identically, or one could publish a cell the other hides; so they share this plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.enums import CRIME_GROUPS, MODES, TOUCHPOINTS
from app.reporting.cells import (
    FILTER_DIMENSIONS,
    Grouping,
    Period,
    check_dimension_limit,
    check_offered_filters,
    parse_filters,
    parse_group_by,
    resolve_period,
)
from app.reporting.disclosure import configured_min_cell
from app.reporting.offered import FOLDED_DIMENSIONS, offered_values
from app.reporting.tallies import Tallies


@dataclass(frozen=True)
class QueryPlan:
    dimensions: list[str]
    period: Period
    min_cell: int
    grouping: Grouping
    # Whether an area or language takes part: rows must then be read finely enough to fold.
    folds: bool
    # The tally columns to read, and the filters the database can apply itself (folded
    # dimensions are filtered after folding, since "other areas" is no stored value).
    columns: list[str]
    pushed: dict[str, str]


def plan_query(
    tallies: Tallies,
    group_by: Sequence[str] | None,
    filters: Mapping[str, str | None] | None,
    period_from: str | None,
    period_to: str | None,
    today: date,
) -> QueryPlan:
    """Check and resolve a figure query; raises InvalidInput on anything it cannot answer."""
    dimensions = parse_group_by(group_by)
    chosen = parse_filters(filters)
    check_dimension_limit(dimensions, chosen)
    period = resolve_period(period_from, period_to, today)
    used = [name for name in FILTER_DIMENSIONS if name in dimensions or name in chosen]
    folded = [name for name in FOLDED_DIMENSIONS if name in used]
    offered = offered_values(tallies, folded, period.first, period.last)
    check_offered_filters(chosen, offered, period)
    grouping = Grouping(
        dimensions,
        chosen,
        period,
        offered,
        {"crime_group": CRIME_GROUPS, "touchpoint": TOUCHPOINTS, "mode": MODES},
    )
    return QueryPlan(
        dimensions=dimensions,
        period=period,
        min_cell=configured_min_cell(),
        grouping=grouping,
        folds=bool(folded),
        columns=used,
        pushed={name: value for name, value in chosen.items() if name not in FOLDED_DIMENSIONS},
    )
