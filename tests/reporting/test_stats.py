import math

import pytest

from app.reporting.stats import Z_95, wilson_interval


def _by_quadratic(positive: int, n: int) -> tuple[float, float]:
    """The Wilson bounds as the roots of (p̂ − p)² = z² p (1 − p) / n, solved directly."""
    p_hat, z2 = positive / n, Z_95**2
    a = 1 + z2 / n
    b = -(2 * p_hat + z2 / n)
    c = p_hat**2
    root = math.sqrt(b * b - 4 * a * c)
    return (-b - root) / (2 * a), (-b + root) / (2 * a)


@pytest.mark.parametrize(("positive", "n"), [(0, 10), (10, 10), (5, 10), (81, 263), (1, 1000)])
def test_wilson_matches_the_quadratic_roots(positive: int, n: int) -> None:
    low, high = wilson_interval(positive, n)  # type: ignore[misc]
    expected_low, expected_high = _by_quadratic(positive, n)
    assert low == pytest.approx(max(0.0, expected_low), abs=1e-12)
    assert high == pytest.approx(min(1.0, expected_high), abs=1e-12)
    assert 0 <= low <= positive / n <= high <= 1


def test_wilson_known_value() -> None:
    # 5 of 10: the textbook 95% Wilson interval is 0.2366 to 0.7634.
    low, high = wilson_interval(5, 10)  # type: ignore[misc]
    assert (round(low, 4), round(high, 4)) == (0.2366, 0.7634)


def test_wilson_of_nothing_is_none() -> None:
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(11, 10)
