"""An explicit request to be contacted by the OPCC victims team, kept apart from any answer.

The details are encrypted at rest and the row names neither the invitation nor the response:
only the crime group is kept, so the team knows which specialists to involve. A link files at
most one request. Its note (ContactRequestFiled) holds the request's id, encrypted, so a second
request from the link updates the first rather than adding a row, and the request says when it
was updated (`updated_at`): the team sees that the details changed, and checks before calling
(someone else holding the link could have sent them). The details given before are kept beside
the latest (`earlier_details_encrypted`), for the team only: an abuser holding the victim's
phone cannot overwrite her safe number unseen. The victim's pages show none of this. The note
goes with the link's state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session

from app.crypto import DecryptionFailed, decrypt, encrypt
from app.db import utcnow
from app.errors import FieldError
from app.i18n import N_
from app.survey.entry import lock_invitation
from app.survey.models import ContactRequest, ContactRequestFiled
from app.survey.text_input import clean_victim_text

NAME_MAX = 100
BEST_TIME_MAX = 200
# Earlier versions of a request's details kept on update: the first ever (most likely the
# victim's own, and one that any number of later requests cannot push out) and the most recent
# ones before the latest. Bounded, so the row stays small however often a link resends.
EARLIER_KEPT = 3

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


def ask_to_be_contacted(
    session: Session, form: object, *, invitation_id: str, crime_group: str
) -> ContactForm:
    """The form checked and, if it is valid, the link's request filed (or updated)."""
    contact = validate(read_form(form))
    if not contact.errors:
        create_request(session, contact, invitation_id=invitation_id, crime_group=crime_group)
    return contact


def create_request(
    session: Session, contact: ContactForm, *, invitation_id: str, crime_group: str
) -> ContactRequest:
    """Store a valid request, encrypted; a link's second request updates its first.

    Under the invitation's row lock, so two requests sent at once file one. A request the team
    has closed is opened again with the new details; one already erased (or a note from before
    notes named their request) is filed anew.
    """
    lock_invitation(session, invitation_id)
    details = encrypt(json.dumps(_details(contact), ensure_ascii=False))
    note = session.get(ContactRequestFiled, invitation_id)
    earlier = _request_of(session, note) if note is not None else None
    if earlier is not None:
        earlier.earlier_details_encrypted = _kept_earlier(earlier)
        earlier.details_encrypted = details
        earlier.updated_at = utcnow()
        if earlier.status != "open":
            earlier.status, earlier.closed_at, earlier.closed_by = "open", None, None
            earlier.erase_after = None
        session.add(earlier)
        session.flush()
        return earlier
    # The note names the invitation and, encrypted, its request; the request names neither.
    request = ContactRequest(details_encrypted=details, crime_group=crime_group)
    session.add(request)
    session.flush()
    note = note or ContactRequestFiled(invitation_id=invitation_id)
    note.request_ref_encrypted = encrypt(request.id)
    session.add(note)
    session.flush()
    return request


def _kept_earlier(request: ContactRequest) -> str | None:
    """The request's earlier details with its current ones added, encrypted, oldest first: the
    first ever and then the most recent, EARLIER_KEPT at most. Details no configured key opens
    cannot be carried over and are left out (the key rotation keeps this from happening)."""
    try:
        kept: list[object] = (
            json.loads(decrypt(request.earlier_details_encrypted))
            if request.earlier_details_encrypted is not None
            else []
        )
        current_text = decrypt(request.details_encrypted)
    except (DecryptionFailed, ValueError):
        return request.earlier_details_encrypted
    try:
        current: object = json.loads(current_text)
    except ValueError:  # plain text, as the team's list reads it (app/reporting)
        current = {"message": current_text}
    # The current details were given when the request was last updated, or else filed.
    given_at = request.updated_at or request.created_at
    kept.append({"details": current, "given_at": given_at.isoformat()})
    if len(kept) > EARLIER_KEPT:
        kept = kept[:1] + kept[len(kept) - EARLIER_KEPT + 1 :]
    return encrypt(json.dumps(kept, ensure_ascii=False))


def _details(contact: ContactForm) -> dict[str, str | None]:
    return {
        "name": contact.name or None,
        "phone": contact.phone_e164 or None,
        "email": contact.email_normalised or None,
        "best_time": contact.best_time or None,
    }


def _request_of(session: Session, note: ContactRequestFiled) -> ContactRequest | None:
    """The request a link's note names, if it is still kept and a configured key opens it."""
    if note.request_ref_encrypted is None:
        return None
    try:
        request_id = decrypt(note.request_ref_encrypted)
    except DecryptionFailed:
        return None
    return session.get(ContactRequest, request_id)
