"""Vocabularies shared across domains, fixed by the public contract."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from app.crime_groups import crime_group_slugs

# Every crime group, in the order of question_banks/crime_groups.yaml (the one place that lists
# them): for a check of a parameter or a grouping by it. Read once, when the app starts.
CRIME_GROUPS: tuple[str, ...] = crime_group_slugs()

if TYPE_CHECKING:

    class CrimeGroup(StrEnum):
        general = "general"
        rasso = "rasso"
        vawg = "vawg"

else:
    # Built from the file, so that a group it adds is accepted wherever the type is used.
    CrimeGroup = StrEnum("CrimeGroup", [(slug, slug) for slug in CRIME_GROUPS])


class Touchpoint(StrEnum):
    reporting = "reporting"
    investigation = "investigation"
    outcome = "outcome"
    court = "court"
    sentence = "sentence"


TOUCHPOINTS: tuple[str, ...] = tuple(point.value for point in Touchpoint)


class Mode(StrEnum):
    """How a response was given: by the victim alone, or with a support worker at the victim's
    request (an assisted completion). Aggregates can split it out or leave it out."""

    alone = "self"
    assisted = "assisted"


MODES: tuple[str, ...] = tuple(mode.value for mode in Mode)


class Outcome(StrEnum):
    """The coarse outcome of a case as an upload gives it (Home Office codes map onto these)."""

    charged = "charged"
    nfa = "nfa"
    out_of_court = "out_of_court"
    victim_withdrew = "victim_withdrew"
    not_known = "not_known"


OUTCOMES: tuple[str, ...] = tuple(outcome.value for outcome in Outcome)


class Channel(StrEnum):
    sms = "sms"
    email = "email"


class Role(StrEnum):
    admin = "admin"
    approver = "approver"
    editor = "editor"
    analyst = "analyst"
    uploader = "uploader"
    victims_team = "victims_team"
    # Scoped to support services (ISVA/IDVA): finds and hands over invitations, nothing else.
    support_worker = "support_worker"
