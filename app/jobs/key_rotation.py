"""Re-encrypting everything stored encrypted under the first key of VV_ENCRYPTION_KEYS.

One job across domains, so that no encrypted field is forgotten when an old key is removed:
after it, every value decrypts with the first key alone.
"""

from __future__ import annotations

from sqlmodel import Session

from app.audit import record as record_event
from app.auth.keys import rotate_staff_encryption
from app.invitations.keys import rotate_contact_encryption
from app.survey.keys import rotate_contact_request_encryption


def rotate_encryption(session: Session, *, actor: str) -> dict[str, int]:
    """Re-encrypt every encrypted field of every table; counts by kind (audited)."""
    counts = {
        **rotate_contact_encryption(session),
        **rotate_contact_request_encryption(session),
        **rotate_staff_encryption(session),
    }
    record_event(session, actor=actor, action="encryption.rotate_keys", detail=counts)
    session.flush()
    return counts
