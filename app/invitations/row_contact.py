"""The safe-contact fields of a batch row: agreement, safe time, route and age.

Read by app/invitations/rows.py. Every rule keys on the group's contact class
(app/crime_groups.py), never on a slug. Skips come in the contract's order: `under_18` and
`not_safe_to_contact` are decided before anything else of the row is read (nothing of such a
row is kept, not even a field error), `no_consent` once the row is otherwise valid; the
skips that need the database (opted_out, duplicate, cooling_off, then stage_allocation) follow
in app/invitations/chunk_store.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from app.banks.support import support_service_keys
from app.crime_groups import specialist_groups
from app.invitations.safe_time import SafeTimeError, parse_safe_time
from app.settings import get_settings

UNDER_18 = "under_18"
NOT_SAFE = "not_safe_to_contact"
NO_CONSENT = "no_consent"

DIRECT = "direct"
SUPPORT_SERVICE = "support_service"
CONTACT_VIA = (DIRECT, SUPPORT_SERVICE)
# The channel stored for an invitation a support service passes on: we send nothing ourselves.
NO_CHANNEL = "none"
DIRECT_SETTING = "VV_SPECIALIST_DIRECT_CONTACT"


@dataclass(frozen=True, slots=True)
class ContactRules:
    """What the safe-contact rules need besides the row (from settings and the support file)."""

    today: date
    consent_max_age_days: int
    specialist_direct_contact: bool
    support_services: frozenset[str]
    # The groups of contact class specialist, read once per import (not once per row).
    specialist_groups: frozenset[str]

    def is_specialist(self, crime_group: str) -> bool:
        return crime_group in self.specialist_groups

    @property
    def oldest_consent(self) -> date:
        return self.today - timedelta(days=self.consent_max_age_days)


def consent_current(recorded_on: date | None, *, today: date, max_age_days: int) -> bool:
    """Agreement recorded at most `max_age_days` before `today` (VV_CONSENT_MAX_AGE_DAYS): the
    one rule for the upload and for every message sent (first or reminder)."""
    return recorded_on is not None and recorded_on >= today - timedelta(days=max_age_days)


def configured_rules(today: date) -> ContactRules:
    """The rules of this deployment (VV_ settings, question_banks/support_services.yaml)."""
    settings = get_settings()
    return ContactRules(
        today=today,
        consent_max_age_days=settings.consent_max_age_days,
        specialist_direct_contact=settings.specialist_direct_contact,
        support_services=support_service_keys(),
        specialist_groups=specialist_groups(),
    )


class Fields(Protocol):
    """The reader of app/invitations/rows.py: text of a field, or one error for it."""

    raw: Mapping[str, Any]

    def text(self, field: str) -> str | None: ...

    def refuse(self, field: str, msg: str) -> None: ...


def parse_flag(value: Any) -> bool | None:
    """True/False from a JSON boolean or the words true/false in any case; None otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and len(value) <= 10:
        word = value.strip().lower()
        if word in ("true", "false"):
            return word == "true"
    return None


def early_skip(raw: Mapping[str, Any]) -> str | None:
    """`under_18` or `not_safe_to_contact`, read before any other field, else None."""
    if parse_flag(raw.get("under_18")) is True:
        return UNDER_18
    if parse_flag(raw.get("safe_to_contact")) is False:
        return NOT_SAFE
    return None


@dataclass(frozen=True, slots=True)
class ContactFields:
    contact_via: str
    support_service: str | None
    safe_time: str | None  # canonical spelling
    consent: bool | None
    consent_recorded_on: date | None


def _flag(fields: Fields, field: str, *, required: bool) -> bool | None:
    value = fields.raw.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            fields.refuse(field, "is required for a specialist crime group (true or false)")
        return None
    flag = parse_flag(value)
    if flag is None:
        fields.refuse(field, "must be true or false")
    return flag


def read_past_date(fields: Fields, name: str, today: date) -> date | None:
    """An ISO date (YYYY-MM-DD) not after `today`; None when absent or refused."""
    text = fields.text(name)
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError
        value = date.fromisoformat(text)
    except ValueError:
        fields.refuse(name, "must be an ISO date (YYYY-MM-DD)")
        return None
    if value > today:
        fields.refuse(name, "must not be in the future")
        return None
    return value


def _safe_time(fields: Fields) -> str | None:
    text = fields.text("safe_time")
    if text is None:
        return None
    try:
        return parse_safe_time(text).text()
    except SafeTimeError as problem:
        fields.refuse("safe_time", str(problem))
        return None


def _route(fields: Fields, rules: ContactRules) -> tuple[str, str | None]:
    via = fields.text("contact_via") or DIRECT
    if via not in CONTACT_VIA:
        fields.refuse("contact_via", "must be direct or support_service")
        return DIRECT, None
    service = fields.text("support_service")
    if via == DIRECT:
        if service is not None:
            fields.refuse("support_service", "must be empty unless contact_via is support_service")
        return via, None
    if service is None:
        fields.refuse("support_service", "is required when contact_via is support_service")
    elif service not in rules.support_services:
        fields.refuse("support_service", "must be the key of a service in support_services.yaml")
    for detail in ("phone", "email"):
        if fields.text(detail) is not None:
            # The support service holds the victim's details; we must not receive them.
            fields.refuse(detail, "must be empty when contact_via is support_service")
    return via, service


def read_contact_fields(
    fields: Fields, crime_group: str | None, rules: ContactRules
) -> ContactFields:
    """The safe-contact fields, each error refused on `fields`."""
    specialist = crime_group is not None and rules.is_specialist(crime_group)
    # Read for its error only: a row with under_18 true never gets here.
    _flag(fields, "under_18", required=specialist)
    consent = _flag(fields, "consent_to_survey", required=False)
    consent_on = read_past_date(fields, "consent_recorded_on", rules.today)
    safe_time = _safe_time(fields)
    via, service = _route(fields, rules)
    if specialist and via == DIRECT and not rules.specialist_direct_contact:
        fields.refuse(
            "contact_via",
            f"direct contact for a specialist crime group is off until {DIRECT_SETTING}=on "
            "(after the data protection impact assessment and safeguarding sign-off); "
            "use contact_via support_service",
        )
    return ContactFields(via, service, safe_time, consent, consent_on)


def late_skip(crime_group: str, found: ContactFields, rules: ContactRules) -> str | None:
    """`no_consent` for a direct row of a specialist group without current agreement, and for
    any direct row whose victim said no (`consent_to_survey: false`): agreement is not needed
    for general crime, but a recorded refusal is never overridden."""
    if found.contact_via != DIRECT:
        return None
    if found.consent is False:
        return NO_CONSENT
    if not rules.is_specialist(crime_group):
        return None
    current = consent_current(
        found.consent_recorded_on, today=rules.today, max_age_days=rules.consent_max_age_days
    )
    if found.consent is not True or not current:
        return NO_CONSENT
    return None


def consent_kept(crime_group: str, found: ContactFields, rules: ContactRules) -> date | None:
    """What the invitation keeps of the agreement: its date, for a specialist group's direct
    row only (dispatch judges it again at send); nothing for any other row."""
    if found.contact_via != DIRECT or not rules.is_specialist(crime_group):
        return None
    return found.consent_recorded_on
