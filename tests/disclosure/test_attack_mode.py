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
import random
from datetime import date

import pytest
from sqlmodel import Session

from app.reporting.aggregates import aggregate_metric, aggregate_metric_from
from app.reporting.cells import resolve_period
from app.reporting.dropoff import dropoff_from, question_dropoff
from app.reporting.victims_code import victims_code_from, victims_code_view
from tests.disclosure.harness import Outcome, Target, every_cell, observe_world, run
from tests.disclosure.observe import TODAY, Query
from tests.disclosure.scenarios import modes
from tests.disclosure.world import MemoryTallies, restore_keys, store
from tests.reporting.factories import small_bank

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
    targets = {name: Target(observer.cell(people)) for name, people in hidden.items()}
    return run(draw, targets), {name: len(people) for name, people in hidden.items()}


@pytest.mark.in_memory
def test_a_small_assisted_group_is_never_given_away() -> None:
    result, truths = outcome()
    assert result.failures() == [], result.summary()
    assert {name: score.truth for name, score in result.scores.items()} == truths
    assert all(score.draws == 500 for score in result.scores.values())

    # the complement of the self cell is one of the paths tried:
    # "All responses in August minus those given alone" is a path the attacker finds.
    summary = result.summary()
    assert summary["assisted in August"][3] > 1, summary
    assert "average of every path" in result.scores["assisted in August"].tried


def test_the_database_gives_the_in_memory_figures_by_mode(db: Session) -> None:
    """What the attack above proves on the in-memory tallies holds for the rollups: the same
    world stored (assisted responses through Response.assisted), keys redrawn, same answers."""
    world, _ = modes()
    rng = random.Random(12)
    world.draw_keys(rng)
    stored = store(db, world)
    queries = [
        ([], {}),
        (["mode"], {}),
        (["month", "mode"], {"area": "B"}),
        (["area"], {"mode": "assisted"}),
        (["quarter"], {"mode": "self"}),
    ]
    for draw in range(2):
        if draw:
            world.draw_keys(rng)
            restore_keys(db, world, stored, since=date(2026, 7, 1))
        memory = MemoryTallies(world, stored.banks)
        for group_by, filters in queries:
            assert aggregate_metric(
                db, "satisfaction.overall", group_by, filters, *PERIOD
            ) == aggregate_metric_from(
                memory, "satisfaction.overall", group_by, filters, *PERIOD, on=TODAY
            )
        general = next(v for v, group in stored.banks.items() if group == "general")
        for mode in (None, "self", "assisted"):
            assert question_dropoff(db, "general", None, *PERIOD, mode=mode) == dropoff_from(
                memory,
                "general",
                1,
                small_bank("general"),
                [general],
                None,
                *PERIOD,
                mode=mode,
                on=TODAY,
            )
            assert victims_code_view(db, *PERIOD, mode=mode) == victims_code_from(
                memory, {}, resolve_period(*PERIOD, TODAY), mode=mode
            )
        db.rollback()
