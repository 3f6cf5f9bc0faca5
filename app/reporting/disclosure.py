"""Disclosure control shared by every aggregate: tallies, the `disclosure` object, low base.

Every figure the service publishes is built from *tallies*: how many records a cell holds and
the sum of their record keys mod 256 (its cell key). A tally is published once through the
perturbation table (app.cell_key); derived figures (n, rates, intervals, gaps) come
from published counts only. Which cells are suppressed, and why, is decided by the services
from published counts only (for sensitive measures too, see below), so that whether a cell is
shown tells nothing the published counts would not; see docs/disclosure-control.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from app.cell_key import KEY_SPACE, MAX_ADJUSTMENT, perturb
from app.settings import get_settings

METHOD: Literal["cell_key"] = "cell_key"
LOW_BASE = 50  # a published n below this is "low base, treat with caution"
LOW_BASE_TEXT = "low base, treat with caution"
# Measures where one person's answer is sensitive in itself: a cell whose published n is
# below twice min_cell and whose published positive or not-positive count is below
# SENSITIVE_MINIMUM is suppressed (published, not true, counts: see too_few_either_way).
# The issue names attrition, retraumatisation and "believed" (procedural_justice.believed,
# asked in the rasso and vawg banks' sensitive section). Trust in the officers was listed
# before and is kept: the rule only hides more of its small cells, decided on published counts.
SENSITIVE_MEASURES: frozenset[str] = frozenset(
    {
        "attrition",
        "retraumatisation",
        "procedural_justice.believed",
        "procedural_justice.trust",
    }
)
SENSITIVE_MINIMUM = 3


class Disclosure(BaseModel):
    """How an answer's figures were protected (the contract's `disclosure` object)."""

    method: Literal["cell_key"] = METHOD
    min_cell: int
    max_adjustment: int


def disclosure_info(min_cell: int, max_adjustment: int = 0) -> dict[str, Any]:
    """The `disclosure` object of an answer: `{"method", "min_cell", "max_adjustment"}`.

    `max_adjustment` is the largest amount by which any count the answer publishes can differ
    from the exact count (0 for an answer that publishes no count).
    """
    return Disclosure(min_cell=min_cell, max_adjustment=max_adjustment).model_dump()


def configured_min_cell() -> int:
    """VV_MIN_CELL: the only source of the suppression threshold."""
    return get_settings().min_cell


def adjustment_bound(perturbed_cells: int) -> int:
    """How far a sum of `perturbed_cells` published counts can be from the exact sum."""
    return MAX_ADJUSTMENT * perturbed_cells


def is_low_base(n: int | None) -> bool | None:
    """Whether a published n is low base; None where nothing is published."""
    return None if n is None else n < LOW_BASE


@dataclass(frozen=True)
class Tally:
    """A set of records as the rollups know it: how many, and their cell key."""

    count: int = 0
    key: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.count + other.count, (self.key + other.key) % KEY_SPACE)

    def __sub__(self, other: Tally) -> Tally:
        """The records of this tally not in `other` (a subset of them)."""
        if other.count > self.count:
            raise ValueError("not a subset")
        return Tally(self.count - other.count, (self.key - other.key) % KEY_SPACE)

    def published(self) -> int:
        return perturb(self.count, self.key)


def tally(count: Any, key_sum: Any) -> Tally:
    """A tally from SQL sums (None when no rows matched)."""
    return Tally(int(count or 0), int(key_sum or 0) % KEY_SPACE)
