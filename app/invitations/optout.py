"""Opting a contact out of every message, from any batch, at once."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import utcnow as now
from app.invitations.contacts import contact_hash
from app.invitations.lifecycle import skip_unsent
from app.invitations.models import Contact, Invitation
from app.invitations.rows import normalise_uk_mobile


def opt_out_contact(session: Session, contact: Contact, *, source: str) -> int:
    """Opt `contact` out; its due messages are skipped. Returns how many were stopped.

    The destination is erased at once (nothing will be sent to it again); the hash stays so
    that later batch rows for it are skipped as `opted_out`. Links keep working.
    """
    moment = now()
    first_time = contact.opted_out_at is None
    if first_time:
        contact.opted_out_at = moment
    contact.destination_encrypted = None
    contact.safe_time_encrypted = None  # erased with the destination: nothing more is sent
    session.add(contact)
    invitation_ids = select(col(Invitation.id)).where(col(Invitation.contact_id) == contact.id)
    stopped = skip_unsent(session, invitation_ids, reason="opted_out")
    # No message will carry these links again: their encrypted copies, and the agreement's
    # date that only decided whether a message may go, go with the destination.
    session.execute(
        update(Invitation)
        .where(col(Invitation.contact_id) == contact.id)
        .values(link_encrypted=None, consent_recorded_on=None)
    )
    if first_time:
        record_event(
            session,
            actor="contact",
            action="contact.opt_out",
            object_type="contact",
            object_id=str(contact.id),
            detail={"source": source, "messages_stopped": stopped},
        )
    session.flush()
    return stopped


def opt_out_invitation(session: Session, invitation: Invitation, *, source: str) -> bool:
    """Opt out the contact of `invitation` (stop page); False when it is already erased."""
    if invitation.contact_id is None:
        return False
    contact = session.get(Contact, invitation.contact_id)
    if contact is None:
        return False
    opt_out_contact(session, contact, source=source)
    return True


def opt_out_phone(session: Session, source_number: str, *, source: str) -> bool:
    """Opt out a phone number given as Notify does (digits, no +). False if not a UK mobile.

    A number we do not know yet is remembered (by its keyed hash only) as opted out, so a
    later batch can never message it.
    """
    digits = "".join(ch for ch in source_number if ch.isdigit())
    e164 = normalise_uk_mobile("+" + digits) if digits else None
    if e164 is None:
        return False
    digest = contact_hash(e164)
    contact = session.scalars(select(Contact).where(col(Contact.contact_hash) == digest)).first()
    if contact is None:
        contact = Contact(contact_hash=digest, channel="sms")
        session.add(contact)
        session.flush()
    opt_out_contact(session, contact, source=source)
    return True
