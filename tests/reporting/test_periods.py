from datetime import date

import pytest

from app.reporting.periods import (
    financial_year_label,
    month_label,
    parse_period,
    quarter_label,
    quarters_between,
)


def test_labels() -> None:
    assert month_label(date(2026, 7, 1)) == "2026-07"
    assert quarter_label(date(2026, 1, 1)) == "2026-Q1"
    assert quarter_label(date(2026, 3, 1)) == "2026-Q1"
    assert quarter_label(date(2026, 4, 1)) == "2026-Q2"
    assert quarter_label(date(2026, 12, 1)) == "2026-Q4"


def test_financial_years_run_april_to_march() -> None:
    assert financial_year_label(date(2026, 3, 1)) == "2025-26"
    assert financial_year_label(date(2026, 4, 1)) == "2026-27"
    assert financial_year_label(date(2027, 3, 1)) == "2026-27"
    assert financial_year_label(date(2099, 12, 1)) == "2099-00"


def test_parse_months_and_quarters() -> None:
    assert parse_period("2026-07") == (date(2026, 7, 1), date(2026, 7, 1))
    assert parse_period("2026-Q3") == (date(2026, 7, 1), date(2026, 9, 1))
    assert parse_period("2026-Q4") == (date(2026, 10, 1), date(2026, 12, 1))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026Q1", "26-01", "", "x"])
def test_bad_periods_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


def test_quarters_between_covers_partial_quarters() -> None:
    assert quarters_between(date(2026, 2, 1), date(2026, 7, 1)) == [
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
    ]
    assert quarters_between(date(2026, 12, 1), date(2027, 1, 1)) == ["2026-Q4", "2027-Q1"]
