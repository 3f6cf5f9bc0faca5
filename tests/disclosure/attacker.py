"""The attacker: every path to a hidden count, their averages, and whether the truth is pinned.

A *path* isolates the target's records with published counts: a published superset minus
published, disjoint subsets that cover the rest (a total minus the other areas, a quarter minus
its other months, a funnel stage of all crime groups minus the others, a count after a known
submission minus the one record …), or the target's own count where it is published. Each
path's estimate is rounded to a guess; so are the plain and the weighted (by 1 / terms) average
of every path available in a draw.

*Pinned* means the truth is the only count consistent with every published fact and the
published table. The check looks for a witness: another world (records added, removed or moved
between the sets the attacker can tell apart) that publishes-compatibly explains every fact and
gives the target another count. A witness proves the truth is not pinned; the search is bounded,
so a failure to find one is reported as pinned (the test then fails: never the other way).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from app.cell_key import MAX_ADJUSTMENT, possible_counts
from app.reporting.aggregates import too_few_either_way
from tests.disclosure.observe import Exact, Key, Knowledge, Small


def count(mask: int) -> int:
    return mask.bit_count()


def rounded(value: float) -> int:
    return math.floor(value + 0.5)


@functools.cache
def allowed(published: int) -> tuple[int, int]:
    """The true counts the table can publish as `published` (always a run of integers)."""
    counts = possible_counts(published, upto=published + MAX_ADJUSTMENT)
    assert counts == list(range(counts[0], counts[-1] + 1))
    return counts[0], counts[-1]


def lowest_published(true_count: int) -> int:
    return 0 if true_count <= 2 else true_count - 2


Path = tuple[Key, tuple[Key, ...]]  # (superset or the target itself, subsets to take away)


def find_paths(
    target: int, exact: Mapping[Key, int], *, max_terms: int = 6, limit: int = 300
) -> list[Path]:
    """Every way (up to `limit`) of writing the target as a published set minus published,
    disjoint sets of `exact` covering the rest."""
    found: list[Path] = []
    direct = [key for key in exact if key[1] == target]
    found += [(key, ()) for key in direct]
    by_bit: dict[int, list[Key]] = defaultdict(list)
    for key in exact:
        mask = key[1]
        while mask:
            low = mask & -mask
            by_bit[low].append(key)
            mask ^= low

    def covers(rest: int, depth: int) -> Iterable[tuple[Key, ...]]:
        if rest == 0:
            yield ()
            return
        if depth == 0:
            return
        low = rest & -rest
        for key in by_bit.get(low, ()):
            if key[1] & ~rest == 0:
                for tail in covers(rest & ~key[1], depth - 1):
                    yield (key, *tail)

    for key in exact:
        if key[1] & target == target and key[1] != target:
            for cover in covers(key[1] & ~target, max_terms - 1):
                found.append((key, cover))
                if len(found) >= limit:
                    return found
    return found


def estimate(path: Path, exact: Mapping[Key, int]) -> int:
    whole, parts = path
    return exact[whole] - sum(exact[key] for key in parts)


@dataclass
class Score:
    """How often each guess of one target was right, over the draws."""

    truth: int
    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    tried: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    pinned: int = 0
    draws: int = 0

    def guess(self, strategy: str, value: int) -> None:
        self.tried[strategy] += 1
        self.right[strategy] += value == self.truth

    def worst(self, *, at_least: int = 50) -> tuple[str, float]:
        rates = [
            (self.right[name] / self.tried[name], name)
            for name in self.tried
            if self.tried[name] >= at_least
        ]
        if not rates:
            return "", 0.0
        rate, name = max(rates)
        return name, rate


def attack(
    structure: Structure,
    paths: list[tuple[Path, int]],
    knowledge: Knowledge,
    score: Score,
) -> None:
    """One draw of the attack on the structure's target: every available path's guess (each
    estimate less its offset: records the attacker knows it added), the averages of them all,
    and the pinning check."""
    exact = {**knowledge.sums, **knowledge.exact()}
    estimates: list[tuple[int, int]] = []  # (estimate, number of terms)
    for path, offset in paths:
        if path[0] not in exact or any(key not in exact for key in path[1]):
            continue
        value = estimate(path, exact) - offset
        estimates.append((value, 1 + len(path[1])))
        score.guess(f"path {_describe(path)}", value)
    if estimates:
        score.guess("average of every path", rounded(sum(v for v, _ in estimates) / len(estimates)))
        weight = sum(1 / terms for _, terms in estimates)
        score.guess(
            "weighted average of every path",
            rounded(sum(v / terms for v, terms in estimates) / weight),
        )
    score.draws += 1
    if pinned(structure, knowledge):
        score.pinned += 1


@functools.cache
def _describe(path: Path) -> str:
    whole, parts = path
    return f"{whole[0]}:{whole[1]:x}-" + ",".join(f"{k[0]}:{k[1]:x}" for k in sorted(parts))


# --- consistency ----------------------------------------------------------------------------

MAX_DEPTH = 7
NODE_BUDGET = 30_000
START_BUDGET = 300  # nodes of the first, quick dive from each start
CANDIDATES = 40  # atoms scored at each step of the witness search
BRANCHES = 6  # … and tried


@dataclass
class _Constraint:
    kind: str  # exact, small, hidden
    atoms: list[int]
    parts: list[list[int]]  # hidden: the atoms of each part
    low: int = 0
    high: int = 0
    sensitive: bool = False  # hidden: a sensitive measure's (positive, not-positive) cell


class Structure:
    """The atoms of one attack: units that no published set (and not the target) tells apart.

    Built once from every record set the answers can speak of; each draw then only changes
    which facts are known about those sets.
    """

    def __init__(
        self, masks: Iterable[int], target: int, known: int = 0, phantoms: int = 0
    ) -> None:
        self.target, self.known = target, known
        masks = sorted(set(masks))
        signature: dict[int, list[int]] = defaultdict(list)
        for index, mask in enumerate(masks):
            bits = mask
            while bits:
                low = bits & -bits
                bits ^= low
                signature[low].append(index)
        groups: dict[tuple[object, ...], int] = defaultdict(int)
        universe = target | known
        for mask in masks:
            universe |= mask
        bits = universe
        while bits:
            low = bits & -bits
            bits ^= low
            groups[(tuple(signature.get(low, ())), bool(target & low), bool(known & low))] |= low
        self.atom_mask = list(groups.values())
        # Phantom units do not exist: an atom of them holds no record (yet could).
        self.sizes = [count(mask & ~phantoms) for mask in self.atom_mask]
        self.in_target = [bool(mask & target) for mask in self.atom_mask]
        self.fixed = [bool(mask & known) for mask in self.atom_mask]
        self._atoms_of: dict[int, list[int]] = {}

    def atoms_of(self, mask: int) -> list[int]:
        if mask not in self._atoms_of:
            atoms = [a for a, m in enumerate(self.atom_mask) if m & mask]
            assert sum(self.atom_mask[a] for a in atoms) == mask, "a set the structure lacks"
            self._atoms_of[mask] = atoms
        return self._atoms_of[mask]


def pinned(structure: Structure, knowledge: Knowledge) -> bool:
    """Whether no witness gives the target's records another count (see the module doc)."""
    sizes, in_target, fixed = structure.sizes, structure.in_target, structure.fixed
    constraints: list[_Constraint] = []
    for (_, mask), fact in knowledge.facts.items():
        if isinstance(fact, Exact):
            low, high = allowed(fact.value)
            constraints.append(_Constraint("exact", structure.atoms_of(mask), [], low, high))
        elif isinstance(fact, Small):
            constraints.append(
                _Constraint("small", structure.atoms_of(mask), [], 0, knowledge.min_cell - 1)
            )
    for hidden in knowledge.hidden:
        parts = [structure.atoms_of(part) if part else [] for part in hidden.parts]
        constraints.append(
            _Constraint(
                "hidden",
                [atom for part in parts for atom in part],
                parts,
                0,
                knowledge.min_cell - 1,
                hidden.sensitive,
            )
        )
    touching: dict[int, list[int]] = defaultdict(list)
    for index, constraint in enumerate(constraints):
        for atom in constraint.atoms:
            touching[atom].append(index)
    # Each constraint's count in the true world, and its atoms as sets: a trial world differs
    # from it in a few atoms only.
    bases = [sum(sizes[a] for a in c.atoms) for c in constraints]
    members = [frozenset(c.atoms) for c in constraints]
    part_bases = [[sum(sizes[a] for a in part) for part in c.parts] for c in constraints]
    part_members = [[frozenset(part) for part in c.parts] for c in constraints]

    def moved(atoms: frozenset[int], delta: Mapping[int, int]) -> int:
        return sum(d for a, d in delta.items() if a in atoms)

    def holds(index: int, delta: Mapping[int, int]) -> bool:
        constraint = constraints[index]
        value = bases[index] + moved(members[index], delta)
        if constraint.kind == "exact":
            return constraint.low <= value <= constraint.high
        if constraint.kind == "small":
            return lowest_published(value) <= constraint.high
        lowest = [
            lowest_published(base + moved(atoms, delta))
            for base, atoms in zip(part_bases[index], part_members[index], strict=True)
        ]
        if sum(lowest) <= constraint.high:
            return True
        # The lowest publishable halves make the rule hide the cell most easily (it is
        # monotone): the service's own rule decides.
        return constraint.sensitive and too_few_either_way(lowest[0], lowest[1], knowledge.min_cell)

    def direction(index: int, delta: Mapping[int, int]) -> int:
        constraint = constraints[index]
        if constraint.kind == "exact":
            value = bases[index] + moved(members[index], delta)
            return -1 if value > constraint.high else 1
        return -1

    nodes = 0

    def search(delta: dict[int, int], broken: frozenset[int], depth: int, limit: int) -> bool:
        """`broken`: the constraints `delta` breaks (worked out as the moves are made)."""
        nonlocal nodes
        nodes += 1
        if not broken:
            return sum(d for a, d in delta.items() if in_target[a]) != 0
        if depth == limit or nodes > NODE_BUDGET:
            return False
        index = min(broken)
        step = direction(index, delta)
        candidates = []
        # Atoms with the fewest other constraints first: moving them disturbs least.
        choices = [
            atom
            for atom in constraints[index].atoms
            if not (in_target[atom] or fixed[atom])
            and not (step < 0 and sizes[atom] + delta.get(atom, 0) <= 0)
        ]
        choices.sort(key=lambda atom: len(touching[atom]))
        for atom in choices[:CANDIDATES]:
            trial = {**delta, atom: delta.get(atom, 0) + step}
            still = frozenset(
                [i for i in broken if i not in touching_sets[atom]]
                + [i for i in touching[atom] if not holds(i, trial)]
            )
            candidates.append((len(still), atom, trial, still))
        candidates.sort(key=lambda item: (item[0], item[1]))
        return any(
            search(trial, still, depth + 1, limit) for _, _, trial, still in candidates[:BRANCHES]
        )

    touching_sets = {atom: frozenset(indexes) for atom, indexes in touching.items()}
    starts = [
        ({atom: step}, atom)
        for step in (1, -1)
        for atom, inside in enumerate(in_target)
        if inside and not fixed[atom] and not (step < 0 and sizes[atom] == 0)
    ]
    broken_by = [
        frozenset(i for i in touching[atom] if not holds(i, start)) for start, atom in starts
    ]
    # First a quick dive from every start, each with its own small budget (the greedy order
    # usually finds a witness at once); the old search shared one budget, spent it on the
    # first starts, and missed a witness of two moves from a later one
    # (docs/disclosure-control.md, "Certainty, rarely").
    for (start, _), broken in zip(starts, broken_by, strict=True):
        nodes = NODE_BUDGET - START_BUDGET
        if search(start, broken, 0, MAX_DEPTH):
            return False
    # Then iterative deepening: every start with one repair move, then two, … so a short
    # witness is always found before the budget goes on long repairs.
    for limit in range(MAX_DEPTH + 1):
        nodes = 0
        for (start, _), broken in zip(starts, broken_by, strict=True):
            if search(start, broken, 0, limit):
                return False
    return True
