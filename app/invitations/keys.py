"""The invitations' encrypted fields: contact details and the links kept for reminders."""

from __future__ import annotations

from sqlmodel import Session

from app.encrypted_rows import rotate_rows
from app.invitations.models import Contact, Invitation


def rotate_contact_encryption(session: Session) -> dict[str, int]:
    """Re-encrypt every stored destination (and safe time) and kept link; counts by kind."""
    # The safe time is erased with the destination, so a contact holds one only beside it.
    return {
        "contacts": rotate_rows(session, Contact, ("destination_encrypted", "safe_time_encrypted")),
        "links": rotate_rows(session, Invitation, ("link_encrypted",)),
    }
