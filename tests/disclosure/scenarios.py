"""Generated populations for the attacks: big groups around small hidden ones.

Each builder returns the world and its hidden targets (name → the records behind a count the
service never shows). Big groups are well above min_cell (10) and areas and languages well
above or below the 50 a year that offers them on their own, so the attacks face the published
figures a real force would see around a small group.
"""

from __future__ import annotations

import random
from datetime import date

from tests.disclosure.world import Person, World

JUL, AUG, SEP = date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1)
MONTHS = (JUL, AUG, SEP)


def _answers(rng: random.Random, touchpoint: str) -> dict[str, str | None]:
    answers: dict[str, str | None] = {
        "sat_overall": "very_satisfied" if rng.random() < 0.7 else "neither"
    }
    if touchpoint in ("reporting", "court"):
        answers["right_understood"] = "yes" if rng.random() < 0.8 else "no"
    return answers


def person(world: World, rng: random.Random, month: date, **values: object) -> Person:
    context: dict[str, object] = {
        "crime_group": "general",
        "touchpoint": "reporting",
        "area": rng.choice(["A", "B"]),
        "language": "en",
    }
    context.update(values)
    return world.add_person(
        month=month,
        answers=_answers(rng, str(context["touchpoint"])),
        **context,  # type: ignore[arg-type]
    )


def _unfinished(world: World, rng: random.Random, share: float = 0.4) -> None:
    """Invitations that were never completed, beside the completed ones."""
    for someone in list(world.people):
        if rng.random() < share:
            world.add_invite(
                crime_group=someone.crime_group,
                touchpoint=someone.touchpoint,
                area=someone.area,
                language=someone.language,
                month=someone.month,
                depth=rng.randrange(0, 5),
            )


def complements(seed: int = 1) -> tuple[World, dict[str, list[Person]]]:
    """July to September 2026: general crime in areas A and B, reporting, English; vawg,
    investigation and Urdu beside it; and small groups each small in one dimension: an area
    (X, alone in "other areas"), rasso, the court touchpoint, and one Polish speaker (inside
    "other languages" with the Urdu speakers)."""
    rng = random.Random(seed)
    world = World()
    for month in MONTHS:
        for _ in range(60):
            person(world, rng, month)
        for _ in range(20):
            person(world, rng, month, crime_group="vawg")
        for _ in range(15):
            person(world, rng, month, touchpoint="investigation")
        for _ in range(12):
            person(world, rng, month, language="ur")
    targets = {
        "area X in August (other areas)": [person(world, rng, AUG, area="X") for _ in range(2)],
        "rasso in August": [person(world, rng, AUG, crime_group="rasso") for _ in range(3)],
        "court in September": [person(world, rng, SEP, touchpoint="court") for _ in range(4)],
        "Polish in July (other languages)": [person(world, rng, JUL, language="pl")],
    }
    _unfinished(world, rng)
    world.add_phantoms(
        MONTHS,
        crime_group=("general", "rasso", "vawg"),
        touchpoint=("reporting", "investigation", "outcome", "court"),
        area=("A", "B", "X"),
        language=("en", "ur", "pl"),
    )
    return world, targets


RANGE_MONTHS = tuple(date(2025 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(15))


def ranges(seed: int = 2) -> tuple[World, dict[str, list[Person]]]:
    """April 2025 to June 2026, one group of about 25 responses a month, and three small
    months: August 2025 (3), January 2026 (1) and May 2026 (6)."""
    rng = random.Random(seed)
    world = World()
    small = {date(2025, 8, 1): 3, date(2026, 1, 1): 1, date(2026, 5, 1): 6}
    targets: dict[str, list[Person]] = {}
    for month in RANGE_MONTHS:
        people = [
            person(world, rng, month, area="A")
            for _ in range(small.get(month, rng.randint(20, 30)))
        ]
        if month in small:
            targets[f"{month:%B %Y}"] = people
    return world, targets


def endpoints(seed: int = 3) -> tuple[World, dict[str, list[Person]]]:
    """Responses with the invitations they came from, and unfinished invitations: general and
    vawg at every touchpoint, rasso small at court in August and at outcome in September."""
    rng = random.Random(seed)
    world = World()
    for month in MONTHS:
        for touchpoint in ("reporting", "investigation", "outcome", "court"):
            for _ in range(25 if touchpoint == "reporting" else 12):
                person(world, rng, month, touchpoint=touchpoint, area="A")
            for _ in range(12):
                person(world, rng, month, touchpoint=touchpoint, crime_group="vawg", area="A")
        for _ in range(15):
            person(world, rng, month, crime_group="rasso", touchpoint="reporting", area="A")
    targets = {
        "rasso at court in August": [
            person(world, rng, AUG, crime_group="rasso", touchpoint="court", area="A")
            for _ in range(3)
        ],
        "rasso at outcome in September": [
            person(world, rng, SEP, crime_group="rasso", touchpoint="outcome", area="A")
            for _ in range(2)
        ],
    }
    _unfinished(world, rng, 0.6)
    # Surveys in progress, stopped at a question (the editors' drop-off).
    for month in MONTHS:
        for _ in range(rng.randint(8, 14)):
            world.add_invite(
                crime_group="general",
                touchpoint="reporting",
                area="A",
                language="en",
                month=month,
                depth=4,
                resume_at="q:sat_overall",
            )
    world.add_invite(
        crime_group="rasso",
        touchpoint="court",
        area="A",
        language="en",
        month=AUG,
        depth=4,
        resume_at="q:right_understood",
    )
    world.add_phantoms(
        MONTHS,
        crime_group=("general", "rasso", "vawg"),
        touchpoint=("reporting", "investigation", "outcome", "court"),
        area=("A",),
        language=("en",),
    )
    return world, targets


def modes(seed: int = 4) -> tuple[World, dict[str, list[Person]]]:
    """July to September 2026, general crime at reporting in areas A and B: about 60 victims a
    month who answered alone, and victims who answered with a support worker (assisted): 15
    in July and September, 3 in August, and in September 2 of them in area B alone."""
    rng = random.Random(seed)
    world = World()
    for month in MONTHS:
        for _ in range(60):
            person(world, rng, month)
    for _ in range(15):
        person(world, rng, JUL, mode="assisted")
    for _ in range(13):
        person(world, rng, SEP, mode="assisted", area="A")
    targets = {
        "assisted in August": [person(world, rng, AUG, mode="assisted") for _ in range(3)],
        "assisted in area B in September": [
            person(world, rng, SEP, mode="assisted", area="B") for _ in range(2)
        ],
    }
    world.add_phantoms(MONTHS, area=("A", "B"), mode=("self", "assisted"))
    return world, targets


def _attrition(rng: random.Random, share: float) -> dict[str, str | None]:
    return {"stepping_back": "yes" if rng.random() < share else "no"}


def sensitive(seed: int = 5) -> tuple[World, dict[str, list[Person]]]:
    """Attrition (a sensitive measure), July to September 2026 in one area: general crime at
    investigation and court, 40 a month each, and vawg at court, 20 a month, a fifth of them
    answering "yes"; rasso at court 16 a month, 5 "yes", but in August 13 with 2 "yes", and
    rasso at investigation 15 a month, 4 "yes", but in September 12 with 1 "yes". The hidden
    counts are those "yes" answers: cells of 10 to 19 hidden by the sensitive rule only."""
    rng = random.Random(seed)
    world = World()

    def add(count: int, month: date, yes: int | None = None, **context: str) -> list[Person]:
        return [
            world.add_person(
                month=month,
                area="A",
                answers=_attrition(rng, 0.2) if yes is None else _fixed(index < yes),
                **context,
            )
            for index in range(count)
        ]

    targets: dict[str, list[Person]] = {}
    for month in MONTHS:
        add(40, month, touchpoint="investigation")
        add(40, month, touchpoint="court")
        add(20, month, crime_group="vawg", touchpoint="court")
        court = add(
            *((13, month, 2) if month == AUG else (16, month, 5)),
            crime_group="rasso",
            touchpoint="court",
        )
        investigation = add(
            *((12, month, 1) if month == SEP else (15, month, 4)),
            crime_group="rasso",
            touchpoint="investigation",
        )
        if month == AUG:
            targets['"yes" in rasso at court in August'] = court[:2]
        if month == SEP:
            targets['"yes" in rasso at investigation in September'] = investigation[:1]
    world.add_phantoms(
        MONTHS,
        answers=[{"stepping_back": "yes"}, {"stepping_back": "no"}],
        crime_group=("general", "rasso", "vawg"),
        touchpoint=("investigation", "court"),
    )
    return world, targets


def _fixed(yes: bool) -> dict[str, str | None]:
    return {"stepping_back": "yes" if yes else "no"}
