"""A reference computation of published metric cells, straight from the responses.

Written the plain way (every cell, every piece, every response) and apart from the service, so a
test can check the service's figures, rollups, cell keys and rules against it. It uses only the
perturbation table (app.cell_key, checked on its own) and the canonical pieces of a
period (app.reporting.periods, checked on its own).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.cell_key import perturb
from app.reporting.periods import (
    canonical_pieces,
    financial_year_label,
    financial_year_start,
    month_label,
    months_between,
    quarter_label,
)
from app.reporting.stats import wilson_interval

CRIME_GROUPS = ("general", "rasso", "vawg")
TOUCHPOINTS = ("reporting", "investigation", "outcome", "court", "sentence")
MODES = ("self", "assisted")
OTHER = {"area": "other areas", "language": "other languages"}
LABEL = {"month": month_label, "quarter": quarter_label, "financial_year": financial_year_label}
PERIOD_DIMENSIONS = ("month", "quarter", "financial_year")


@dataclass
class Submitted:
    """A response as a test made it: its context, answers and record key."""

    context: dict[str, Any]  # crime_group, touchpoint, area, month, language, mode (optional)
    answers: dict[str, Any]
    record_key: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def month(self) -> date:
        value: date = self.context["month"]
        return value.replace(day=1)


@dataclass(frozen=True)
class Published:
    n: int
    positive: int

    @property
    def rate(self) -> float:
        return self.positive / self.n

    @property
    def interval(self) -> tuple[float, float]:
        interval = wilson_interval(self.positive, self.n)
        assert interval is not None
        return interval


def _publish(records: Iterable[Submitted]) -> tuple[int, int]:
    """(published count, true count) of a set of records."""
    chosen = list(records)
    return perturb(len(chosen), sum(r.record_key for r in chosen) % 256), len(chosen)


def _span(unit: str | None, month: date, first: date, last: date) -> tuple[date, date]:
    if unit is None:
        return first, last
    if unit == "month":
        return month, month
    if unit == "quarter":
        start = date(month.year, 3 * ((month.month - 1) // 3) + 1, 1)
        end = date(start.year, start.month + 2, 1)
    else:
        start = financial_year_start(month)
        end = date(start.year + 1, 3, 1)
    return max(start, first), min(end, last)


def offered(responses: Sequence[Submitted], dimension: str, year: date) -> set[str]:
    """Raw values of `dimension` with a published response count of 50 or more in the year."""
    by_value: dict[str, list[Submitted]] = {}
    for response in responses:
        if financial_year_start(response.month) == year:
            by_value.setdefault(response.context[dimension] or "", []).append(response)
    return {value for value, rows in by_value.items() if _publish(rows)[0] >= 50}


def metric_cells(
    responses: Sequence[Submitted],
    *,
    question_ids: set[str],
    positive: set[str],
    excluded: set[str],
    group_by: Sequence[str],
    first: date,
    last: date,
    min_cell: int,
    filters: Mapping[str, str] | None = None,
    sensitive: bool = False,
) -> dict[tuple[Any, ...], Published | None]:
    """Cell labels → published (n, positive), or None for a suppressed cell."""
    filters = dict(filters or {})
    years = sorted({financial_year_start(m) for m in months_between(first, last)})
    offers = {
        (dimension, year): offered(responses, dimension, year)
        for dimension in OTHER
        for year in years
    }

    def label(response: Submitted, dimension: str) -> Any:
        if dimension in OTHER:
            raw = response.context[dimension] or ""
            if raw in offers[(dimension, financial_year_start(response.month))]:
                return raw or None
            return OTHER[dimension]
        if dimension in LABEL:
            return LABEL[dimension](response.month)
        if dimension == "mode":
            return response.context.get("mode", "self")
        return response.context[dimension]

    live = {response.month for response in responses}
    unit = next((name for name in PERIOD_DIMENSIONS if name in group_by), None)
    spans = list(dict.fromkeys(_span(unit, m, first, last) for m in months_between(first, last)))

    def values(dimension: str) -> list[Any]:
        if dimension in filters:
            return [filters[dimension]]
        if dimension in OTHER:
            found = {value or None for year in years for value in offers[(dimension, year)]}
            found.add(OTHER[dimension])
            return sorted(found, key=lambda v: (v is None, v or ""))
        if dimension == "mode":
            return list(MODES)
        return list(CRIME_GROUPS if dimension == "crime_group" else TOUCHPOINTS)

    other_dimensions = [name for name in group_by if name not in PERIOD_DIMENSIONS]
    answers: list[tuple[Submitted, str]] = [
        (response, response.answers[question])
        for response in responses
        for question in sorted(question_ids & set(response.answers))
        if response.answers[question] is not None
        and response.answers[question] not in excluded
        and first <= response.month <= last
        and all(label(response, name) == value for name, value in filters.items())
    ]
    cells: dict[tuple[Any, ...], Published | None] = {}
    for span in spans:
        for combination in itertools.product(*(values(name) for name in other_dimensions)):
            labels = dict(zip(other_dimensions, combination, strict=True))
            for name in PERIOD_DIMENSIONS:
                if name in group_by:
                    labels[name] = LABEL[name](span[0])
            key = tuple(labels[name] for name in group_by)
            members = [
                (response, code)
                for response, code in answers
                if span[0] <= response.month <= span[1]
                and all(label(response, name) == labels[name] for name in other_dimensions)
            ]
            pieces = [
                piece
                for piece in canonical_pieces(*span)
                if any(month in live for month in piece.months())
            ]
            published: list[tuple[int, int]] = []
            for piece in pieces:
                inside = [(r, c) for r, c in members if piece.first <= r.month <= piece.last]
                pos_published, _ = _publish(r for r, c in inside if c in positive)
                neg_published, _ = _publish(r for r, c in inside if c not in positive)
                published.append((pos_published, neg_published))

            def too_few(pos: int, neg: int) -> bool:
                # On published counts: a rule on true counts leaks them to a tracker.
                return sensitive and pos + neg < 2 * min_cell and min(pos, neg) < 3

            if not published or any(p + q < min_cell or too_few(p, q) for p, q in published):
                cells[key] = None
                continue
            n = sum(p + q for p, q in published)
            pos = sum(p for p, _ in published)
            if too_few(pos, n - pos):
                cells[key] = None
                continue
            cells[key] = Published(n, pos)
    return cells


def keep_all(_: Submitted) -> bool:
    return True


def responses_where(
    responses: Sequence[Submitted], keep: Callable[[Submitted], bool] = keep_all
) -> list[Submitted]:
    return [response for response in responses if keep(response)]
