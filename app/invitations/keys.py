"""Re-encrypting stored contact details (and the links kept for reminders) under the first key
of VV_ENCRYPTION_KEYS."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.crypto import rotate
from app.invitations.models import Contact, Invitation

CHUNK = 1000


def rotate_contact_encryption(session: Session, *, actor: str) -> int:
    """Re-encrypt every stored destination with the current first key; returns the count.

    After this, an old key can be removed from VV_ENCRYPTION_KEYS.
    """
    rotated = 0
    last_id = 0
    while True:
        contacts = session.exec(
            select(Contact)
            .where(col(Contact.id) > last_id)
            .where(col(Contact.destination_encrypted).is_not(None))
            .order_by(col(Contact.id))
            .limit(CHUNK)
        ).all()
        if not contacts:
            break
        for contact in contacts:
            assert contact.destination_encrypted is not None and contact.id is not None
            contact.destination_encrypted = rotate(contact.destination_encrypted)
            if contact.safe_time_encrypted is not None:
                contact.safe_time_encrypted = rotate(contact.safe_time_encrypted)
            session.add(contact)
            last_id = contact.id
        rotated += len(contacts)
        session.flush()
        session.expunge_all()  # bounded memory however many contacts there are
    links = _rotate_links(session)
    record_event(
        session,
        actor=actor,
        action="contact.rotate_keys",
        detail={"rotated": rotated, "links_rotated": links},
    )
    session.flush()
    return rotated


def _rotate_links(session: Session) -> int:
    """Re-encrypt the encrypted copies of link tokens (app/invitations/links.py)."""
    rotated = 0
    last_id = ""
    while True:
        invitations = session.exec(
            select(Invitation)
            .where(col(Invitation.id) > last_id)
            .where(col(Invitation.link_encrypted).is_not(None))
            .order_by(col(Invitation.id))
            .limit(CHUNK)
        ).all()
        if not invitations:
            return rotated
        for invitation in invitations:
            assert invitation.link_encrypted is not None
            invitation.link_encrypted = rotate(invitation.link_encrypted)
            session.add(invitation)
            last_id = invitation.id
        rotated += len(invitations)
        session.flush()
        session.expunge_all()
