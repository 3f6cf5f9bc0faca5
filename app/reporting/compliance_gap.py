"""When a gap between victims and an agency's self-assessment is called (pure).

Issue 14: a gap is printed only when it is unlikely to be chance. With the force's numerator
and denominator, the 95% interval of the difference (victims' rate − force's rate) is Newcombe's
hybrid score interval (Newcombe 1998, method 10), built from the two Wilson intervals: it keeps
inside [−1, 1] and behaves at rates near 0 or 1 and at small counts, where the Wald interval of
a difference does not. The gap is called only when that interval excludes zero and the victims'
cell is not low base. With no force base (a bare rate from the old `rights` format), the
force's figure is called different only when it lies outside the victims' Wilson interval.
Otherwise the view says "no clear difference". With 24 or so comparisons on a page, about 1 in
20 will look different by chance alone, and the view says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from app.reporting.stats import wilson_interval

GapCall = Literal["higher", "lower", "no_clear_difference"]
HIGHER: GapCall = "higher"  # victims report the right more often than the force's figure
LOWER: GapCall = "lower"  # victims report it less often
NO_CLEAR_DIFFERENCE: GapCall = "no_clear_difference"


CHANCE_TEXT = "about 1 in 20 will look different by chance alone"


@dataclass(frozen=True)
class GapVerdict:
    call: GapCall | None  # None: nothing to compare (suppressed, low base or no force figure)
    ci_low: float | None  # the interval of the difference, when the force gave its base
    ci_high: float | None


NO_VERDICT = GapVerdict(None, None, None)


def newcombe_interval(x1: int, n1: int, x2: int, n2: int) -> tuple[float, float] | None:
    """95% interval of x1/n1 − x2/n2 by Newcombe's hybrid score method (method 10)."""
    first = wilson_interval(x1, n1)
    second = wilson_interval(x2, n2)
    if first is None or second is None:
        return None
    p1, p2 = x1 / n1, x2 / n2
    (l1, u1), (l2, u2) = first, second
    difference = p1 - p2
    low = difference - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2)
    high = difference + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)
    return max(-1.0, low), min(1.0, high)


def _direction(low: float, high: float) -> GapCall:
    if low > 0:
        return HIGHER
    if high < 0:
        return LOWER
    return NO_CLEAR_DIFFERENCE


def call_gap(
    *,
    positive: int | None,
    n: int | None,
    ci_low: float | None,
    ci_high: float | None,
    low_base: bool | None,
    force_rate: float | None,
    force_numerator: int | None = None,
    force_denominator: int | None = None,
) -> GapVerdict:
    """The verdict on one comparison, from the victims' published cell and the force's figure.

    A suppressed cell (no counts) or no force figure gives no verdict; a low-base cell is
    never called (its interval is shown, but "no clear difference" is all it can say).
    """
    if positive is None or n is None or not n or force_rate is None:
        return NO_VERDICT
    if force_denominator:
        assert force_numerator is not None
        interval = newcombe_interval(positive, n, force_numerator, force_denominator)
        assert interval is not None
        low, high = interval
        call = NO_CLEAR_DIFFERENCE if low_base else _direction(low, high)
        return GapVerdict(call, low, high)
    if ci_low is None or ci_high is None or low_base:
        return GapVerdict(NO_CLEAR_DIFFERENCE if low_base else None, None, None)
    # No force base: the force's figure against the victims' interval.
    if force_rate < ci_low:
        return GapVerdict(HIGHER, None, None)
    if force_rate > ci_high:
        return GapVerdict(LOWER, None, None)
    return GapVerdict(NO_CLEAR_DIFFERENCE, None, None)


def comparisons_text(count: int) -> str:
    """What the view says about how many comparisons it shows."""
    noun = "comparison" if count == 1 else "comparisons"
    return (
        f"This view shows {count} {noun} between victims and the agencies' self-assessments; "
        f"{CHANCE_TEXT}, so a single called gap is a prompt to look closer, not proof."
    )
