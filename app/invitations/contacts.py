"""Contacts: one per phone number or email address, known across batches by a keyed hash."""

from __future__ import annotations

from app.crypto import keyed_hash
from app.setting_values import QuietHours, parse_quiet_hours
from app.settings import get_settings

CONTACT_HASH_PURPOSE = "contact"
CASE_REF_HASH_PURPOSE = "case_ref"


def contact_hash(destination: str) -> str:
    """Keyed hash of an E.164 number or a lower-cased email address."""
    return keyed_hash(CONTACT_HASH_PURPOSE, destination)


def case_ref_hash(case_ref: str) -> str:
    """Keyed hash of a force case reference (exactly as given, surrounding spaces removed)."""
    return keyed_hash(CASE_REF_HASH_PURPOSE, case_ref.strip())


def configured_quiet_hours() -> QuietHours | None:
    return parse_quiet_hours(get_settings().quiet_hours)
