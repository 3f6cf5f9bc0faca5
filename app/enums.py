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


# Every value, in the contract's order: for a check of a parameter or a grouping by it.
CRIME_GROUPS: tuple[str, ...] = tuple(group.value for group in CrimeGroup)
TOUCHPOINTS: tuple[str, ...] = tuple(point.value for point in Touchpoint)


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
