"""The consistency check finds the witnesses it once missed (docs/disclosure-control.md,
"Certainty, rarely").

Draw 74 of the endpoints attack (seed 0) was counted as pinned by the old search, which spent
its whole node budget repairing its first moves; an exact integer program found another
population that moves two records and explains every published figure. It is replayed alone:
the keys of the earlier draws are drawn and thrown away.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from tests.disclosure import test_attack_endpoints
from tests.disclosure.attacker import Structure, pinned
from tests.disclosure.harness import observe_world
from tests.disclosure.observe import Knowledge
from tests.disclosure.scenarios import endpoints

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it


def replay(build: Callable[[], Any], queries: list[Any], draw_index: int, name: str) -> bool:
    world, hidden = build()
    draw = observe_world(world, queries)
    observer = draw.observer  # type: ignore[attr-defined]
    rng = random.Random(0)
    for _ in range(draw_index):
        world.draw_keys(rng)  # a draw uses the generator for the keys only
    knowledge: Knowledge = draw(rng)
    masks = [key[1] for key in knowledge.facts]
    masks += [part for fact in knowledge.hidden for part in fact.parts]
    structure = Structure(masks, observer.cell(hidden[name]), 0, observer.phantoms)
    return pinned(structure, knowledge)


def test_a_witness_moving_one_rasso_record_out_of_court_is_found() -> None:
    # Draw 74: one rasso record of August moved from court to investigation (an empty cell).
    assert not replay(endpoints, test_attack_endpoints.queries(), 74, "rasso at court in August")
