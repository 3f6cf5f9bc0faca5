"""Confidence intervals for the published rates (pure)."""

from __future__ import annotations

import math

# The 0.975 quantile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054


def wilson_interval(positive: int, n: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval of positive ÷ n, or None when n is 0.

    Wilson rather than the normal approximation because it stays inside [0, 1] and behaves at
    rates of 0 or 1 and at the small counts just above the suppression threshold.
    """
    if n <= 0:
        return None
    if not 0 <= positive <= n:
        raise ValueError("positive must be between 0 and n")
    p = positive / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half_width = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    low = 0.0 if positive == 0 else max(0.0, centre - half_width)
    # At p = 1 (or 0) a bound is exactly 1 (or 0); say so instead of 0.9999999999999999.
    high = 1.0 if positive == n else min(1.0, centre + half_width)
    return low, high
