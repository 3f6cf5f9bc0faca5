"""What an attacker learns from the service's answers, as facts about sets of records.

Every answer is turned into observations about the exact records behind each published count:
"the published count of these records is p" (Exact), "… is below min_cell" (Small), or, for a
suppressed metric or drop-off row, "the two published halves add up to less than min_cell"
(Hidden). Records are keyed by *unit*: a response is its person; a completed invitation that
was not withdrawn is the same person (the attacker may assume every completed survey is a
response), any other invitation is its own unit.

While turning answers into observations, the same records must always carry the same published
count (whatever query, filter, group_by, spelling or endpoint reached them), and a cell made of
several period pieces must equal the sum of its pieces: so the single-piece observations hold
everything any answer tells.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.banks.metrics import get_metric
from app.enums import CRIME_GROUPS, MODES, TOUCHPOINTS
from app.reporting import periods
from app.reporting.aggregates import aggregate_metric_from
from app.reporting.cells import PERIOD_DIMENSIONS, PERIOD_LABELS, Grouping, resolve_period
from app.reporting.disclosure import SENSITIVE_MEASURES
from app.reporting.dropoff import dropoff_from
from app.reporting.funnel import funnel_from
from app.reporting.offered import OTHER_LABELS, Offered, offered_values
from app.reporting.periods import Piece, canonical_pieces
from app.reporting.tallies import STAGE_NAMES
from app.reporting.victims_code import RightPart, RightRow, victims_code_from
from tests.disclosure.world import (
    METRIC_QUESTIONS,
    Invite,
    MemoryTallies,
    Person,
    World,
    invite_profile,
    person_profile,
)

TODAY = date(2026, 12, 1)
# What places a response in a cell (its answers are counted inside the cell).
CELL_ATTRIBUTES = ("crime_group", "touchpoint", "area", "language", "month", "mode")


@dataclass(frozen=True)
class Exact:
    value: int


@dataclass(frozen=True)
class Small:
    """Published below min_cell (suppressed)."""


@dataclass(frozen=True)
class Hidden:
    """A suppressed figure: the published counts of its parts (unit masks) add up to less than
    min_cell (a metric cell's positive and not-positive halves; a funnel stage's parts)."""

    parts: tuple[int, ...]
    # A sensitive measure's cell (positive, not-positive): also hidden when its published n is
    # below twice min_cell with either side below 3 (aggregates.too_few_either_way).
    sensitive: bool = False


Observation = Exact | Small | Hidden
Key = tuple[str, int]  # (record type, unit mask)


@dataclass
class Knowledge:
    """Everything the answers told, by record set."""

    facts: dict[Key, Observation] = field(default_factory=dict)
    hidden: list[Hidden] = field(default_factory=list)
    # Published sums of two counts (a shown cell's n: its positive and not-positive counts):
    # for building paths only, never as a fact about one published count.
    sums: dict[Key, int] = field(default_factory=dict)
    # Whole answers of one cell (a period with no group_by): (from, to, metric) → (n, positive),
    # None when suppressed.
    totals: dict[tuple[str | None, str | None, str], tuple[int, int] | None] = field(
        default_factory=dict
    )

    min_cell: int = 10

    def learn(self, key: Key, fact: Observation) -> None:
        """Add a fact; the same records must never be published as two different counts."""
        if key[1] == 0:
            return
        known = self.facts.get(key)
        if known is None or known == fact:
            self.facts[key] = fact
            return
        exact = [f for f in (known, fact) if isinstance(f, Exact)]
        if len(exact) == 2:
            raise AssertionError(f"one record set, two published counts: {known} {fact}")
        # Shown as a small half of a cell in one answer, suppressed on its own in another.
        assert exact and exact[0].value < self.min_cell, (known, fact)
        self.facts[key] = exact[0]

    def exact(self) -> dict[Key, int]:
        return {key: fact.value for key, fact in self.facts.items() if isinstance(fact, Exact)}


@dataclass(frozen=True)
class Query:
    kind: str  # metric, funnel, dropoff
    group_by: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()
    period_from: str | None = None
    period_to: str | None = None
    metric: str = "satisfaction.overall"
    bank: str = "general"
    touchpoint: str | None = None


def unit(record: Person | Invite, people_of: dict[int, Person]) -> int:
    if isinstance(record, Invite) and record.depth == 5 and not record.withdrawn:
        person = people_of.get(record.id)
        if person is not None:
            return person.id
    return record.id


class Observer:
    """Asks a world's queries through the service functions and records what they tell."""

    def __init__(
        self, world: World, banks: dict[int, str] | None = None, bits: dict[int, int] | None = None
    ) -> None:
        self.world = world
        self._offered: dict[tuple[Any, ...], Offered] = {}
        self._pieces: dict[tuple[date, date], list[Piece]] = {}
        self._groupings: dict[int, tuple[Any, Offered]] = {}
        self._rows: dict[tuple[int, str], tuple[list[tuple[int, int]], int]] = {}
        self._placed: dict[tuple[Any, ...], dict[tuple[Any, Piece], list[tuple[Any, int]]]] = {}
        self.tallies = MemoryTallies(world, banks or {1: "general", 2: "rasso", 3: "vawg"})
        self.person_of_invite = {p.invite.id: p for p in world.people if p.invite is not None}
        units = sorted(
            {p.id for p in world.people} | {unit(i, self.person_of_invite) for i in world.invites}
        )
        # A unit keeps its bit across worlds (a tracker's before and after share them).
        self.bit = dict(bits or {})
        next_bit = max(self.bit.values(), default=0).bit_length()
        for record_id in units:
            if record_id not in self.bit:
                self.bit[record_id] = 1 << next_bit
                next_bit += 1
        people: dict[tuple[Any, ...], list[Person]] = defaultdict(list)
        for person in world.people:
            people[person_profile(person)].append(person)
        invites: dict[tuple[Any, ...], list[Invite]] = defaultdict(list)
        for invite in world.invites:
            invites[invite_profile(invite)].append(invite)
        self.people_profiles = [(group[0], self.mask(group)) for group in people.values()]
        self.invite_profiles = [(group[0], self.mask(group)) for group in invites.values()]
        # Units that do not exist (World.add_phantoms): they count 0.
        self.phantoms = self.mask(p for p in world.people if p.phantom) | self.mask(
            i for i in world.invites if i.phantom
        )

    def mask(self, records: Iterable[Person | Invite]) -> int:
        total = 0
        for record in records:
            total |= self.bit[unit(record, self.person_of_invite)]
        return total

    def cell(self, people: Sequence[Person], question: str | None = None) -> int:
        """A hidden count's records: `people`, and the phantoms (empty places, which hold no
        record) that share every attribute the people all share (and their answer to
        `question`, for a count of one answer). Without them, a witness
        could swap a hidden record for an indistinguishable phantom one: another set of
        records, but the same count of the same cell (a false witness found in December 2026)."""
        shared = {
            name: getattr(people[0], name)
            for name in CELL_ATTRIBUTES
            if len({getattr(person, name) for person in people}) == 1
        }
        answers = {person.answers.get(question) for person in people} if question else set()
        alike = [
            p
            for p in self.world.people
            if p.phantom
            and all(getattr(p, name) == value for name, value in shared.items())
            and (question is None or p.answers.get(question) in answers)
        ]
        return self.mask([*people, *alike])

    # --- which records a cell counts ----------------------------------------------------

    def new_draw(self) -> None:
        """Keys were redrawn: forget what depended on them."""
        self._offered.clear()
        self._groupings.clear()
        self.tallies.refresh()

    def ask(self, query: Query, knowledge: Knowledge) -> Any:
        """Answer the query through the service and add what it tells to `knowledge`."""
        if query.kind == "metric":
            return self._metric(query, knowledge)
        if query.kind == "funnel":
            return self._funnel(query, knowledge)
        if query.kind == "victims_code":
            return self._victims_code(query, knowledge)
        return self._dropoff(query, knowledge)

    def _victims_code(self, query: Query, knowledge: Knowledge) -> Any:
        """The Victims' Code view (one crime group or all): the right's own figure and its
        per-agency `parts`, each a cell of the right's derived answers over its touchpoints."""
        period = resolve_period(query.period_from, query.period_to, TODAY)
        filters = dict(query.filters)
        view = victims_code_from(self.tallies, {}, period, crime_group=filters.get("crime_group"))
        right = int(query.metric.rsplit("_", 1)[1])
        (row,) = [row for row in view.rights if row.right == right]
        cells: list[tuple[RightRow | RightPart, list[str]]] = [
            (row, list(TOUCHPOINTS)),
            *((part, part.touchpoints) for part in row.parts or []),
        ]
        for cell, touchpoints in cells:
            sides = self._right_sides(query, period, touchpoints)
            self._learn_halves(knowledge, "resp", sides, cell.n, cell.positive, cell.suppressed)
        return view

    def _right_sides(
        self, query: Query, period: Any, touchpoints: Sequence[str]
    ) -> list[tuple[int, int]]:
        """Per live piece, the (positive, not-positive) masks of the right's derived answers
        at `touchpoints`, as the rollups derive them (MemoryTallies._derived)."""
        metric = get_metric(query.metric)
        assert metric is not None
        group = dict(query.filters).get("crime_group")
        live = {p.month for p in self.world.real_people()}
        sides = []
        for piece in canonical_pieces(period.first, period.last):
            if not any(month in live for month in piece.months()):
                continue
            positive = negative = 0
            for person in self.world.people:
                if not piece.first <= person.month <= piece.last:
                    continue
                if person.touchpoint not in touchpoints or group not in (None, person.crime_group):
                    continue
                code = self.tallies._derived(person).get(query.metric)
                if code is None or code in metric.excluded_codes:
                    continue
                if code in metric.positive_codes:
                    positive |= self.mask([person])
                else:
                    negative |= self.mask([person])
            sides.append((positive, negative))
        return sides

    def _grouping(self, query: Query) -> tuple[Any, Offered]:
        found = self._groupings.get(id(query))
        if found is not None:
            return found
        period = resolve_period(query.period_from, query.period_to, TODAY)
        folded = [n for n in OTHER_LABELS if n in query.group_by or n in dict(query.filters)]
        slot = (tuple(folded), period.first, period.last)
        if slot not in self._offered:
            self._offered[slot] = offered_values(self.tallies, folded, period.first, period.last)
        offered = self._offered[slot]
        grouping = Grouping(
            list(query.group_by),
            dict(query.filters),
            period,
            offered,
            {"crime_group": CRIME_GROUPS, "touchpoint": TOUCHPOINTS, "mode": MODES},
        )
        self._groupings[id(query)] = (grouping, offered)
        return grouping, offered

    def _place(
        self, query: Query, profiles: list[tuple[Any, int]]
    ) -> dict[tuple[Any, Piece], list[tuple[Any, int]]]:
        """Profiles (a record, the mask of its like) by the cell and piece they fall in, as the
        test, not the service, reads the query: labels, filters, offered values, pieces."""
        grouping, offered = self._grouping(query)
        state = (
            query,
            id(profiles),
            tuple(
                sorted(
                    (name, year, tuple(sorted(values)))
                    for name, years in offered.by_year.items()
                    for year, values in years.items()
                )
            ),
        )
        if state in self._placed:
            return self._placed[state]
        first, last = grouping.period.first, grouping.period.last
        months: dict[date, tuple[dict[str, str], Piece]] = {}
        for month in periods.months_between(first, last):
            labels = {name: grouping_label(name, month) for name in PERIOD_DIMENSIONS}
            start, end = first, last
            if grouping.unit is not None:
                span = periods.label_span(grouping.unit, labels[grouping.unit])
                start, end = max(first, span[0]), min(last, span[1])
            piece = next(
                piece
                for piece in canonical_pieces(start, end)
                if piece.first <= month <= piece.last
            )
            months[month] = (labels, piece)
        filters = dict(query.filters)
        names = list(dict.fromkeys((*filters, *query.group_by)))
        placed: dict[tuple[Any, Piece], list[tuple[Any, int]]] = defaultdict(list)
        for record, mask in profiles:
            found = months.get(record.month)
            if found is None:
                continue
            period_labels, piece = found
            labels: dict[str, Any] = {}
            for name in names:
                if name in PERIOD_DIMENSIONS:
                    labels[name] = period_labels[name]
                elif name in OTHER_LABELS:
                    labels[name] = offered.label(name, getattr(record, name), record.month)
                else:
                    labels[name] = getattr(record, name)
            if any(labels[name] != value for name, value in filters.items()):
                continue
            placed[(tuple(labels[name] for name in query.group_by), piece)].append((record, mask))
        self._placed[state] = placed
        return placed

    def _cell_pieces(self, query: Query, group: dict[str, Any]) -> list[Piece]:
        grouping, _ = self._grouping(query)
        first, last = grouping.period.first, grouping.period.last
        span = (first, last)
        if grouping.unit is not None:
            start, end = periods.label_span(grouping.unit, group[grouping.unit])
            span = (max(first, start), min(last, end))
        if span not in self._pieces:
            self._pieces[span] = canonical_pieces(*span)
        return self._pieces[span]

    def _metric(self, query: Query, knowledge: Knowledge) -> Any:
        result = aggregate_metric_from(
            self.tallies,
            query.metric,
            list(query.group_by),
            dict(query.filters),
            query.period_from,
            query.period_to,
            on=TODAY,
        )
        metric = get_metric(query.metric)
        assert metric is not None
        question = METRIC_QUESTIONS[query.metric]
        placed = self._place(query, self.people_profiles)
        live = {p.month for p in self.world.real_people()}
        for cell in result.cells:
            key = tuple(cell.group[name] for name in query.group_by)
            sides: list[tuple[int, int]] = []
            for piece in self._cell_pieces(query, cell.group):
                if not any(month in live for month in piece.months()):
                    continue
                positive = negative = 0
                for person, mask in placed.get((key, piece), []):
                    code = person.answers.get(question)
                    if code is None or code in metric.excluded_codes:
                        continue
                    if code in metric.positive_codes:
                        positive |= mask
                    else:
                        negative |= mask
                sides.append((positive, negative))
            self._learn_halves(
                knowledge,
                "resp",
                sides,
                cell.n,
                cell.positive,
                cell.suppressed,
                sensitive=query.metric in SENSITIVE_MEASURES,
            )
        if not query.group_by and not query.filters:
            cell = result.cells[0]
            knowledge.totals[(result.period_from, result.period_to, query.metric)] = (
                None if cell.n is None or cell.positive is None else (cell.n, cell.positive)
            )
        return result

    def _learn_halves(
        self,
        knowledge: Knowledge,
        kind: str,
        sides: Sequence[tuple[int, int]],
        n: int | None,
        first_value: int | None,
        suppressed: bool,
        *,
        sensitive: bool = False,
    ) -> None:
        if len(sides) == 1:
            first, second = sides[0]
            if suppressed:
                knowledge.hidden.append(Hidden((first, second), sensitive))
                return
            assert n is not None and first_value is not None
            knowledge.learn((kind, first), Exact(first_value))
            knowledge.learn((kind, second), Exact(n - first_value))
            if first and second:
                knowledge.sums.setdefault((f"{kind}+", first | second), n)
            return
        if suppressed or not sides:
            return
        # A cell of several pieces: the sum of its pieces, each of which is shown on its own.
        exact = knowledge.exact()
        got = [exact.get((kind, first)) for first, _ in sides]
        got2 = [exact.get((kind, second)) for _, second in sides]
        if None not in got and None not in got2:
            assert first_value == sum(v for v in got if v is not None)
            assert n == first_value + sum(v for v in got2 if v is not None)

    def _funnel(self, query: Query, knowledge: Knowledge) -> Any:
        result = funnel_from(
            self.tallies,
            list(query.group_by),
            dict(query.filters),
            query.period_from,
            query.period_to,
            on=TODAY,
        )
        placed = self._place(query, self.invite_profiles)
        live = {i.month for i in self.world.real_invites()}
        for cell in result.cells:
            key = tuple(cell.group[name] for name in query.group_by)
            pieces = [
                p
                for p in self._cell_pieces(query, cell.group)
                if any(m in live for m in p.months())
            ]
            if len(pieces) != 1:
                continue
            masks = dict.fromkeys(STAGE_NAMES, 0)
            for invite, mask in placed.get((key, pieces[0]), []):
                for stage in invite.stages:
                    masks[stage] |= mask
            chain = STAGE_NAMES[:-1]
            # The invitations that stopped at each stage: each published once.
            parts = {
                stage: masks[stage] & ~(masks[chain[i + 1]] if i + 1 < len(chain) else 0)
                for i, stage in enumerate(chain)
            }
            if cell.suppressed:
                knowledge.hidden.append(Hidden(tuple(parts.values())))
                continue
            for i, stage in enumerate(chain):
                value = getattr(cell, stage)
                beyond = tuple(parts[later] for later in chain[i:])
                if value is None:
                    knowledge.hidden.append(Hidden(beyond))
                    continue
                knowledge.sums.setdefault(("inv+", masks[stage]), value)
                following = getattr(cell, chain[i + 1]) if i + 1 < len(chain) else 0
                if following is not None:
                    knowledge.learn(("inv", parts[stage]), Exact(value - following))
            withdrawn = cell.withdrawn
            if withdrawn is None:
                knowledge.learn(("inv", masks["withdrawn"]), Small())
            elif cell.invited is not None and withdrawn < cell.invited:
                knowledge.learn(("inv", masks["withdrawn"]), Exact(withdrawn))
        return result

    def _dropoff(self, query: Query, knowledge: Knowledge) -> Any:
        result = dropoff_from(
            self.tallies,
            query.bank,
            1,
            _document(),
            [v for v, group in self.tallies.banks.items() if group == query.bank],
            query.touchpoint,
            query.period_from,
            query.period_to,
            on=TODAY,
        )
        for row in result.questions:
            sides, stopped = self._dropoff_masks(query, row.question_id)
            self._learn_halves(knowledge, "resp", sides, row.reached, row.answered, row.suppressed)
            knowledge.learn(
                ("inv", stopped), Small() if row.stopped is None else Exact(row.stopped)
            )
        return result

    def _dropoff_masks(self, query: Query, question: str) -> tuple[list[tuple[int, int]], int]:
        """A drop-off row's (answered, skipped) masks per live piece, and its stopped mask."""
        slot = (id(query), question)
        if slot not in self._rows:
            period = resolve_period(query.period_from, query.period_to, TODAY)
            live = {p.month for p in self.world.real_people()}
            sides = []
            for piece in canonical_pieces(period.first, period.last):
                if not any(m in live for m in piece.months()):
                    continue
                shown = [
                    p
                    for p in self.world.people
                    if p.crime_group == query.bank
                    and (not query.touchpoint or p.touchpoint == query.touchpoint)
                    and piece.first <= p.month <= piece.last
                    and question in p.answers
                ]
                sides.append(
                    (
                        self.mask(p for p in shown if p.answers[question] is not None),
                        self.mask(p for p in shown if p.answers[question] is None),
                    )
                )
            stopped = self.mask(
                i
                for i in self.world.invites
                if i.resume_at == f"q:{question}"
                and i.crime_group == query.bank
                and (not query.touchpoint or i.touchpoint == query.touchpoint)
            )
            self._rows[slot] = (sides, stopped)
        return self._rows[slot]


def grouping_label(name: str, month: date) -> str:
    return PERIOD_LABELS[name](month)


def _document() -> dict[str, Any]:
    from tests.reporting.factories import small_bank

    return small_bank("general")
