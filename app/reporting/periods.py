"""Reporting periods: months, calendar quarters and April-to-March financial years (pure)."""

from __future__ import annotations

import re
from datetime import date

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


def month_label(month: date) -> str:
    """`2026-07`."""
    return f"{month.year:04d}-{month.month:02d}"


def quarter_of(month: date) -> int:
    return (month.month - 1) // 3 + 1


def quarter_label(month: date) -> str:
    """The calendar quarter a month falls in: `2026-Q3`."""
    return f"{month.year:04d}-Q{quarter_of(month)}"


def financial_year_label(month: date) -> str:
    """The April-to-March financial year a month falls in: March 2027 is in `2026-27`."""
    start = month.year if month.month >= 4 else month.year - 1
    return f"{start:04d}-{(start + 1) % 100:02d}"


def parse_quarter(text: str) -> tuple[date, date]:
    """`2026-Q3` → (first day of July 2026, first day of September 2026)."""
    match = _QUARTER.match(text.strip())
    if not match:
        raise ValueError("Use a quarter like 2026-Q3.")
    year, quarter = int(match.group(1)), int(match.group(2))
    first_month = 3 * (quarter - 1) + 1
    return date(year, first_month, 1), date(year, first_month + 2, 1)


def parse_period(text: str) -> tuple[date, date]:
    """A `YYYY-MM` month or `YYYY-Qn` quarter → its first and last month (first days)."""
    value = text.strip()
    match = _MONTH.match(value)
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12 or year < 1:
            raise ValueError("Use a month like 2026-07 or a quarter like 2026-Q3.")
        first = date(year, month, 1)
        return first, first
    if _QUARTER.match(value):
        return parse_quarter(value)
    raise ValueError("Use a month like 2026-07 or a quarter like 2026-Q3.")


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def quarters_between(first: date, last: date) -> list[str]:
    """Labels of the calendar quarters that overlap the months first..last (inclusive)."""
    labels: list[str] = []
    month = first.replace(day=1)
    while month <= last:
        label = quarter_label(month)
        if label not in labels:
            labels.append(label)
        month = next_month(month)
    return labels
