"""A generated population held in memory, readable by the aggregates as `Tallies`.

The disclosure tests draw record keys hundreds of times. Each draw is answered by the service's
own functions (aggregate_metric_from, funnel_from, dropoff_from, victims_code_from) reading
`MemoryTallies`, which adds up the same month-level tallies the rollups hold; a smaller number
of draws is written to the database and answered through `DatabaseTallies` and over HTTP, and
the answers must be the same (test_endpoints.py).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import Session

from app.banks.metrics import Metric, is_right_rate
from app.invitations.models import Invitation
from app.reporting import rollups
from app.reporting.cells import Period
from app.reporting.disclosure import Tally
from app.reporting.response_facts import VersionFacts, count_response, document_facts
from app.reporting.tallies import STAGE_NAMES, MonthTallies, QuestionMonth
from app.survey.models import Response
from tests.factories import create_bank_version
from tests.reporting.factories import create_invitation, small_bank

# Which question feeds which metric in the generated banks (tests.reporting.factories).
METRIC_QUESTIONS: dict[str, str] = {
    "satisfaction.overall": "sat_overall",
    # Rights 1 and 3 are derived per response from these (bare tags count as one aspect).
    "victims_code.right_1": "right_understood",
    "victims_code.right_3": "right_information",
    "attrition": "stepping_back",  # a sensitive measure (test_attack_sensitive_tracker.py)
}
_FACTS: dict[str, VersionFacts] = {}  # crime group → facts of its generated bank
RAW_NAMES = ("crime_group", "touchpoint", "area", "language", "mode")
STAGE_TIMES = ("first_sent_at", "delivered_at", "opened_at", "started_at", "completed_at")
AT = datetime(2026, 1, 1, 12, tzinfo=UTC)


@dataclass
class Invite:
    """An invitation: how far along the funnel it got (0 = never sent, 5 = completed)."""

    id: int
    crime_group: str
    touchpoint: str
    area: str | None
    language: str
    month: date
    depth: int
    key: int = 0
    withdrawn: bool = False
    resume_at: str | None = None  # "q:<question>" for a survey in progress
    phantom: bool = False  # a record that could exist (see World.add_phantoms), but does not

    @property
    def stages(self) -> set[str]:
        reached = {"invited", *(STAGE_NAMES[1 : 1 + self.depth])}
        if self.withdrawn:
            reached.add("withdrawn")
        return reached


@dataclass
class Person:
    """A submitted response, with the completed invitation it came from."""

    id: int
    crime_group: str
    touchpoint: str
    area: str | None
    language: str
    month: date
    answers: dict[str, str | None]
    key: int = 0
    invite: Invite | None = None
    phantom: bool = False
    mode: str = "self"  # or "assisted": answered with a support worker

    def raw(self, name: str) -> Any:
        value = getattr(self, name)
        return "" if name == "area" and value is None else value


@dataclass
class World:
    people: list[Person] = field(default_factory=list)
    invites: list[Invite] = field(default_factory=list)
    _next: int = 0

    def new_id(self) -> int:
        self._next += 1
        return self._next

    def add_person(
        self,
        *,
        crime_group: str = "general",
        touchpoint: str = "reporting",
        area: str | None = "A",
        language: str = "en",
        mode: str = "self",
        month: date,
        answers: Mapping[str, str | None],
    ) -> Person:
        invite = Invite(self.new_id(), crime_group, touchpoint, area, language, month, depth=5)
        person = Person(
            self.new_id(), crime_group, touchpoint, area, language, month, dict(answers), mode=mode
        )
        person.invite = invite
        self.people.append(person)
        self.invites.append(invite)
        return person

    def add_phantoms(
        self,
        months: Iterable[date],
        answers: Sequence[Mapping[str, str | None]] = (),
        **choices: Sequence[Any],
    ) -> None:
        """Records that do not exist, one for every combination of `choices` and each way of
        answering (`answers`, or satisfied and not): the attacker cannot tell an empty
        suppressed cell from a small one, so the consistency check may put records there.
        They are never counted or stored."""
        names = list(choices)
        for month in months:
            for values in itertools.product(*(choices[name] for name in names)):
                context = dict(zip(names, values, strict=True))
                touchpoint = str(context.get("touchpoint", "reporting"))
                for given in answers or _satisfied_and_not(touchpoint):
                    person = self.add_person(month=month, answers=given, **context)
                    person.phantom = True
                    assert person.invite is not None
                    person.invite.phantom = True

    def real_people(self) -> list[Person]:
        return [person for person in self.people if not person.phantom]

    def real_invites(self) -> list[Invite]:
        return [invite for invite in self.invites if not invite.phantom]

    def add_invite(self, **values: Any) -> Invite:
        invite = Invite(self.new_id(), **values)
        self.invites.append(invite)
        return invite

    def draw_keys(self, rng: random.Random) -> None:
        """Independent uniform record keys for every response and invitation."""
        for person in self.people:
            person.key = rng.randrange(256)
        for invite in self.invites:
            invite.key = rng.randrange(256)

    def copy(self) -> World:
        twin = World(list(self.people), list(self.invites), self._next)
        return twin


def _satisfied_and_not(touchpoint: str) -> list[dict[str, str | None]]:
    """A phantom's two ways of answering the generated banks' satisfaction questions."""
    found: list[dict[str, str | None]] = []
    for satisfied in (True, False):
        answers: dict[str, str | None] = {
            "sat_overall": "very_satisfied" if satisfied else "neither"
        }
        if touchpoint in ("reporting", "court"):
            answers["right_understood"] = "yes" if satisfied else "no"
        found.append(answers)
    return found


def _tally(records: Iterable[Any]) -> Tally:
    total = Tally()
    for record in records:
        total = total + Tally(1, record.key)
    return total


def person_profile(person: Person) -> tuple[Any, ...]:
    """What the aggregates can tell about a response: people with one profile are alike."""
    return (
        person.phantom,
        person.crime_group,
        person.touchpoint,
        person.raw("area"),
        person.language,
        person.mode,
        person.month,
        tuple(sorted(person.answers.items(), key=lambda item: item[0])),
    )


def invite_profile(invite: Invite) -> tuple[Any, ...]:
    return (
        invite.phantom,
        invite.crime_group,
        invite.touchpoint,
        invite.area,
        invite.language,
        invite.month,
        invite.depth,
        invite.withdrawn,
        invite.resume_at,
    )


class MemoryTallies:
    """The month-level tallies of a World, as DatabaseTallies reads them from the rollups.

    Records are handled by profile (all that a query can tell about them), so a draw costs in
    proportion to the profiles, not the records.
    """

    def __init__(self, world: World, banks: Mapping[int, str] | None = None) -> None:
        self.world = world
        self.banks = dict(banks or {})  # bank version id → crime group (drop-off)
        self.refresh()

    def refresh(self) -> None:
        """The world's records or keys changed: regroup and retally."""
        people: dict[tuple[Any, ...], list[Person]] = {}
        for person in self.world.real_people():
            people.setdefault(person_profile(person), []).append(person)
        invites: dict[tuple[Any, ...], list[Invite]] = {}
        for invite in self.world.real_invites():
            invites.setdefault(invite_profile(invite), []).append(invite)
        self.people = [(group[0], _tally(group)) for group in people.values()]
        self.invites = [(group[0], _tally(group)) for group in invites.values()]
        self._raw = {
            id(person): {name: person.raw(name) for name in RAW_NAMES} for person, _ in self.people
        }
        self._responses: dict[tuple[str, date, date], list[MonthTallies]] = {}

    def metric_months(
        self,
        metric: Metric,
        columns: Sequence[str],
        filters: Mapping[str, str],
        period: Period,
        *,
        fine: bool,
    ) -> list[MonthTallies]:
        question = METRIC_QUESTIONS.get(metric.id)
        groups: dict[tuple[Any, ...], dict[str, Tally]] = {}
        for person, counted in self.people:
            if is_right_rate(metric.id):
                # Derived from the aspects answered, as the rollups derive it.
                code = self._derived(person).get(metric.id)
            else:
                code = person.answers.get(question) if question else None
            if code is None or code in metric.excluded_codes:
                continue
            if not period.first <= person.month <= period.last:
                continue
            raw = self._raw[id(person)]
            if any(raw[name] != value for name, value in filters.items()):
                continue
            slot = (*(raw[name] for name in columns), person.month)
            side = "positive" if code in metric.positive_codes else "negative"
            sides = groups.setdefault(
                slot, {"positive": Tally(), "negative": Tally(), "dont_know": Tally()}
            )
            sides[side] = sides[side] + counted
            if code == "dont_know":  # counted, so not excluded: a part of the not-positive
                sides["dont_know"] = sides["dont_know"] + counted
        return [
            MonthTallies(dict(zip(columns, slot[:-1], strict=True)), slot[-1], sides)
            for slot, sides in groups.items()
        ]

    def _derived(self, person: Person) -> Mapping[str, str]:
        """A response's derived right answers (app.reporting.right_rates), as submit stores
        them, from its bank's document (tests.reporting.factories.small_bank)."""
        if person.crime_group not in _FACTS:
            _FACTS[person.crime_group] = document_facts(small_bank(person.crime_group))
        facts = _FACTS[person.crime_group]
        return count_response(facts, person.touchpoint, list(person.answers.items())).derived

    def characteristic_values(self, name: str) -> list[str]:
        return []  # the generated banks have no equality section

    def response_months(self, dimension: str, first: date, last: date) -> list[MonthTallies]:
        if (dimension, first, last) not in self._responses:
            self._responses[(dimension, first, last)] = self._response_months(
                dimension, first, last
            )
        return self._responses[(dimension, first, last)]

    def _response_months(self, dimension: str, first: date, last: date) -> list[MonthTallies]:
        groups: dict[tuple[Any, date], Tally] = {}
        for person, counted in self.people:
            if first <= person.month <= last:
                slot = (person.raw(dimension), person.month)
                groups[slot] = groups.get(slot, Tally()) + counted
        return [
            MonthTallies({dimension: value}, month, {"responses": total})
            for (value, month), total in groups.items()
        ]

    def live_response_months(self, first: date, last: date) -> set[date]:
        return {p.month for p, _ in self.people if first <= p.month <= last}

    def invitation_months(
        self, columns: Sequence[str], filters: Mapping[str, str], period: Period
    ) -> list[MonthTallies]:
        groups: dict[tuple[Any, ...], dict[str, Tally]] = {}
        for invite, counted in self.invites:
            if not period.first <= invite.month <= period.last:
                continue
            if any(getattr(invite, name) != value for name, value in filters.items()):
                continue
            slot = (*(getattr(invite, name) for name in columns), invite.month)
            stages = groups.setdefault(slot, {stage: Tally() for stage in STAGE_NAMES})
            for stage in invite.stages:
                stages[stage] = stages[stage] + counted
        return [
            MonthTallies(dict(zip(columns, slot[:-1], strict=True)), slot[-1], stages)
            for slot, stages in groups.items()
        ]

    def live_invitation_months(self, first: date, last: date) -> set[date]:
        return {i.month for i, _ in self.invites if first <= i.month <= last}

    def question_months(
        self,
        version_ids: Sequence[int],
        single: Sequence[str],
        multi: Sequence[str],
        touchpoint: str | None,
        period: Period,
        mode: str | None = None,
    ) -> list[QuestionMonth]:
        banks = {self.banks[v] for v in version_ids if v in self.banks}
        found: dict[tuple[str, date], dict[bool, Tally]] = {}
        for person, counted in self.people:
            if person.crime_group not in banks or not period.first <= person.month <= period.last:
                continue
            if touchpoint and person.touchpoint != touchpoint:
                continue
            if mode and person.mode != mode:
                continue
            for question in (*single, *multi):
                if question in person.answers:
                    skipped = person.answers[question] is None
                    slot = found.setdefault(
                        (question, person.month), {False: Tally(), True: Tally()}
                    )
                    slot[skipped] = slot[skipped] + counted
        return [
            QuestionMonth(question, month, sides[False], sides[True])
            for (question, month), sides in found.items()
        ]

    def stopped(self, version_ids: Sequence[int], touchpoint: str | None) -> dict[str, Tally]:
        banks = {self.banks[v] for v in version_ids if v in self.banks}
        found: dict[str, Tally] = {}
        for invite, counted in self.invites:
            if not (invite.resume_at and invite.crime_group in banks):
                continue
            if not touchpoint or invite.touchpoint == touchpoint:
                question = invite.resume_at[2:]
                found[question] = found.get(question, Tally()) + counted
        return found


# --- the same world in the database ---------------------------------------------------------


@dataclass
class Stored:
    """Where each record of a World went in the database."""

    responses: dict[int, str]  # person id → response id
    invitations: dict[int, str]  # invite id → invitation id
    banks: dict[int, str]  # bank version id → crime group


def store(db: Session, world: World) -> Stored:
    """Write the world's responses (through the rollups) and invitations, with their keys."""
    from tests.reporting.factories import submit_response

    versions = {
        group: create_bank_version(db, small_bank(group), slug=group)
        for group in ("general", "rasso", "vawg")
    }
    responses: dict[int, str] = {}
    invitations: dict[int, str] = {}
    for person in world.real_people():
        response = submit_response(
            db,
            versions[person.crime_group],
            person.answers,
            crime_group=person.crime_group,
            touchpoint=person.touchpoint,
            area=person.area,
            month=person.month,
            language=person.language,
            assisted=person.mode == "assisted",
            record_key=person.key,
            commit=False,
        )
        responses[person.id] = response.id
    for invite in world.real_invites():
        times = {name: AT for name in STAGE_TIMES[: invite.depth]}
        extra: dict[str, Any] = {}
        if invite.withdrawn:
            extra["withdrawn_at"] = AT
        if invite.resume_at:
            extra.update(
                status="started",
                resume_at=invite.resume_at,
                bank_version_id=versions[invite.crime_group].id,
            )
        created = create_invitation(
            db,
            crime_group=invite.crime_group,
            touchpoint=invite.touchpoint,
            touchpoint_date=invite.month.replace(day=15),
            area=invite.area,
            language=invite.language,
            record_key=invite.key,
            **times,
            **extra,
        )
        invitations[invite.id] = created.id
    db.commit()
    banks = {int(v.id): group for group, v in versions.items() if v.id is not None}
    return Stored(responses, invitations, banks)


def restore_keys(db: Session, world: World, stored: Stored, since: date) -> None:
    """Give the stored records the world's current keys, then rebuild the rollups."""
    response_table = Response.__table__  # type: ignore[attr-defined]
    invitation_table = Invitation.__table__  # type: ignore[attr-defined]
    connection = db.connection()
    connection.execute(
        response_table.update()
        .where(response_table.c.id == bindparam("rid"))
        .values(record_key=bindparam("key")),
        [{"rid": stored.responses[p.id], "key": p.key} for p in world.real_people()],
    )
    connection.execute(
        invitation_table.update()
        .where(invitation_table.c.id == bindparam("iid"))
        .values(record_key=bindparam("key")),
        [{"iid": stored.invitations[i.id], "key": i.key} for i in world.real_invites()],
    )
    rollups.rebuild(db, since=since)
    db.commit()
