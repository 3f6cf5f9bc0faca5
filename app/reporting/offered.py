"""Which areas and languages are reported on their own, financial year by financial year.

An area (or language) is offered in a financial year only when it has at least OFFER_MINIMUM
responses in that year; the others are reported together as "other areas" ("other languages"),
as a group label and as a filter value alike. The decision reads the year's response count
through the perturbation table, as any other published count: it never turns on an exact
count, so a response moving an area across the line tells nobody that area's exact total.
Unknown areas count as one more area (shown as null when offered).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.reporting import periods
from app.reporting.disclosure import Tally
from app.reporting.tally_source import GroupValue, Tallies

OFFER_MINIMUM = 50
OTHER_AREAS = "other areas"
OTHER_LANGUAGES = "other languages"
OTHER_LABELS: Mapping[str, str] = {"area": OTHER_AREAS, "language": OTHER_LANGUAGES}
FOLDED_DIMENSIONS = tuple(OTHER_LABELS)


@dataclass(frozen=True)
class Offered:
    """Dimension → financial year (its April) → the raw values reported on their own."""

    by_year: Mapping[str, Mapping[date, frozenset[str]]] = field(default_factory=dict)

    def _offered(self, dimension: str, month: date) -> frozenset[str]:
        return self.by_year.get(dimension, {}).get(periods.financial_year_start(month), frozenset())

    def label(self, dimension: str, raw: str | None, month: date) -> GroupValue:
        """The group label of a raw area or language code in the month's financial year."""
        value = raw or ""
        if value in self._offered(dimension, month):
            return None if value == "" else value
        return OTHER_LABELS[dimension]

    def values(self, dimension: str, years: Iterable[date]) -> list[GroupValue]:
        """Every label the dimension can take in those financial years, "other" included."""
        labels: set[GroupValue] = {OTHER_LABELS[dimension]}
        for year in years:
            for value in self.by_year.get(dimension, {}).get(year, frozenset()):
                labels.add(None if value == "" else value)
        return sorted(labels, key=lambda label: (label is None, label or ""))

    def offered_in_any(self, dimension: str, value: str, years: Iterable[date]) -> bool:
        if value == OTHER_LABELS[dimension]:
            return True
        return any(value in self.by_year.get(dimension, {}).get(year, ()) for year in years)


def financial_years(first: date, last: date) -> list[date]:
    """The Aprils of the financial years that months first..last touch."""
    start, end = periods.financial_year_start(first), periods.financial_year_start(last)
    return [date(year, periods.FINANCIAL_YEAR_START, 1) for year in range(start.year, end.year + 1)]


def offered_values(tallies: Tallies, dimensions: Iterable[str], first: date, last: date) -> Offered:
    """The areas and languages offered in each financial year that months first..last touch."""
    years = financial_years(first, last)
    by_year: dict[str, dict[date, frozenset[str]]] = {}
    for dimension in sorted(set(dimensions) & set(FOLDED_DIMENSIONS)):
        counted: dict[tuple[str, date], Tally] = {}
        for row in tallies.response_months(dimension, years[0], periods.add_months(years[-1], 11)):
            slot = (str(row.values[dimension] or ""), periods.financial_year_start(row.month))
            counted[slot] = counted.get(slot, Tally()) + row.tallies["responses"]
        offered: dict[date, set[str]] = {year: set() for year in years}
        for (value, year), responses in counted.items():
            if responses.published() >= OFFER_MINIMUM:
                offered[year].add(value)
        by_year[dimension] = {year: frozenset(values) for year, values in offered.items()}
    return Offered(by_year)
