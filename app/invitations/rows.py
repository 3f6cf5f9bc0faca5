"""Validation of one batch row. Errors name the field and the rule, never the value.

A row can come from a careless or hostile client: any field may be missing, of the wrong type
(a list, an object, a number where text belongs), absurdly long, or hold a NUL. Each such
problem rejects that row alone, with its field named; nothing about the row is echoed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.enums import CRIME_GROUPS, TOUCHPOINTS, Channel
from app.invitations.column_names import near_miss_message, near_misses
from app.invitations.row_contact import (
    DIRECT,
    NO_CHANNEL,
    ContactRules,
    configured_rules,
    consent_kept,
    early_skip,
    late_skip,
    parse_flag,
    read_contact_fields,
    read_past_date,
)
from app.invitations.stage_fields import read_stage_fields

COLUMNS = (
    "case_ref",
    "crime_group",
    "touchpoint",
    "touchpoint_date",
    "area",
    "channel",
    "phone",
    "email",
    "language",
    "safe_to_contact",
    # The safe-contact fields (app/invitations/row_contact.py).
    "consent_to_survey",
    "consent_recorded_on",
    "safe_time",
    "contact_via",
    "support_service",
    "under_18",
    # Where the case stands (app/invitations/stage_fields.py).
    "outcome",
    "vcs_eligible",
)

# BCP 47: a language subtag, then optional script, region and variants (RFC 5646, simplified;
# private-use and grandfathered tags are refused rather than guessed at).
_BCP47_RE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-([A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*$"
)
_SURROGATE = re.compile("[\ud800-\udfff]")
_AREA_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MAX_CASE_REF = 200
# No column is longer than this; a longer value is refused before any parsing looks at it.
MAX_FIELD_CHARS = 1000
_HUGE = 10**MAX_FIELD_CHARS
_MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


@dataclass(frozen=True, slots=True)
class ValidRow:
    """A row that passed validation; `destination` is E.164 or a lower-cased email."""

    case_ref: str
    crime_group: str
    touchpoint: str
    touchpoint_date: date
    area: str | None
    channel: str
    # E.164 or a lower-cased email; empty for a row a support service passes on.
    destination: str
    language: str
    contact_via: str = DIRECT
    support_service: str | None = None
    # Canonical text of app/invitations/safe_time.py; stored encrypted with the contact.
    safe_time: str | None = None
    # Where the case stands (app/invitations/stage_fields.py): routes questions and timing.
    outcome: str | None = None
    vcs_eligible: bool | None = None
    # A specialist direct row's agreement date (row_contact.consent_kept), judged at send too.
    consent_recorded_on: date | None = None


@dataclass(frozen=True, slots=True)
class Skipped:
    """A row skipped for `reason`; a row skipped before validation is never looked at further.
    Its crime group and touchpoint, when valid, are kept only to count the skip."""

    reason: str
    crime_group: str | None = None
    touchpoint: str | None = None


@dataclass(frozen=True, slots=True)
class UnreadableRow:
    """A row the reader could not turn into fields (nested too deeply, a CSV record too long):
    it takes a row index like any other and is rejected alone with `reason`."""

    reason: str


@dataclass(frozen=True, slots=True)
class NotAValue:
    """What the JSON reader puts where a row holds NaN, Infinity or an integer of absurd size."""


RowError = dict[str, Any]


def _error(field: str, msg: str) -> RowError:
    return {"loc": [field], "msg": msg}


class _WrongValue(Exception):
    def __init__(self, msg: str) -> None:
        self.msg = msg


def _text(raw: Mapping[str, Any], field: str) -> str | None:
    """The field as stripped text, None when absent or blank; _WrongValue when unusable."""
    value = raw.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise _WrongValue("must be text")
    if isinstance(value, float) and not math.isfinite(value):
        raise _WrongValue("must be text")
    if isinstance(value, int) and not -_HUGE < value < _HUGE:
        raise _WrongValue("must be text")  # str() of a 5,000-digit integer raises
    text = str(value)
    if len(text) > MAX_FIELD_CHARS:
        raise _WrongValue(f"must be at most {MAX_FIELD_CHARS} characters")
    if "\x00" in text:
        raise _WrongValue("must not contain a null character (U+0000)")
    if _SURROGATE.search(text):
        raise _WrongValue("must be valid Unicode text (it holds an unpaired surrogate)")
    return text.strip() or None


class _Fields:
    """Reads the row's fields, collecting at most one error per field."""

    def __init__(self, raw: Mapping[str, Any], errors: list[RowError]) -> None:
        self.raw = raw
        self.errors = errors
        self.refused: set[str] = set()

    def text(self, field: str) -> str | None:
        try:
            return _text(self.raw, field)
        except _WrongValue as problem:
            self.refuse(field, problem.msg)
            return None

    def refuse(self, field: str, msg: str) -> None:
        if field not in self.refused:
            self.refused.add(field)
            self.errors.append(_error(field, msg))


def parse_safe_to_contact(value: Any) -> bool | None:
    """True/False from a JSON boolean or the words in any case; None for anything else."""
    return parse_flag(value)


def normalise_uk_mobile(value: str) -> str | None:
    """E.164 of a UK mobile number, or None if it is not one."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 44:
        return None
    # number_type is UNKNOWN for an invalid number, so one call checks both (is_valid_number
    # would repeat the same costly region and pattern matching: a third of an import's time).
    if phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(value: str) -> str | None:
    """The lower-cased, normalised address, or None if it is not a valid one (no DNS)."""
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return None
    return result.normalized.lower()


@dataclass(frozen=True, slots=True)
class DateWindow:
    """The touchpoint dates an upload accepts: none after `today`, none `max_age_days` before."""

    today: date
    max_age_days: int

    @property
    def earliest(self) -> date:
        return self.today - timedelta(days=self.max_age_days)


def _touchpoint_date(fields: _Fields, window: DateWindow) -> date | None:
    if fields.text("touchpoint_date") is None:
        fields.refuse("touchpoint_date", "is required")
        return None
    value = read_past_date(fields, "touchpoint_date", window.today)
    if value is None:
        return None
    if value < window.earliest:
        fields.refuse(
            "touchpoint_date", f"must be at most {window.max_age_days} days before the upload"
        )
        return None
    return value


def _case_ref(fields: _Fields) -> str | None:
    case_ref = fields.text("case_ref")
    if not case_ref:
        fields.refuse("case_ref", "is required")
    elif len(case_ref) > MAX_CASE_REF:
        fields.refuse("case_ref", f"must be at most {MAX_CASE_REF} characters")
    return case_ref


def _area(fields: _Fields) -> str | None:
    area = fields.text("area")
    if area is not None and not _AREA_RE.match(area):
        fields.refuse("area", "must be a short code of letters, digits, - _ .")
    return area


def _language(fields: _Fields) -> str:
    language = fields.text("language") or "en"
    if not _BCP47_RE.match(language):
        fields.refuse("language", "must be a BCP 47 language tag such as en or pa-Arab")
    return language


def _destination(fields: _Fields) -> tuple[str | None, str | None]:
    """The channel and its destination (E.164 or a lower-cased email), each None if refused."""
    channel = fields.text("channel")
    destination: str | None = None
    if channel == Channel.sms:
        phone = fields.text("phone")
        if not phone:
            fields.refuse("phone", "is required for channel sms")
        else:
            destination = normalise_uk_mobile(phone)
            if destination is None:
                fields.refuse("phone", "must be a UK mobile number")
    elif channel == Channel.email:
        email = fields.text("email")
        if not email:
            fields.refuse("email", "is required for channel email")
        else:
            destination = normalise_email(email)
            if destination is None:
                fields.refuse("email", "must be a valid email address")
    else:
        fields.refuse("channel", "must be sms or email")
    return channel, destination


def validate_row(
    raw: Any, window: DateWindow, rules: ContactRules | None = None
) -> ValidRow | Skipped | list[RowError]:
    """Check one row (a JSON object, or a CSV record as strings).

    Skips come first, in the contract's order: under_18 and not_safe_to_contact before any
    other field is read (nothing of such a row is kept), no_consent once the row is valid.
    """
    if isinstance(raw, UnreadableRow):
        return [_error("row", raw.reason)]
    if not isinstance(raw, Mapping):
        return [_error("row", "must be an object with the batch columns")]
    skip = early_skip(raw)
    if skip is not None:
        return _skipped(skip, raw)
    rules = rules or configured_rules(window.today)
    errors: list[RowError] = []
    fields = _Fields(raw, errors)
    for name, column in near_misses(raw, COLUMNS):
        fields.refuse(name, near_miss_message(column))
    if parse_safe_to_contact(raw.get("safe_to_contact")) is None:
        fields.refuse("safe_to_contact", "must be true or false")

    case_ref = _case_ref(fields)
    crime_group = _choice(fields, "crime_group", CRIME_GROUPS)
    touchpoint = _choice(fields, "touchpoint", TOUCHPOINTS)
    touchpoint_date = _touchpoint_date(fields, window)
    area = _area(fields)
    language = _language(fields)
    contact = read_contact_fields(fields, crime_group, rules)
    channel, destination = (
        _destination(fields) if contact.contact_via == DIRECT else (NO_CHANNEL, "")
    )
    stage, stage_errors = read_stage_fields(raw, touchpoint)
    errors.extend(stage_errors)

    if errors:
        return errors
    assert case_ref and crime_group and touchpoint and touchpoint_date and channel
    assert destination is not None
    skip = late_skip(crime_group, contact, rules)
    if skip is not None:
        return Skipped(skip, crime_group, touchpoint)
    return ValidRow(
        case_ref=case_ref,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=touchpoint_date,
        area=area,
        channel=channel,
        destination=destination,
        language=_canonical_language(language),
        contact_via=contact.contact_via,
        support_service=contact.support_service,
        safe_time=contact.safe_time,
        outcome=stage.outcome,
        vcs_eligible=stage.vcs_eligible,
        consent_recorded_on=consent_kept(crime_group, contact, rules),
    )


def _choice(fields: _Fields, name: str, values: tuple[str, ...]) -> str | None:
    """The field when it is one of `values`; otherwise refused, and None."""
    value = fields.text(name)
    if value in values:
        return value
    fields.refuse(name, f"must be one of {', '.join(values)}")
    return None


def _vocabulary(value: Any, values: tuple[str, ...]) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() in values else None


def _skipped(reason: str, raw: Mapping[str, Any]) -> Skipped:
    """A row skipped before it is read: only its crime group and touchpoint, when they are
    valid, are kept, to count the skip."""
    return Skipped(
        reason,
        crime_group=_vocabulary(raw.get("crime_group"), CRIME_GROUPS),
        touchpoint=_vocabulary(raw.get("touchpoint"), TOUCHPOINTS),
    )


def _canonical_language(tag: str) -> str:
    # en-gb → en-GB, pa-arab → pa-Arab: the case BCP 47 recommends.
    parts = tag.split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)
