"""Differencing attack on a sensitive measure (attrition): complements across crime groups and
touchpoints, by month and by quarter, over 500 independent draws of record keys.

A sensitive cell of 10 to 19 answers with fewer than 3 published one way is hidden, though its
published n is at least min_cell; the totals around it are shown. The attacker takes every
published superset of the hidden "yes" answers less published, disjoint subsets (all crime
groups at court less general and vawg, the quarter less its other months …), their averages,
and checks whether the published answers and the table leave the true count alone, knowing
the service's own rule for hiding a sensitive cell (observe.Hidden.sensitive).

Pass (issue 9): for every non-zero hidden count, no guess is right in more than half of the
draws, and the truth is never the only consistent count.
"""

from __future__ import annotations

import functools

import pytest

from tests.disclosure.harness import Outcome, Target, every_cell, observe_world, run
from tests.disclosure.scenarios import sensitive

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

PERIOD = ("2026-07", "2026-09")
METRIC = "attrition"


@functools.cache
def outcome() -> tuple[Outcome, dict[str, int]]:
    world, hidden = sensitive()
    draw = observe_world(
        world, every_cell("metric", PERIOD, ("crime_group", "touchpoint"), metric=METRIC)
    )
    observer = draw.observer  # type: ignore[attr-defined]
    targets = {
        name: Target(observer.cell(people, "stepping_back")) for name, people in hidden.items()
    }
    return run(draw, targets), {name: len(people) for name, people in hidden.items()}


def test_complements_of_a_sensitive_cell_never_give_its_yes_count_away() -> None:
    result, truths = outcome()
    assert result.failures() == [], result.summary()
    assert {name: score.truth for name, score in result.scores.items()} == truths

    # the yes answers are attacked by every path and their average:
    for name, score in result.scores.items():
        paths = [strategy for strategy in score.tried if strategy.startswith("path ")]
        assert len(paths) > 2, (name, result.summary()[name])
        assert "average of every path" in score.tried
