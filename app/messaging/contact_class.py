"""Which message set a crime group's invitations use (its contact class)."""

from __future__ import annotations


def is_specialist(crime_group: str) -> bool:
    return crime_group in ("rasso", "vawg")  # replaced by app/crime_groups.py (issue 11 point 1)
