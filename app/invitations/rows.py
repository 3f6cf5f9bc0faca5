"""Validation of one batch row. Errors name the field and the rule, never the value."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.enums import Channel, CrimeGroup, Touchpoint

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
)

# BCP 47: a language subtag, then optional script, region and variants (RFC 5646, simplified;
# private-use and grandfathered tags are refused rather than guessed at).
_BCP47_RE = re.compile(
    r"^[A-Za-z]{2,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|\d{3}))?(-([A-Za-z\d]{5,8}|\d[A-Za-z\d]{3}))*$"
)
_AREA_RE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MAX_CASE_REF = 200
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
    destination: str
    language: str


@dataclass(frozen=True, slots=True)
class NotSafe:
    """A row marked not safe to contact: skipped; its contact details are never looked at."""


RowError = dict[str, Any]


def _error(field: str, msg: str) -> RowError:
    return {"loc": [field], "msg": msg}


def _text(raw: Mapping[str, Any], field: str) -> str | None:
    value = raw.get(field)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    text = str(value).strip()
    return text or None


def parse_safe_to_contact(value: Any) -> bool | None:
    """True/False from a JSON boolean or the words in any case; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word == "true":
            return True
        if word == "false":
            return False
    return None


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


def validate_row(raw: Any) -> ValidRow | NotSafe | list[RowError]:
    """Check one row (a JSON object, or a CSV record as strings)."""
    if not isinstance(raw, Mapping):
        return [_error("row", "must be an object with the batch columns")]
    errors: list[RowError] = []

    safe = parse_safe_to_contact(raw.get("safe_to_contact"))
    if safe is None:
        errors.append(_error("safe_to_contact", "must be true or false"))
    elif safe is False:
        # Never messaged, so nothing else about it matters and nothing of it is kept.
        return NotSafe()

    case_ref = _text(raw, "case_ref")
    if not case_ref:
        errors.append(_error("case_ref", "is required"))
    elif len(case_ref) > MAX_CASE_REF:
        errors.append(_error("case_ref", f"must be at most {MAX_CASE_REF} characters"))

    crime_group = _text(raw, "crime_group")
    if crime_group not in {group.value for group in CrimeGroup}:
        errors.append(_error("crime_group", "must be one of general, rasso, vawg"))

    touchpoint = _text(raw, "touchpoint")
    if touchpoint not in {point.value for point in Touchpoint}:
        errors.append(
            _error("touchpoint", "must be one of reporting, investigation, outcome, court")
        )

    touchpoint_date: date | None = None
    date_text = _text(raw, "touchpoint_date")
    if not date_text:
        errors.append(_error("touchpoint_date", "is required"))
    else:
        try:
            if len(date_text) != 10:
                raise ValueError
            touchpoint_date = date.fromisoformat(date_text)
        except ValueError:
            errors.append(_error("touchpoint_date", "must be an ISO date (YYYY-MM-DD)"))

    area = _text(raw, "area")
    if area is not None and not _AREA_RE.match(area):
        errors.append(_error("area", "must be a short code of letters, digits, - _ ."))

    language = _text(raw, "language") or "en"
    if not _BCP47_RE.match(language):
        errors.append(_error("language", "must be a BCP 47 language tag such as en or pa-Arab"))

    channel = _text(raw, "channel")
    destination: str | None = None
    if channel == Channel.sms:
        phone = _text(raw, "phone")
        if not phone:
            errors.append(_error("phone", "is required for channel sms"))
        else:
            destination = normalise_uk_mobile(phone)
            if destination is None:
                errors.append(_error("phone", "must be a UK mobile number"))
    elif channel == Channel.email:
        email = _text(raw, "email")
        if not email:
            errors.append(_error("email", "is required for channel email"))
        else:
            destination = normalise_email(email)
            if destination is None:
                errors.append(_error("email", "must be a valid email address"))
    else:
        errors.append(_error("channel", "must be sms or email"))

    if errors:
        return errors
    assert case_ref and crime_group and touchpoint and touchpoint_date and channel
    assert destination is not None
    return ValidRow(
        case_ref=case_ref,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=touchpoint_date,
        area=area,
        channel=channel,
        destination=destination,
        language=_canonical_language(language),
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
