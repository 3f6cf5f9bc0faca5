"""Vocabularies shared across domains, fixed by the public contract."""

from __future__ import annotations

from enum import StrEnum


class CrimeGroup(StrEnum):
    general = "general"
    rasso = "rasso"
    vawg = "vawg"


class Touchpoint(StrEnum):
    reporting = "reporting"
    investigation = "investigation"
    outcome = "outcome"
    court = "court"
    sentence = "sentence"


# Every value, in the contract's order: for a check of a parameter or a grouping by it.
CRIME_GROUPS: tuple[str, ...] = tuple(group.value for group in CrimeGroup)
TOUCHPOINTS: tuple[str, ...] = tuple(point.value for point in Touchpoint)


def is_specialist(crime_group: str) -> bool:
    """Whether a crime group takes the specialist contact rules (rape, sexual offences, VAWG)."""
    return crime_group in ("rasso", "vawg")  # replaced by app/crime_groups.py (issue 11 point 1)


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
