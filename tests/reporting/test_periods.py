from datetime import date

import pytest

from app.reporting.periods import (
    Piece,
    canonical_pieces,
    default_range,
    financial_year_label,
    financial_years_spanned,
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


@pytest.mark.parametrize(
    "text",
    [
        "2026-13",
        "2026-00",
        "2026-Q5",
        "2026Q1",
        "26-01",
        "",
        "x",
        # Digits of other scripts are digits to `\\d` and to int(), not to a period.
        "\u0662\u0660\u0662\u0666-07",
        "2026-\u0660\u0667",
        "\u0662\u0660\u0662\u0666-Q3",
        # Years a date cannot hold a month after, and years no report covers.
        "9999-12",
        "0001-01",
    ],
)
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


def test_a_period_is_cut_into_whole_years_then_quarters_then_months() -> None:
    # May 2026 to March 2028: two months, three quarters, one financial year.
    assert canonical_pieces(date(2026, 5, 1), date(2028, 3, 1)) == [
        Piece(date(2026, 5, 1), date(2026, 5, 1), "month"),
        Piece(date(2026, 6, 1), date(2026, 6, 1), "month"),
        Piece(date(2026, 7, 1), date(2026, 9, 1), "quarter"),
        Piece(date(2026, 10, 1), date(2026, 12, 1), "quarter"),
        Piece(date(2027, 1, 1), date(2027, 3, 1), "quarter"),
        Piece(date(2027, 4, 1), date(2028, 3, 1), "financial_year"),
    ]
    # A quarter spelled as its months is the same piece as the quarter.
    assert (
        canonical_pieces(*parse_period("2026-Q3"))
        == canonical_pieces(date(2026, 7, 1), date(2026, 9, 1))
        == [Piece(date(2026, 7, 1), date(2026, 9, 1), "quarter")]
    )
    assert canonical_pieces(date(2026, 8, 1), date(2026, 8, 1)) == [
        Piece(date(2026, 8, 1), date(2026, 8, 1), "month")
    ]


def test_pieces_cover_every_month_once() -> None:
    first, last = date(2021, 11, 1), date(2026, 2, 1)
    months = [month for piece in canonical_pieces(first, last) for month in piece.months()]
    assert months == sorted(set(months))
    assert months[0] == first and months[-1] == last and len(months) == 52


def test_a_missing_end_reaches_this_financial_year() -> None:
    today = date(2026, 12, 1)
    assert default_range(None, None, today) == (date(2026, 4, 1), date(2027, 3, 1))
    assert default_range(date(2025, 7, 1), None, today) == (date(2025, 7, 1), date(2027, 3, 1))
    assert default_range(date(2027, 7, 1), None, today) == (date(2027, 7, 1), date(2028, 3, 1))
    assert default_range(None, date(2025, 2, 1), today) == (date(2024, 4, 1), date(2025, 2, 1))
    assert default_range(date(2025, 2, 1), date(2025, 1, 1), today) == (
        date(2025, 2, 1),
        date(2025, 1, 1),
    )


def test_financial_years_spanned() -> None:
    assert financial_years_spanned(date(2026, 4, 1), date(2027, 3, 1)) == 1
    assert financial_years_spanned(date(2026, 3, 1), date(2026, 4, 1)) == 2
    assert financial_years_spanned(date(2022, 4, 1), date(2027, 3, 1)) == 5
    assert financial_years_spanned(date(1900, 1, 1), date(2999, 12, 1)) == 1101
