"""Newcombe's hybrid score interval and when a gap is called (issue 14)."""

from __future__ import annotations

import pytest

from app.reporting.compliance_gap import (
    HIGHER,
    LOWER,
    NO_CLEAR_DIFFERENCE,
    call_gap,
    comparisons_text,
    newcombe_interval,
)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "low", "high"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873-890, Table II, method 10.
        (56, 70, 48, 80, 0.0524, 0.3339),
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
        (0, 10, 0, 20, -0.1611, 0.2775),
    ],
)
def test_newcombe_matches_the_published_table(
    x1: int, n1: int, x2: int, n2: int, low: float, high: float
) -> None:
    interval = newcombe_interval(x1, n1, x2, n2)
    assert interval is not None
    assert interval[0] == pytest.approx(low, abs=5e-5)
    assert interval[1] == pytest.approx(high, abs=5e-5)


def test_no_interval_without_a_base() -> None:
    assert newcombe_interval(1, 0, 2, 3) is None


def cell(positive: int, n: int, **extra: object) -> dict[str, object]:
    from app.reporting.stats import wilson_interval

    low, high = wilson_interval(positive, n) or (None, None)
    return {
        "positive": positive,
        "n": n,
        "ci_low": low,
        "ci_high": high,
        "low_base": n < 50,
        **extra,
    }


def test_gap_called_when_the_interval_excludes_zero() -> None:
    verdict = call_gap(**cell(48, 80), force_rate=0.8, force_numerator=56, force_denominator=70)
    assert verdict.call == LOWER
    assert verdict.ci_low == pytest.approx(-0.3339, abs=5e-5)
    assert verdict.ci_high == pytest.approx(-0.0524, abs=5e-5)


def test_no_clear_difference_when_the_interval_spans_zero() -> None:
    verdict = call_gap(**cell(60, 100), force_rate=0.65, force_numerator=65, force_denominator=100)
    assert verdict.call == NO_CLEAR_DIFFERENCE
    assert verdict.ci_low is not None and verdict.ci_low < 0 < (verdict.ci_high or 0)


def test_a_low_base_cell_is_never_called() -> None:
    verdict = call_gap(**cell(5, 40), force_rate=0.95, force_numerator=950, force_denominator=1000)
    assert verdict.call == NO_CLEAR_DIFFERENCE


def test_without_a_force_base_the_force_figure_is_set_against_the_victims_interval() -> None:
    assert call_gap(**cell(60, 100), force_rate=0.9).call == LOWER
    assert call_gap(**cell(60, 100), force_rate=0.3).call == HIGHER
    inside = call_gap(**cell(60, 100), force_rate=0.62)
    assert inside.call == NO_CLEAR_DIFFERENCE
    assert inside.ci_low is None and inside.ci_high is None


def test_nothing_to_compare() -> None:
    assert (
        call_gap(
            positive=None, n=None, ci_low=None, ci_high=None, low_base=None, force_rate=0.9
        ).call
        is None
    )
    assert call_gap(**cell(60, 100), force_rate=None).call is None


def test_the_view_says_how_many_comparisons_and_the_chance_of_a_false_alarm() -> None:
    text = comparisons_text(17)
    assert "17 comparisons" in text and "1 in 20" in text
