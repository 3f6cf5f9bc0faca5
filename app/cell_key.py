"""The cell-key perturbation table (pure): how much a published count differs from the truth.

Every response and invitation carries a record key, a uniform random integer 0–255 drawn from
`secrets` and never shown. A cell's key is the sum of its records' keys mod 256, so the same
set of records always gets the same key (whichever query, spelling or caller reached it), and
adding or removing one record gives an independent new key.

The published count is `count + adjustment`, the adjustment read from the row of the table for
the count at the column picked by the cell key. A row is a distribution over the adjustments
−2, −1, 0, +1, +2 given in 256ths, so that a uniform key gives each adjustment with exactly its
probability, and every row's mean is exactly 0. The key is first passed through a fixed
non-linear bijection (cubing mod 257): the keys of a cell and of its parts are sums of one
another, and without it the adjustments of a total and of its parts would be tied together.

The table and how it was derived are in docs/disclosure-control.md; tests/disclosure/
checks every number it promises.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

KEY_SPACE = 256  # record and cell keys are integers 0..255
MAX_ADJUSTMENT = 2  # no published count is ever more than this away from its count
ADJUSTMENTS: tuple[int, ...] = (-2, -1, 0, 1, 2)

# Count → weights (in 256ths) of the adjustments −2, −1, 0, +1, +2. Counts from 3 up share
# the last row. Derivation in docs/disclosure-control.md.
_ROWS: dict[int, tuple[int, int, int, int, int]] = {
    0: (0, 0, 256, 0, 0),  # a true zero stays zero
    1: (0, 125, 30, 77, 24),  # 1 → 0 about half the time, never below 0
    2: (64, 31, 78, 7, 76),  # 2 → 0 a quarter of the time
    3: (12, 77, 78, 77, 12),  # every count from 3 up
}
LAST_ROW = max(_ROWS)
TABLE: Mapping[int, tuple[int, int, int, int, int]] = MappingProxyType(_ROWS)


def row_for(count: int) -> tuple[int, int, int, int, int]:
    """The weights (256ths) of the adjustments −2..+2 for a true count."""
    if count < 0:
        raise ValueError("a count is never negative")
    return _ROWS[min(count, LAST_ROW)]


def scramble(cell_key: int) -> int:
    """A fixed non-linear bijection of 0..255: (key + 1)³ mod 257 − 1."""
    return pow(cell_key % KEY_SPACE + 1, 3, KEY_SPACE + 1) - 1


def _column(weights: tuple[int, ...], position: int) -> int:
    cumulative = 0
    for change, weight in zip(ADJUSTMENTS, weights, strict=True):
        cumulative += weight
        if position < cumulative:
            return change
    raise AssertionError("every row sums to 256")  # pragma: no cover - checked by the tests


# Row → the adjustment of every cell key, worked out once.
_LOOKUP: dict[int, tuple[int, ...]] = {
    row: tuple(_column(weights, scramble(key)) for key in range(KEY_SPACE))
    for row, weights in _ROWS.items()
}


def adjustment(count: int, cell_key: int) -> int:
    """The adjustment the table gives a cell of `count` records whose key is `cell_key`."""
    if count < 0:
        raise ValueError("a count is never negative")
    return _LOOKUP[min(count, LAST_ROW)][cell_key % KEY_SPACE]


def perturb(count: int, cell_key: int) -> int:
    """The published count of a cell: its count plus the table's adjustment (never negative)."""
    return count + adjustment(count, cell_key)


def distribution(count: int) -> dict[int, Fraction]:
    """Published value → its exact probability, for a true count (keys uniform)."""
    return {
        count + change: Fraction(weight, KEY_SPACE)
        for change, weight in zip(ADJUSTMENTS, row_for(count), strict=True)
        if weight
    }


def possible_counts(published: int, *, upto: int) -> list[int]:
    """True counts from 0 to `upto` that the table can publish as `published`."""
    return [count for count in range(upto + 1) if published in distribution(count)]


def new_record_key() -> int:
    """A record key for a new response or invitation: uniform 0..255 from `secrets`."""
    return secrets.randbelow(KEY_SPACE)
