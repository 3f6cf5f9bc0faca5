"""Attack by a tracker: every figure before and after one submission the attacker makes, and
before and after one withdrawal it makes, over 500 independent draws of record keys."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import date

import pytest

from tests.disclosure.harness import Outcome, Target, every_cell, run
from tests.disclosure.observe import Knowledge, Observer, Query
from tests.disclosure.scenarios import endpoints
from tests.disclosure.world import World

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

PERIOD = ("2026-07", "2026-09")
QUERIES = every_cell("metric", PERIOD, ("crime_group", "touchpoint"))
NAME = "rasso at court in August"


def both(
    before: World, after: World, queries: list[Query]
) -> tuple[Callable[[random.Random], Knowledge], Observer, Observer]:
    """Each draw: keys for every record, then every query answered in both worlds."""
    first = Observer(before)
    second = Observer(after, bits=first.bit)

    def draw(rng: random.Random) -> Knowledge:
        # The records of both worlds are the same objects: one draw gives both their keys.
        (after if len(after.people) > len(before.people) else before).draw_keys(rng)
        knowledge = Knowledge()
        for observer in (first, second):
            observer.new_draw()
            for query in queries:
                observer.ask(query, knowledge)
        return knowledge

    draw.observer = first  # type: ignore[attr-defined]
    return draw, first, second


@functools.cache
def submission() -> Outcome:
    before, hidden = endpoints()
    after = before.copy()
    mine = after.add_person(
        crime_group="rasso",
        touchpoint="court",
        area="A",
        month=date(2026, 8, 1),
        answers={"sat_overall": "very_satisfied", "right_understood": "yes"},
    )
    draw, first, second = both(before, after, QUERIES)
    target = first.mask(hidden[NAME])
    mine_mask = second.mask([mine])
    return run(draw, {NAME: Target(target, [(target | mine_mask, 1)], known=mine_mask)})


@functools.cache
def withdrawal() -> Outcome:
    before, hidden = endpoints()
    mine = hidden[NAME][0]
    after = before.copy()
    after.people = [person for person in after.people if person is not mine]
    after.invites = [invite for invite in after.invites if invite is not mine.invite]
    draw, first, _ = both(before, after, QUERIES)
    target = first.mask(hidden[NAME])
    mine_mask = first.mask([mine])
    return run(draw, {NAME: Target(target, [(target & ~mine_mask, -1)], known=mine_mask)})


def test_before_and_after_one_submission() -> None:
    result = submission()
    assert result.failures() == [], result.summary()
    assert result.scores[NAME].truth == 3
    # Paths through the figures after the submission, less the one record it added.
    assert "average of every path" in result.scores[NAME].tried
    assert result.scores[NAME].draws == 500


def test_before_and_after_one_withdrawal() -> None:
    result = withdrawal()
    assert result.failures() == [], result.summary()
    assert result.scores[NAME].truth == 3
    assert "average of every path" in result.scores[NAME].tried
    assert result.scores[NAME].draws == 500
