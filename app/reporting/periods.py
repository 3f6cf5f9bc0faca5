"""Reporting periods: months, calendar quarters and April-to-March financial years (pure).

A reporting period is a run of whole months. It is answered as the sum of its canonical pieces:
the whole financial years inside it, then the whole calendar quarters, then single months
(calendar quarters never straddle a financial year, so the pieces are unique). Each piece is
perturbed once, wherever it is asked for, so no spelling of a period draws fresh noise.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

# ASCII digits only: `\d` would also take "٢٠٢٦" (Arabic-Indic digits) as 2026.
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER = re.compile(r"^([0-9]{4})-Q([1-4])$")
FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_FINANCIAL_YEARS = 5  # the longest period any figure may cover
FINANCIAL_YEAR_START = 4  # April

PieceKind = Literal["financial_year", "quarter", "month"]


def month_label(month: date) -> str:
    """`2026-07`."""
    return f"{month.year:04d}-{month.month:02d}"


def quarter_of(month: date) -> int:
    return (month.month - 1) // 3 + 1


def quarter_label(month: date) -> str:
    """The calendar quarter a month falls in: `2026-Q3`."""
    return f"{month.year:04d}-Q{quarter_of(month)}"


def financial_year_start(month: date) -> date:
    """The first month (April) of the financial year `month` falls in."""
    year = month.year if month.month >= FINANCIAL_YEAR_START else month.year - 1
    return date(year, FINANCIAL_YEAR_START, 1)


def financial_year_label(month: date) -> str:
    """The April-to-March financial year a month falls in: March 2027 is in `2026-27`."""
    start = financial_year_start(month).year
    return f"{start:04d}-{(start + 1) % 100:02d}"


def _check_year(year: int) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"Use a year from {FIRST_YEAR} to {LAST_YEAR}.")


def parse_quarter(text: str) -> tuple[date, date]:
    """`2026-Q3` → (first day of July 2026, first day of September 2026)."""
    match = _QUARTER.match(text.strip())
    if not match:
        raise ValueError("Use a quarter like 2026-Q3.")
    year, quarter = int(match.group(1)), int(match.group(2))
    _check_year(year)
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), date(year, first_month + 2, 1)


def parse_period(text: str) -> tuple[date, date]:
    """A `YYYY-MM` month or `YYYY-Qn` quarter → its first and last month (first days)."""
    value = text.strip()
    match = _MONTH.match(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise ValueError("Use a month like 2026-07 or a quarter like 2026-Q3.")
        _check_year(year)
        first = date(year, month, 1)
        return first, first
    if _QUARTER.match(value):
        return parse_quarter(value)
    raise ValueError("Use a month like 2026-07 or a quarter like 2026-Q3.")


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months first..last, inclusive."""
    months: list[date] = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def quarters_between(first: date, last: date) -> list[str]:
    """Labels of the calendar quarters that overlap the months first..last (inclusive)."""
    labels: list[str] = []
    for month in months_between(first, last):
        label = quarter_label(month)
        if label not in labels:
            labels.append(label)
    return labels


def financial_years_spanned(first: date, last: date) -> int:
    """How many financial years the months first..last touch."""
    return financial_year_start(last).year - financial_year_start(first).year + 1


def default_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """A period with a missing end made whole: no start → the start of the end's financial
    year; no end → the end of this financial year (of the start's, if it starts later), so
    "from X" reaches the latest figures; neither → this financial year."""
    if first is None and last is None:
        first = financial_year_start(today)
    if first is None:
        assert last is not None
        first = financial_year_start(last)
    if last is None:
        last = add_months(financial_year_start(max(first, today.replace(day=1))), 11)
    return first, last


@functools.lru_cache(maxsize=4096)
def _months_of(first: date, last: date) -> tuple[date, ...]:
    return tuple(months_between(first, last))


@dataclass(frozen=True, order=True)
class Piece:
    """One canonical piece of a period: a whole financial year, quarter or month."""

    first: date
    last: date  # first day of the piece's last month
    kind: PieceKind

    def months(self) -> tuple[date, ...]:
        return _months_of(self.first, self.last)


def canonical_pieces(first: date, last: date) -> list[Piece]:
    """The months first..last as whole financial years, then whole quarters, then months."""
    pieces: list[Piece] = []
    month = first.replace(day=1)
    while month <= last:
        year_end = add_months(month, 11)
        quarter_end = add_months(month, 2)
        if month.month == FINANCIAL_YEAR_START and year_end <= last:
            pieces.append(Piece(month, year_end, "financial_year"))
            month = next_month(year_end)
        elif month.month % 3 == 1 and quarter_end <= last:
            pieces.append(Piece(month, quarter_end, "quarter"))
            month = next_month(quarter_end)
        else:
            pieces.append(Piece(month, month, "month"))
            month = next_month(month)
    return pieces


def label_span(dimension: str, label: str) -> tuple[date, date]:
    """The months a `month`, `quarter` or `financial_year` label covers."""
    if dimension == "financial_year":
        start = date(int(label[:4]), FINANCIAL_YEAR_START, 1)
        return start, add_months(start, 11)
    return parse_period(label)


def quarter_label_offset(label: str, offset: int) -> str:
    """`2026-Q3` moved by `offset` quarters: (2026-Q3, -1) → 2026-Q2."""
    first, _last = parse_quarter(label)
    index = first.year * 4 + (first.month - 1) // 3 + offset
    return f"{index // 4:04d}-Q{index % 4 + 1}"
