"""The agencies' side of the Victims' Code comparison, from their self-assessments.

An entry's numerator and denominator are summed over the quarters the period overlaps (an
entry per quarter covers that quarter's cases, so the sums make the period's figure). With a
crime group chosen, only that group's entries count; without one, an agency's entry for every
group is used, and where a quarter has none, its per-group entries are summed. Where no entry
exists for a right, its bare rate in the old `rights` format (averaged over the quarters) is
the force's figure, with no base, so a gap is judged against the victims' interval alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.reporting.models import SelfAssessment, SelfAssessmentEntry


@dataclass(frozen=True)
class ForceFigure:
    rate: float
    numerator: int | None = None  # None: a bare rate with no base
    denominator: int | None = None


@dataclass(frozen=True)
class ForceFigures:
    rates: Mapping[int, float] = field(default_factory=dict)  # right → mean bare rate
    counts: Mapping[tuple[int, str], tuple[int, int]] = field(default_factory=dict)

    def for_right(self, right: int) -> ForceFigure | None:
        """Every agency's entries for the right summed, else the old bare rate."""
        pairs = [value for (number, _), value in self.counts.items() if number == right]
        if pairs:
            return _figure(sum(n for n, _ in pairs), sum(d for _, d in pairs))
        rate = self.rates.get(right)
        return None if rate is None else ForceFigure(rate)

    def for_agency(self, right: int, agency: str) -> ForceFigure | None:
        counts = self.counts.get((right, agency))
        return None if counts is None else _figure(*counts)


def _figure(numerator: int, denominator: int) -> ForceFigure | None:
    return ForceFigure(numerator / denominator, numerator, denominator) if denominator else None


def as_force_figures(force: ForceFigures | Mapping[int, float]) -> ForceFigures:
    return force if isinstance(force, ForceFigures) else ForceFigures(rates=dict(force))


def bare_rates(session: Session, quarters: list[str]) -> dict[int, float]:
    """Right → mean of the force's bare self-assessed rates over the given quarters."""
    if not quarters:
        return {}
    rows = session.exec(select(SelfAssessment).where(col(SelfAssessment.period).in_(quarters)))
    by_right: dict[int, list[float]] = {}
    for row in rows:
        by_right.setdefault(row.right, []).append(row.rate)
    return {right: sum(rates) / len(rates) for right, rates in by_right.items()}


def entry_counts(
    session: Session, quarters: list[str], crime_group: str | None
) -> dict[tuple[int, str], tuple[int, int]]:
    """(right, agency) → (numerator, denominator) summed over the quarters."""
    if not quarters:
        return {}
    query = select(SelfAssessmentEntry).where(col(SelfAssessmentEntry.period).in_(quarters))
    if crime_group:
        query = query.where(SelfAssessmentEntry.crime_group == crime_group)
    whole: dict[tuple[int, str, str], tuple[int, int]] = {}
    by_group: dict[tuple[int, str, str], tuple[int, int]] = {}
    for row in session.exec(query):
        key = (row.right, row.agency, row.period)
        target = whole if crime_group or not row.crime_group else by_group
        n, d = target.get(key, (0, 0))
        target[key] = (n + row.numerator, d + row.denominator)
    for key, value in by_group.items():
        whole.setdefault(key, value)  # per-group entries only where no whole-force entry
    totals: dict[tuple[int, str], tuple[int, int]] = {}
    for (right, agency, _), (n, d) in whole.items():
        before = totals.get((right, agency), (0, 0))
        totals[(right, agency)] = (before[0] + n, before[1] + d)
    return totals


def force_figures(session: Session, quarters: list[str], crime_group: str | None) -> ForceFigures:
    return ForceFigures(
        rates=bare_rates(session, quarters), counts=entry_counts(session, quarters, crime_group)
    )
