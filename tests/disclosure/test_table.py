"""The perturbation table meets the numbers docs/disclosure-control.md promises."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import cell_key
from app.cell_key import (
    ADJUSTMENTS,
    KEY_SPACE,
    MAX_ADJUSTMENT,
    adjustment,
    distribution,
    perturb,
    possible_counts,
    row_for,
    scramble,
)

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

SMALL = range(1, 20)
COUNTS = range(0, 80)


def test_every_row_is_a_distribution_in_256ths_with_mean_exactly_zero() -> None:
    for count in COUNTS:
        weights = row_for(count)
        assert sum(weights) == KEY_SPACE and min(weights) >= 0
        mean = sum(Fraction(w, KEY_SPACE) * d for w, d in zip(weights, ADJUSTMENTS, strict=True))
        assert mean == 0, count


def test_each_key_gives_exactly_its_share() -> None:
    """Over the 256 cell keys, each adjustment comes up exactly as often as its weight."""
    assert sorted(scramble(key) for key in range(KEY_SPACE)) == list(range(KEY_SPACE))
    for count in COUNTS:
        seen = Counter(adjustment(count, key) for key in range(KEY_SPACE))
        assert seen == {d: w for d, w in zip(ADJUSTMENTS, row_for(count), strict=True) if w}, count


def test_a_true_zero_stays_zero_and_nothing_is_negative() -> None:
    assert {perturb(0, key) for key in range(KEY_SPACE)} == {0}
    for count in COUNTS:
        for key in range(KEY_SPACE):
            published = perturb(count, key)
            assert published >= 0 and abs(published - count) <= MAX_ADJUSTMENT


def test_a_small_count_is_unchanged_at_most_four_times_in_ten() -> None:
    for count in SMALL:
        assert distribution(count).get(count, 0) <= Fraction(4, 10), count


def test_one_and_two_are_published_as_zero_at_least_a_quarter_of_the_time() -> None:
    assert distribution(1)[0] >= Fraction(1, 4)
    assert distribution(2)[0] >= Fraction(1, 4)


def _best_guess_success(count: int, lowest: int) -> Fraction:
    """How often the attacker's maximum-likelihood guess from one published value is right.

    The attacker knows the table and that the count is at least `lowest`; a tie between
    guesses is broken at random (the truth wins its share of the tie).
    """
    success = Fraction(0)
    for published, chance in distribution(count).items():
        likelihood = {
            candidate: distribution(candidate).get(published, Fraction(0))
            for candidate in range(lowest, published + MAX_ADJUSTMENT + 1)
        }
        best = max(likelihood.values())
        winners = [candidate for candidate, value in likelihood.items() if value == best]
        if count in winners:
            success += chance / len(winners)
    return success


@pytest.mark.parametrize("lowest", [0, 1])
def test_the_best_guess_from_one_published_value_is_right_at_most_half_the_time(
    lowest: int,
) -> None:
    for count in range(1, 60):
        assert _best_guess_success(count, lowest) <= Fraction(1, 2), count


def test_no_published_value_pins_one_true_value() -> None:
    for published in range(0, 80):
        candidates = possible_counts(published, upto=published + MAX_ADJUSTMENT)
        assert len(candidates) >= 2, published
        if published == 0:
            assert candidates == [0, 1, 2]  # 0 may be a true 0, but also a 1 or a 2


def test_the_table_is_the_documented_one() -> None:
    assert dict(cell_key.TABLE) == {
        0: (0, 0, 256, 0, 0),
        1: (0, 125, 30, 77, 24),
        2: (64, 31, 78, 7, 76),
        3: (12, 77, 78, 77, 12),
    }


@given(st.integers(0, 10_000), st.integers(0, 10**9))
def test_perturb_is_bounded_for_any_count_and_key(count: int, key: int) -> None:
    published = perturb(count, key)
    assert published >= 0 and abs(published - count) <= MAX_ADJUSTMENT
    assert (published == 0) if count == 0 else True
    assert perturb(count, key) == perturb(count, key % KEY_SPACE)
