"""An explicit request to be contacted by the OPCC victims team, kept apart from any answer.

The details are encrypted at rest and the row names neither the invitation nor the response:
only the crime group is kept, so the team knows which specialists to involve. A link files at
most one request (ContactRequestFiled): a second is refused, never stored over the first, so
someone else holding the link cannot redirect the team to their own number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from app.crypto import encrypt
from app.errors import FieldError
from app.i18n import N_
from app.survey.entry import lock_invitation
from app.survey.models import ContactRequest, ContactRequestFiled
from app.survey.text_input import clean_victim_text

NAME_MAX = 100
BEST_TIME_MAX = 200

NEED_CONSENT = N_("Tick the box to say you want the victims team to contact you.")
NEED_PHONE_OR_EMAIL = N_("Enter a phone number or an email address.")
# The example the form shows, from Ofcom's range of mobile numbers kept for drama and examples
# (07700 900000 to 07700 900999): nobody's real number, and one the form accepts.
EXAMPLE_PHONE = "07700 900 982"
BAD_PHONE = N_("Enter a UK phone number, like 07700 900 982.")
BAD_EMAIL = N_("Enter an email address in the correct format, like name@example.com.")
NAME_TOO_LONG = N_("Your name must be 100 characters or fewer.")
BEST_TIME_TOO_LONG = N_("The best time to contact you must be 200 characters or fewer.")


@dataclass
class ContactForm:
    consent: bool = False
    name: str = ""
    phone: str = ""
    email: str = ""
    best_time: str = ""
    # Normalised forms, kept apart so a form shown again keeps exactly what was typed.
    phone_e164: str = ""
    email_normalised: str = ""
    # One per wrong field; `msg` is the untranslated English text the page translates.
    errors: list[FieldError] = field(default_factory=list)


def read_form(form: object) -> ContactForm:
    get = getattr(form, "get", None)

    def value(name: str) -> str:
        raw = get(name) if get is not None else None
        # Control characters go silently, as in answers (app/survey/text_input.py).
        return clean_victim_text(str(raw)).strip() if raw is not None else ""

    return ContactForm(
        consent=value("consent") == "yes",
        name=value("name"),
        phone=value("phone"),
        email=value("email"),
        best_time=value("best_time"),
    )


def _problem(field_name: str, kind: str, message: str) -> FieldError:
    return FieldError(("form", field_name), message, kind)


def _accepted_number(parsed: phonenumbers.PhoneNumber) -> bool:
    """A valid number, or one of Ofcom's example mobiles (libphonenumber calls those invalid,
    and the form's own example must not be refused)."""
    if phonenumbers.is_valid_number(parsed):
        return True
    national = str(parsed.national_number)
    return parsed.country_code == 44 and len(national) == 10 and national.startswith("7700900")


def validate(contact: ContactForm) -> ContactForm:
    """Check the form and normalise the phone (E.164) and email; errors go on the form."""
    errors: list[FieldError] = []
    if not contact.consent:
        errors.append(_problem("consent", "required", NEED_CONSENT))
    if len(contact.name) > NAME_MAX:
        errors.append(_problem("name", "too_long", NAME_TOO_LONG))
    if not contact.phone and not contact.email:
        errors.append(_problem("phone", "required", NEED_PHONE_OR_EMAIL))
    if contact.phone:
        try:
            parsed = phonenumbers.parse(contact.phone, "GB")
        except phonenumbers.NumberParseException:
            parsed = None
        if parsed is None or not _accepted_number(parsed):
            errors.append(_problem("phone", "invalid", BAD_PHONE))
        else:
            contact.phone_e164 = phonenumbers.format_number(
                parsed, phonenumbers.PhoneNumberFormat.E164
            )
    if contact.email:
        try:
            contact.email_normalised = validate_email(
                contact.email, check_deliverability=False
            ).normalized
        except EmailNotValidError:
            errors.append(_problem("email", "invalid", BAD_EMAIL))
    if len(contact.best_time) > BEST_TIME_MAX:
        errors.append(_problem("best_time", "too_long", BEST_TIME_TOO_LONG))
    contact.errors = errors
    return contact


def create_request(
    session: Session, contact: ContactForm, *, invitation_id: str, crime_group: str
) -> ContactRequest | None:
    """Store a valid request, encrypted, once per link; None (nothing stored) for a second.

    Under the invitation's row lock, so two requests sent at once file one.
    """
    lock_invitation(session, invitation_id)
    if session.get(ContactRequestFiled, invitation_id) is not None:
        return None
    session.add(ContactRequestFiled(invitation_id=invitation_id))
    details = {
        "name": contact.name or None,
        "phone": contact.phone_e164 or None,
        "email": contact.email_normalised or None,
        "best_time": contact.best_time or None,
    }
    # The note names the invitation and nothing else; the request names neither: no shared id.
    request = ContactRequest(
        details_encrypted=encrypt(json.dumps(details, ensure_ascii=False)),
        crime_group=crime_group,
    )
    session.add(request)
    session.flush()
    return request
