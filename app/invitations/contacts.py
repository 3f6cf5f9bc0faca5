"""Contacts: one per phone number or email address, known across batches by a keyed hash."""

from __future__ import annotations

from app.crypto import keyed_hash
from app.setting_values import QuietHours, parse_quiet_hours
from app.settings import get_settings

CONTACT_HASH_PURPOSE = "contact"
CASE_REF_HASH_PURPOSE = "case_ref"
STAGE_KEY_PURPOSE = "case_stage"
CASE_MARK_PURPOSE = "contact_case"


def contact_hash(destination: str) -> str:
    """Keyed hash of an E.164 number or a lower-cased email address."""
    return keyed_hash(CONTACT_HASH_PURPOSE, destination)


def case_ref_hash(case_ref: str) -> str:
    """Keyed hash of a force case reference (exactly as given, surrounding spaces removed)."""
    return keyed_hash(CASE_REF_HASH_PURPOSE, case_ref.strip())


def stage_key(case_hash: str, contact_digest: str) -> str:
    """The case-stage ledger's key: one victim's part in one case.

    A case may have several victims, each surveyed at each stage; the key is a keyed hash of
    the case hash and the contact hash together, so the ledger holds no contact detail and
    cannot be joined to a contact or an invitation by either hash.
    """
    return keyed_hash(STAGE_KEY_PURPOSE, f"{case_hash}:{contact_digest}")


def service_party(support_service: str) -> str:
    """What stands for the victim in the ledger key of a row a support service passes on.

    No contact of ours: one service's part in one case, so the same stage passed on twice by a
    service is invited once (still keyed: the ledger shows neither the case nor the service).
    """
    return f"service:{support_service}"


def case_mark(case_hash: str, contact_digest: str) -> str:
    """What a contact keeps of its last case, so cooling-off holds only between different cases.

    Its own keyed hash: equal to no case hash and no ledger key, so it joins to neither.
    """
    return keyed_hash(CASE_MARK_PURPOSE, f"{case_hash}:{contact_digest}")


def configured_quiet_hours() -> QuietHours | None:
    return parse_quiet_hours(get_settings().quiet_hours)
