"""Running an attack over many independent draws of record keys."""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tests.disclosure.attacker import Path, Score, Structure, attack, find_paths
from tests.disclosure.observe import Knowledge, Observer, Query
from tests.disclosure.world import World

DRAWS = 500


def dimension_sets(dimensions: Sequence[str]) -> list[tuple[str, ...]]:
    """Every set of the dimensions (each is a query the attacker can make)."""
    return [
        combination
        for size in range(len(dimensions) + 1)
        for combination in itertools.combinations(dimensions, size)
    ]


def every_cell(
    kind: str, period: tuple[str, str], dimensions: Sequence[str], **values: object
) -> list[Query]:
    """Queries reaching every single-piece cell of the dimensions: each set of them, by month
    and by quarter, so every cell is seen at every level of every other dimension."""
    return [
        Query(kind, (*dims, unit), (), period[0], period[1], **values)  # type: ignore[arg-type]
        for dims in dimension_sets(dimensions)
        for unit in ("month", "quarter")
    ]


@dataclass
class Target:
    """A hidden count: its records (a mask of units), and other record sets the attacker can
    attack for it, each with what it must take off its estimate (a record it added, say)."""

    mask: int
    others: list[tuple[int, int]] = field(default_factory=list)
    known: int = 0  # units the attacker itself added or removed: it knows them


@dataclass
class Outcome:
    scores: dict[str, Score]

    def failures(self) -> list[str]:
        problems = []
        for name, score in self.scores.items():
            strategy, rate = score.worst()
            if score.truth and rate > 0.5:
                problems.append(f"{name}: {strategy} right in {rate:.0%} of draws")
            if score.truth and score.pinned:
                problems.append(f"{name}: the truth was pinned in {score.pinned} draws")
        return problems

    def summary(self) -> dict[str, tuple[int, str, float, int, int]]:
        """Name → (truth, the best strategy, its success rate, strategies, pinned draws)."""
        return {
            name: (score.truth, *score.worst(), len(score.tried), score.pinned)
            for name, score in self.scores.items()
        }


def observe_world(world: World, queries: Sequence[Query]) -> Callable[[random.Random], Knowledge]:
    """Each draw: new keys for every record, then every query answered."""
    observer = Observer(world)

    def draw(rng: random.Random) -> Knowledge:
        world.draw_keys(rng)
        observer.new_draw()
        knowledge = Knowledge()
        for query in queries:
            observer.ask(query, knowledge)
        return knowledge

    draw.observer = observer  # type: ignore[attr-defined]
    return draw


def run(
    draw: Callable[[random.Random], Knowledge],
    targets: dict[str, Target],
    *,
    draws: int = DRAWS,
    seed: int = 0,
    extra: Callable[[Knowledge], dict[str, dict[str, int]]] | None = None,
) -> Outcome:
    """`draws` independent draws; in each, every target attacked by every path to it (and by
    `extra`: more guesses per target and draw, by strategy)."""
    rng = random.Random(seed)
    phantoms = getattr(draw, "observer", None)
    phantom_mask = phantoms.phantoms if phantoms is not None else 0
    # A target's mask may hold phantoms (Observer.cell): they count 0.
    scores = {
        name: Score(truth=(target.mask & ~phantom_mask).bit_count())
        for name, target in targets.items()
    }
    structures: dict[str, Structure] = {}
    paths: dict[str, list[tuple[Path, int]]] = {}
    for _ in range(draws):
        knowledge = draw(rng)
        for name, target in targets.items():
            if name not in structures:
                masks = [key[1] for key in knowledge.facts]
                masks += [part for hidden in knowledge.hidden for part in hidden.parts]
                structures[name] = Structure(masks, target.mask, target.known, phantom_mask)
                # Paths over real records: phantoms count 0 and are left out (one real record
                # set may have several masks; they are published alike).
                real: dict[tuple[str, int], tuple[str, int]] = {}
                for key in [*knowledge.facts, *knowledge.sums]:
                    real.setdefault((key[0], key[1] & ~phantom_mask), key)
                every = dict.fromkeys(real, 0)
                paths[name] = [
                    (
                        (real[path[0]], tuple(real[part] for part in path[1])),
                        offset,
                    )
                    for mask, offset in [(target.mask, 0), *target.others]
                    for path in find_paths(mask & ~phantom_mask, every)
                ]
            attack(structures[name], paths[name], knowledge, scores[name])
        for name, guesses in (extra(knowledge) if extra else {}).items():
            for strategy, value in guesses.items():
                scores[name].guess(strategy, value)
    return Outcome(scores)
