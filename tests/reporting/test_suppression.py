"""Primary and secondary suppression, and a property test playing the attacker."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from app.reporting.suppression import suppress_small_cells

Key = tuple[Hashable, ...]


def test_primary_suppression_hides_cells_below_min_cell() -> None:
    assert suppress_small_cells([()], [9], 10) == [True]
    assert suppress_small_cells([()], [10], 10) == [False]
    assert suppress_small_cells([], [], 10) == []


def test_one_dimension_a_lone_small_cell_takes_the_next_smallest_with_it() -> None:
    keys = [("a",), ("b",), ("c",), ("d",)]
    assert suppress_small_cells(keys, [3, 40, 12, 25], 10) == [True, False, True, False]


def test_one_dimension_two_small_cells_below_min_cell_together_take_a_third() -> None:
    keys = [("a",), ("b",), ("c",), ("d",)]
    # 2 + 3 < 10, so the next smallest (12) is hidden as well.
    assert suppress_small_cells(keys, [2, 3, 12, 40], 10) == [True, True, True, False]


def test_two_small_cells_holding_min_cell_together_are_enough() -> None:
    keys = [("a",), ("b",), ("c",)]
    assert suppress_small_cells(keys, [6, 7, 40], 10) == [True, True, False]


def test_two_dimensions_iterate_to_a_fixed_point() -> None:
    # rows r1..r3 × columns c1..c3; one small cell at (r1, c1).
    keys = [(r, c) for r in ("r1", "r2", "r3") for c in ("c1", "c2", "c3")]
    counts = [4, 30, 50, 20, 60, 70, 25, 80, 90]
    hidden = dict(zip(keys, suppress_small_cells(keys, counts, 10), strict=True))
    # Row r1 hides its next smallest (r1, c2); column c1 hides (r2, c1); column c2 then
    # has one hidden cell and hides (r2, c2)... every line ends with 0 or ≥ 2 hidden cells.
    assert hidden[("r1", "c1")]
    for fixed in range(2):
        lines: dict[Hashable, list[Key]] = defaultdict(list)
        for key in keys:
            lines[key[fixed]].append(key)
        for members in lines.values():
            shut = [key for key in members if hidden[key]]
            assert len(shut) in (0,) or len(shut) >= 2


def test_cells_alone_in_another_line_are_the_last_choice() -> None:
    # (r1, c2) is alone in column c2, so its column total would give it away: the next
    # smallest cell of row r1 that is not alone, (r1, c3), is hidden instead.
    keys = [("r1", "c1"), ("r1", "c2"), ("r1", "c3"), ("r2", "c1"), ("r2", "c3")]
    counts = [3, 20, 40, 30, 50]
    hidden = suppress_small_cells(keys, counts, 10)
    assert hidden[0] and not hidden[1] and hidden[2]


# --- the attacker ---------------------------------------------------------------------------


def _shown_totals(
    keys: list[Key], counts: list[int], fixed: tuple[int, ...], min_cell: int
) -> dict[Key, int]:
    """The coarser query keeping only the dimensions `fixed`, as the service would show it."""
    totals: dict[Key, int] = defaultdict(int)
    for key, count in zip(keys, counts, strict=True):
        totals[tuple(key[d] for d in fixed)] += count
    coarse_keys = sorted(totals)
    hidden = suppress_small_cells(coarse_keys, [totals[k] for k in coarse_keys], min_cell)
    return {k: totals[k] for k, h in zip(coarse_keys, hidden, strict=True) if not h}


def derivable_cells(keys: list[Key], counts: list[int], min_cell: int) -> dict[Key, bool]:
    """Every suppressed cell that one subtraction reveals: a shown coarser total minus the
    shown cells it covers, when exactly one suppressed cell remains. Value: whether that cell
    is alone in the coarser total (then the total *is* the cell)."""
    hidden = suppress_small_cells(keys, counts, min_cell)
    dimensions = len(keys[0])
    coarser = [()] + ([(0,), (1,)] if dimensions == 2 else [])
    found: dict[Key, bool] = {}
    for fixed in coarser:
        for coarse_key, total in _shown_totals(keys, counts, fixed, min_cell).items():
            members = [
                i for i, key in enumerate(keys) if tuple(key[d] for d in fixed) == coarse_key
            ]
            unknown = [i for i in members if hidden[i]]
            remainder = total - sum(counts[i] for i in members if not hidden[i])
            if len(unknown) == 1:
                assert remainder == counts[unknown[0]]  # the attack works
                found[keys[unknown[0]]] = found.get(keys[unknown[0]], True) and len(members) == 1
    return found


@st.composite
def tables(draw: st.DrawFn, dense: bool = False) -> tuple[list[Key], list[int], int]:
    dimensions = draw(st.integers(1, 2))
    sizes = [draw(st.integers(2 if dense else 1, 5)) for _ in range(dimensions)]
    grid: list[Key] = [()]
    for size in sizes:
        grid = [key + (f"v{value}",) for key in grid for value in range(size)]
    keys = grid if dense else draw(st.lists(st.sampled_from(grid), min_size=1, unique=True))
    keys = sorted(keys)
    counts = [draw(st.integers(1, 40)) for _ in keys]
    min_cell = draw(st.integers(2, 12))
    return keys, counts, min_cell


@settings(max_examples=400, deadline=None)
@given(tables())
def test_no_small_cell_can_be_derived_from_a_coarser_total(
    table: tuple[list[Key], list[int], int],
) -> None:
    keys, counts, min_cell = table
    count_of = dict(zip(keys, counts, strict=True))
    for key, alone in derivable_cells(keys, counts, min_cell).items():
        # Never a cell below min_cell. A hidden cell at or above min_cell shows only when it
        # is the sole cell of a coarser total, i.e. it *is* a figure that query publishes.
        assert count_of[key] >= min_cell and alone, (key, count_of[key])


@settings(max_examples=300, deadline=None)
@given(tables(dense=True))
def test_in_full_tables_no_suppressed_cell_can_be_derived(
    table: tuple[list[Key], list[int], int],
) -> None:
    keys, counts, min_cell = table
    assert derivable_cells(keys, counts, min_cell) == {}


@settings(max_examples=300, deadline=None)
@given(tables())
def test_every_line_has_none_or_at_least_two_hidden_cells_holding_min_cell(
    table: tuple[list[Key], list[int], int],
) -> None:
    keys, counts, min_cell = table
    hidden = suppress_small_cells(keys, counts, min_cell)
    assert all(h for h, c in zip(hidden, counts, strict=True) if c < min_cell)
    for free in range(len(keys[0])):
        lines: dict[Key, list[int]] = defaultdict(list)
        for i, key in enumerate(keys):
            lines[key[:free] + key[free + 1 :]].append(i)
        for members in lines.values():
            shut = [i for i in members if hidden[i]]
            if shut and len(members) > len(shut):
                assert len(shut) >= 2 and sum(counts[i] for i in shut) >= min_cell
            elif shut and len(members) >= 2:
                assert len(shut) >= 2  # the whole line is hidden
