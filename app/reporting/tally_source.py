"""What the aggregates need from storage: the `Tallies` protocol, the month-level tallies it
returns, and the bounded `Period` of whole months a query asks about.

Kept apart from the cells (app.reporting.cells), the offered values (app.reporting.offered)
and the database's tallies (app.reporting.tallies), which all use these shapes, so that none
of those three has to import another for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from app.banks.metrics import Metric
from app.reporting import periods
from app.reporting.disclosure import Tally

GroupValue = str | None


@dataclass(frozen=True)
class Period:
    """A bounded run of whole months (first days), first..last inclusive."""

    first: date
    last: date

    @property
    def label_from(self) -> str:
        return periods.month_label(self.first)

    @property
    def label_to(self) -> str:
        return periods.month_label(self.last)


def as_month(value: Any) -> date:
    """A month column's value (SQLite may hand back text)."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    assert isinstance(value, date)
    return value


@dataclass(frozen=True)
class MonthTallies:
    """The tallies of one month for one combination of raw dimension values."""

    values: Mapping[str, Any]  # raw crime_group, touchpoint, area, language, mode as asked for
    month: date
    tallies: Mapping[str, Tally]  # metric: positive, negative, dont_know; funnel: per stage


@dataclass(frozen=True)
class QuestionMonth:
    """A question's answered and skipped responses in one month."""

    question_id: str
    month: date
    answered: Tally
    skipped: Tally


class Tallies(Protocol):
    def metric_months(
        self,
        metric: Metric,
        columns: Sequence[str],
        filters: Mapping[str, str],
        period: Period,
        *,
        fine: bool,
    ) -> list[MonthTallies]:
        """Positive and not-positive answers to the metric per `columns` and month, and the
        counted don't know answers among the not-positive (`fine`:
        from rows that know area and language). Summed over every dimension not in `columns`
        or `filters`, mode included."""
        ...

    def characteristic_values(self, name: str) -> list[str]:
        """The codes an equality characteristic (age_band, sex, …) can take, from the banks."""
        ...

    def response_months(self, dimension: str, first: date, last: date) -> list[MonthTallies]:
        """Responses per value of `dimension` (area or language) and month."""
        ...

    def live_response_months(self, first: date, last: date) -> set[date]:
        """Months in which the service holds any response at all."""
        ...

    def invitation_months(
        self, columns: Sequence[str], filters: Mapping[str, str], period: Period
    ) -> list[MonthTallies]:
        """Invitations reaching each funnel stage per `columns` and month."""
        ...

    def live_invitation_months(self, first: date, last: date) -> set[date]:
        """Months in which the service invited anyone at all."""
        ...

    def question_months(
        self,
        version_ids: Sequence[int],
        single: Sequence[str],
        multi: Sequence[str],
        touchpoint: str | None,
        period: Period,
        mode: str | None = None,
    ) -> list[QuestionMonth]:
        """Per question and month: responses that answered it and that skipped it (of one
        mode only when `mode` is given, of both otherwise)."""
        ...

    def stopped(self, version_ids: Sequence[int], touchpoint: str | None) -> dict[str, Tally]:
        """Per question: surveys in progress now whose place is that question."""
        ...
