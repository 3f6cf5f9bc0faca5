"""Primary and secondary suppression of small cells (pure).

A table is a list of cells, each with a key (one value per `group_by` dimension) and a count of
responses. Primary suppression hides every cell below `min_cell`. Secondary suppression then
works line by line: a *line* is the set of cells that share the values of some dimensions and
differ in the others, so its sum is a cell of a coarser query (the `group_by` without the free
dimensions, or the plain total). In every line there must be either no suppressed cell or at
least two, together holding at least `min_cell` responses; if not, the next smallest shown cell
of the line is suppressed too. This repeats across all lines until nothing changes, so no
suppressed count can be worked out by subtracting the shown cells from a coarser total.

The contract names lines with one free dimension; we also treat every larger set of free
dimensions (up to the whole table against the grand total) as a line, because those coarser
totals are just as public.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from itertools import combinations


def _lines(keys: Sequence[tuple[Hashable, ...]], dimensions: int) -> list[list[int]]:
    """Every line of the table as a list of cell indexes (lines of one cell included)."""
    lines: list[list[int]] = []
    for free_count in range(1, dimensions + 1):
        for free in combinations(range(dimensions), free_count):
            fixed = [d for d in range(dimensions) if d not in free]
            by_fixed: dict[tuple[Hashable, ...], list[int]] = {}
            for index, key in enumerate(keys):
                by_fixed.setdefault(tuple(key[d] for d in fixed), []).append(index)
            lines.extend(by_fixed.values())
    return lines


def suppress_small_cells(
    keys: Sequence[tuple[Hashable, ...]], counts: Sequence[int], min_cell: int
) -> list[bool]:
    """For each cell, whether it must be hidden (primary or secondary suppression)."""
    if len(keys) != len(counts):
        raise ValueError("one count per key")
    if not keys:
        return []
    dimensions = len(keys[0])
    suppressed = [count < min_cell for count in counts]
    lines = _lines(keys, dimensions)
    # A cell alone in some line *is* that coarser total: hiding it here is undone by the coarser
    # query, so such cells are the last choice for secondary suppression.
    alone = [False] * len(keys)
    for line in lines:
        if len(line) == 1:
            alone[line[0]] = True

    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [index for index in line if suppressed[index]]
            if not hidden:
                continue
            hidden_total = sum(counts[index] for index in hidden)
            while len(hidden) < 2 or hidden_total < min_cell:
                shown = [index for index in line if not suppressed[index]]
                if not shown:
                    break  # every cell of the line is hidden already
                pick = min(shown, key=lambda index: (alone[index], counts[index], index))
                suppressed[pick] = True
                hidden.append(pick)
                hidden_total += counts[pick]
                changed = True
    return suppressed
