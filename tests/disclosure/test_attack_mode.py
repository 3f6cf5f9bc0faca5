"""Attacks through the mode dimension (issue 12): victims who answered with a support worker
(`assisted`) split out by group_by, filtered in or out, and taken away from the total, over
500 independent draws of record keys (docs/disclosure-control.md).

A cell split by mode is a cell of its own under the cell-key method: its records' keys add up
as any other cell's, so "all responses minus those given alone" is the assisted count only
within the published counts' adjustment, and a small assisted cell is suppressed however it is
asked for.
"""

from __future__ import annotations

import functools

from tests.disclosure.harness import Outcome, Target, every_cell, observe_world, run
from tests.disclosure.observe import Query
from tests.disclosure.scenarios import modes

PERIOD = ("2026-07", "2026-09")
# Mode and area are two of the limited dimensions: a query may use both, not a third.
DIMENSIONS = ("area", "mode")
BY_FILTER = [
    Query("metric", ("month",), (("mode", "assisted"),), *PERIOD),
    Query("metric", ("month",), (("mode", "self"),), *PERIOD),
    Query("metric", ("quarter", "area"), (("mode", "assisted"),), *PERIOD),
    Query("metric", ("month", "area"), (("mode", "self"),), *PERIOD),
    Query("metric", ("mode",), (("area", "B"),), "2026-09", "2026-09"),
]


@functools.cache
def outcome() -> tuple[Outcome, dict[str, int]]:
    world, hidden = modes()
    draw = observe_world(world, [*every_cell("metric", PERIOD, DIMENSIONS), *BY_FILTER])
    observer = draw.observer  # type: ignore[attr-defined]
    targets = {name: Target(observer.mask(people)) for name, people in hidden.items()}
    return run(draw, targets), {name: len(people) for name, people in hidden.items()}


def test_a_small_assisted_group_is_never_given_away() -> None:
    result, truths = outcome()
    assert result.failures() == [], result.summary()
    assert {name: score.truth for name, score in result.scores.items()} == truths
    assert all(score.draws == 500 for score in result.scores.values())


def test_the_complement_of_the_self_cell_is_one_of_the_paths_tried() -> None:
    # "All responses in August minus those given alone" is a path the attacker finds.
    result, _ = outcome()
    summary = result.summary()
    assert summary["assisted in August"][3] > 1, summary
    assert "average of every path" in result.scores["assisted in August"].tried
