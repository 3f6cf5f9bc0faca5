"""The survey's encrypted fields: "contact me" requests and a link's note of its request."""

from __future__ import annotations

from sqlmodel import Session

from app.encrypted_rows import rotate_rows
from app.survey.models import ContactRequest, ContactRequestFiled


def rotate_contact_request_encryption(session: Session) -> dict[str, int]:
    """Re-encrypt every stored request and every link's reference to its request."""
    return {
        "contact_requests": rotate_rows(
            session, ContactRequest, ("details_encrypted", "earlier_details_encrypted")
        ),
        "request_notes": rotate_rows(
            session, ContactRequestFiled, ("request_ref_encrypted",), key="invitation_id"
        ),
    }
