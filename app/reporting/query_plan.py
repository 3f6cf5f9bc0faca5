"""What every figure query decides before it reads a tally: dimensions, filters, the bounded
period, the areas and languages offered on their own, and the cells to publish.

The metric aggregates and the funnel read different tallies but must group, fold and bound a
query identically, or one could publish a cell the other hides; so they share this plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from app.banks.schema import CHARACTERISTICS
from app.enums import CRIME_GROUPS, MODES, TOUCHPOINTS
from app.errors import FieldError, InvalidInput
from app.reporting.cells import (
    FILTER_DIMENSIONS,
    TOO_MANY_DIMENSIONS,
    Grouping,
    Period,
    check_dimension_limit,
    check_offered_filters,
    parse_filters,
    parse_group_by,
    refuse_dimension,
    resolve_period,
)
from app.reporting.characteristics import NOT_WITH_CHARACTERISTIC, THRESHOLD_FACTOR
from app.reporting.disclosure import configured_min_cell
from app.reporting.offered import FOLDED_DIMENSIONS, offered_values
from app.reporting.parameters import Kind
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


def check_characteristics(group_by: Sequence[str], filters: Mapping[str, str]) -> str | None:
    """The one equality characteristic a query uses, if any; 422 for two, or for one with a
    dimension the characteristic rows do not keep (area, language)."""
    used = [name for name in CHARACTERISTICS if name in group_by or name in filters]
    if not used:
        return None
    if len(used) > 1:
        raise InvalidInput(
            "A query may use at most one of: " + ", ".join(CHARACTERISTICS) + ".",
            errors=[
                FieldError(
                    ("query", "group_by"),
                    f"Uses {', '.join(used)}: choose one.",
                    TOO_MANY_DIMENSIONS,
                )
            ],
        )
    for name in NOT_WITH_CHARACTERISTIC:
        refuse_dimension(
            name,
            group_by,
            filters,
            f"Equality figures ({used[0]}) are not split or filtered by {name}.",
        )
    return used[0]


def check_characteristic_value(
    name: str, filters: Mapping[str, str], values: Sequence[str]
) -> None:
    """422 for a filter on a characteristic code no bank offers (the list comes from the
    banks, not the answers: refusing it tells nothing about who answered)."""
    if name in filters and filters[name] not in values:
        raise InvalidInput(
            "A filter is not valid.",
            errors=[
                FieldError(
                    ("query", name),
                    f"Use one of: {', '.join(values)}." if values else "No bank asks this.",
                    Kind.CHOICE,
                )
            ],
        )


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
    allowed: dict[str, Sequence[str]] = {
        "crime_group": CRIME_GROUPS,
        "touchpoint": TOUCHPOINTS,
        "mode": MODES,
    }
    min_cell = configured_min_cell()
    characteristic = check_characteristics(dimensions, chosen)
    if characteristic is not None:
        allowed[characteristic] = tallies.characteristic_values(characteristic)
        check_characteristic_value(characteristic, chosen, allowed[characteristic])
        min_cell *= THRESHOLD_FACTOR  # equality figures have their own, higher threshold
    period = resolve_period(period_from, period_to, today)
    used = [name for name in FILTER_DIMENSIONS if name in dimensions or name in chosen]
    folded = [name for name in FOLDED_DIMENSIONS if name in used]
    offered = offered_values(tallies, folded, period.first, period.last)
    check_offered_filters(chosen, offered, period)
    grouping = Grouping(dimensions, chosen, period, offered, allowed)
    return QueryPlan(
        dimensions=dimensions,
        period=period,
        min_cell=min_cell,
        grouping=grouping,
        folds=bool(folded),
        columns=used,
        pushed={name: value for name, value in chosen.items() if name not in FOLDED_DIMENSIONS},
    )
