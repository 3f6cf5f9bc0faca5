"""Which cells an aggregate lists, and which period piece of which cell each month feeds.

Shared by the metric aggregates and the funnel. A query names its dimensions (`group_by`), its
filters and a bounded period. Every combination of the dimensions' values is listed, whether or
not it holds any record: leaving empty cells out would tell which small cells are not empty.
Values come from fixed lists (crime groups, touchpoints, the months of the period) or from whole
financial years (offered areas and languages, app.reporting.offered), never from the cell.

A cell covers the months of its period label within the query's period, answered as the sum of
its canonical pieces (app.reporting.periods.canonical_pieces).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.banks.schema import CHARACTERISTICS
from app.errors import FieldError, InvalidInput
from app.reporting import parameters, periods
from app.reporting.offered import OTHER_LABELS, Offered, financial_years
from app.reporting.periods import Piece
from app.reporting.tally_source import GroupValue, Period

GROUP_DIMENSIONS: tuple[str, ...] = (
    "crime_group",
    "touchpoint",
    "area",
    "month",
    "quarter",
    "financial_year",
    "language",
    "mode",
    *CHARACTERISTICS,
)
FILTER_DIMENSIONS: tuple[str, ...] = (
    "crime_group",
    "touchpoint",
    "area",
    "language",
    "mode",
    *CHARACTERISTICS,
)
PERIOD_DIMENSIONS: tuple[str, ...] = ("month", "quarter", "financial_year")  # finest first
# Besides crime group, touchpoint and period, a query may use only a few of these, counting its
# filters and group_by together. The equality characteristics (age_band, sex, disability,
# ethnicity: app.reporting.characteristics) are among them. Later issues add outcome and a
# cross-tab answer to the set.
LIMITED_DIMENSIONS: frozenset[str] = frozenset({"area", "language", "mode", *CHARACTERISTICS})
MAX_LIMITED_DIMENSIONS = 2
MAX_CELLS = 10_000  # an answer listing more cells than this is refused: narrow the query

CellKey = tuple[GroupValue, ...]

# The kinds of this module's field errors, for a page to word them (app.errors.error_summary).
UNKNOWN_DIMENSION = "unknown_dimension"
NOT_A_FILTER = "not_a_filter"
TOO_LONG = "too_long"
TOO_MANY_DIMENSIONS = "too_many_dimensions"
NOT_OFFERED = "not_offered"
TOO_MANY_CELLS = "too_many_cells"
NOT_FOR_THIS_FIGURE = "not_for_this_figure"

PERIOD_LABELS = {
    "month": periods.month_label,
    "quarter": periods.quarter_label,
    "financial_year": periods.financial_year_label,
}


# --- parameters -----------------------------------------------------------------------------


def parse_group_by(values: Iterable[str] | None) -> list[str]:
    """`group_by` given comma-separated or repeated → the dimensions in order, without repeats."""
    dimensions: list[str] = []
    unknown: list[str] = []
    for value in values or ():
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in GROUP_DIMENSIONS:
                unknown.append(name)
            elif name not in dimensions:
                dimensions.append(name)
    if unknown:
        raise InvalidInput(
            "group_by takes only: " + ", ".join(GROUP_DIMENSIONS) + ".",
            errors=[
                FieldError(
                    ("query", "group_by"),
                    f"Unknown dimension; use any of {', '.join(GROUP_DIMENSIONS)}.",
                    UNKNOWN_DIMENSION,
                )
            ],
        )
    return dimensions


def parse_filters(filters: Mapping[str, str | None] | None) -> dict[str, str]:
    """Filters on crime group, touchpoint, area, language, mode and the equality
    characteristics; blank values are ignored."""
    chosen = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
    errors: list[FieldError] = []
    for name, value in chosen.items():
        if name not in FILTER_DIMENSIONS:
            errors.append(FieldError(("query", name), "Not a filter.", NOT_A_FILTER))
        elif name in parameters.CHOICES and (problem := parameters.choice_problem(name, value)):
            errors.append(problem.field_error())
        elif len(str(value)) > 64:
            errors.append(FieldError(("query", name), "Too long.", TOO_LONG))
    if errors:
        raise InvalidInput("A filter is not valid.", errors=errors)
    return {name: str(value) for name, value in chosen.items()}


def check_dimension_limit(
    group_by: Sequence[str],
    filters: Mapping[str, str],
    *,
    limited: frozenset[str] = LIMITED_DIMENSIONS,
    maximum: int = MAX_LIMITED_DIMENSIONS,
) -> None:
    """422 when a query uses more than `maximum` of the limited dimensions."""
    used = sorted(limited & {*group_by, *filters})
    if len(used) > maximum:
        raise InvalidInput(
            f"A query may use at most {maximum} of: {', '.join(sorted(limited))}.",
            errors=[
                FieldError(
                    ("query", "group_by"),
                    f"Uses {', '.join(used)}: choose at most {maximum}.",
                    TOO_MANY_DIMENSIONS,
                )
            ],
        )


def refuse_dimension(
    name: str,
    group_by: Sequence[str],
    filters: Mapping[str, str | None] | None,
    reason: str,
) -> None:
    """422 when a figure that cannot take dimension `name` is grouped or filtered by it: a
    parameter it cannot honour is refused, never ignored (the answer would look split)."""
    places = [
        *((("query", "group_by"),) if name in group_by else ()),
        *((("query", name),) if (filters or {}).get(name) not in (None, "") else ()),
    ]
    if places:
        raise InvalidInput(
            reason,
            errors=[FieldError(place, reason, NOT_FOR_THIS_FIGURE) for place in places],
        )


def refuse_parameters(query: Mapping[str, str], names: Iterable[str], reason: str) -> None:
    """422 naming each of `names` given (not blank) in the query: a figure that cannot honour
    a parameter refuses it rather than answering as if unsplit."""
    given = [name for name in names if query.get(name) not in (None, "")]
    if given:
        raise InvalidInput(
            reason,
            errors=[FieldError(("query", name), reason, NOT_FOR_THIS_FIGURE) for name in given],
        )


def resolve_period(period_from: str | None, period_to: str | None, today: date) -> Period:
    """`from` and `to` (YYYY-MM or YYYY-Qn, inclusive) → a bounded period; 422 when invalid.

    A missing end is made whole (app.reporting.periods.default_range); a period may touch at
    most MAX_FINANCIAL_YEARS financial years.
    """
    first, last, problems = parameters.parse_bounds(period_from, period_to)
    if problems:
        raise InvalidInput("The period is not valid.", errors=[p.field_error() for p in problems])
    first, last = periods.default_range(first, last, today)
    problems = parameters.span_problems(first, last)
    if problems:
        raise InvalidInput("The period is not valid.", errors=[p.field_error() for p in problems])
    return Period(first, last)


def check_offered_filters(filters: Mapping[str, str], offered: Offered, period: Period) -> None:
    """422 for an area or language filter that names a value not offered in the period."""
    years = financial_years(period.first, period.last)
    errors = [
        FieldError(
            ("query", name),
            f"Not reported on its own in this period: use {OTHER_LABELS[name]!r}.",
            NOT_OFFERED,
        )
        for name, value in filters.items()
        if name in OTHER_LABELS and not offered.offered_in_any(name, value, years)
    ]
    if errors:
        raise InvalidInput("A filter is not valid.", errors=errors)


# --- cells ----------------------------------------------------------------------------------


def sort_key(key: CellKey) -> tuple[tuple[int, str], ...]:
    """Order cells by their labels, unknown (None) last in each dimension."""
    return tuple((1, "") if value is None else (0, value) for value in key)


@dataclass(frozen=True)
class CellSpec:
    """One listed cell: its labels and the canonical pieces of the months it covers."""

    key: CellKey
    group: dict[str, GroupValue]
    pieces: tuple[Piece, ...]


class Grouping:
    """The cells of one query, and where each month's rows go."""

    def __init__(
        self,
        group_by: Sequence[str],
        filters: Mapping[str, str],
        period: Period,
        offered: Offered,
        allowed: Mapping[str, Sequence[str]],
    ) -> None:
        self.group_by = list(group_by)
        self.filters = dict(filters)
        self.period = period
        self.offered = offered
        self.allowed = allowed  # crime_group / touchpoint → the values this figure can take
        period_dims = [name for name in PERIOD_DIMENSIONS if name in self.group_by]
        self.unit = period_dims[0] if period_dims else None
        self._pieces: dict[tuple[date, date], tuple[Piece, ...]] = {}
        self._months: dict[date, tuple[dict[str, str], Piece]] = {}

    # Period units: the spans of the finest period label asked for, clipped to the period.
    def _unit_span(self, month: date) -> tuple[date, date]:
        first, last = self.period.first, self.period.last
        if self.unit is None:
            return first, last
        start, end = periods.label_span(self.unit, PERIOD_LABELS[self.unit](month))
        return max(start, first), min(end, last)

    def pieces(self, span: tuple[date, date]) -> tuple[Piece, ...]:
        if span not in self._pieces:
            self._pieces[span] = tuple(periods.canonical_pieces(*span))
        return self._pieces[span]

    def _units(self) -> list[tuple[date, date]]:
        spans: list[tuple[date, date]] = []
        for month in periods.months_between(self.period.first, self.period.last):
            span = self._unit_span(month)
            if span not in spans:
                spans.append(span)
        return spans

    def _values(self, name: str) -> list[GroupValue]:
        if name in self.filters:
            return [self.filters[name]]
        if name in OTHER_LABELS:
            return self.offered.values(name, financial_years(self.period.first, self.period.last))
        return list(self.allowed[name])

    def cells(self) -> list[CellSpec]:
        """Every cell, in label order; 422 when there would be more than MAX_CELLS."""
        other = [name for name in self.group_by if name not in PERIOD_DIMENSIONS]
        choices = [self._values(name) for name in other]
        units = self._units()
        size = len(units) if self.unit else 1
        for values in choices:
            size *= len(values)
        if size > MAX_CELLS:
            raise InvalidInput(
                f"That would list {size:,} cells; at most {MAX_CELLS:,} can be listed.",
                errors=[
                    FieldError(
                        ("query", "group_by"),
                        "Group by fewer dimensions, filter, or ask for a shorter period.",
                        TOO_MANY_CELLS,
                    )
                ],
            )
        specs: list[CellSpec] = []
        for span in units:
            for combination in itertools.product(*choices):
                labels = dict(zip(other, combination, strict=True))
                for name in PERIOD_DIMENSIONS:
                    if name in self.group_by:
                        labels[name] = PERIOD_LABELS[name](span[0])
                key = tuple(labels[name] for name in self.group_by)
                specs.append(CellSpec(key, labels, self.pieces(span)))
        specs.sort(key=lambda spec: sort_key(spec.key))
        return specs

    def _month(self, month: date) -> tuple[dict[str, str], Piece]:
        """A month's period labels and the piece of its cell it falls in (worked out once)."""
        if month not in self._months:
            labels = {
                name: PERIOD_LABELS[name](month)
                for name in PERIOD_DIMENSIONS
                if name in self.group_by
            }
            piece = next(
                piece
                for piece in self.pieces(self._unit_span(month))
                if piece.first <= month <= piece.last
            )
            self._months[month] = (labels, piece)
        return self._months[month]

    def place(self, raw: Mapping[str, Any], month: date) -> tuple[CellKey, Piece] | None:
        """The cell and piece that a month's row (raw dimension values) feeds, or None when
        the row is outside the filters or the period."""
        if not self.period.first <= month <= self.period.last:
            return None
        period_labels, piece = self._month(month)
        labels: dict[str, GroupValue] = dict(period_labels)
        for name in FILTER_DIMENSIONS:
            if name not in self.filters and name not in self.group_by:
                continue
            if name in OTHER_LABELS:
                label = self.offered.label(name, raw.get(name), month)
            else:
                label = None if raw.get(name) is None else str(raw[name])
            if name in self.filters and label != self.filters[name]:
                return None
            labels[name] = label
        return tuple(labels[name] for name in self.group_by), piece
