"""Re-encrypting stored contact details (and the links kept for reminders) under the first key
of VV_ENCRYPTION_KEYS."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.crypto import rotate
from app.invitations.models import Contact, Invitation

CHUNK = 1000


def rotate_contact_encryption(session: Session, *, actor: str) -> int:
    """Re-encrypt every stored destination with the current first key; returns the count.

    After this, an old key can be removed from VV_ENCRYPTION_KEYS.
    """
    # The safe time is erased with the destination, so a contact holds one only beside it.
    rotated = _rotate_rows(session, Contact, ("destination_encrypted", "safe_time_encrypted"))
    links = _rotate_rows(session, Invitation, ("link_encrypted",))
    record_event(
        session,
        actor=actor,
        action="contact.rotate_keys",
        detail={"rotated": rotated, "links_rotated": links},
    )
    session.flush()
    return rotated


def _rotate_rows(session: Session, model: Any, fields: tuple[str, ...]) -> int:
    """Re-encrypt `fields` of every row whose first field is set, a chunk at a time (bounded
    memory however many rows there are); how many rows."""
    rotated = 0
    last_id: Any = None
    while True:
        query = select(model).where(col(getattr(model, fields[0])).is_not(None))
        if last_id is not None:
            query = query.where(col(model.id) > last_id)
        rows = session.exec(query.order_by(col(model.id)).limit(CHUNK)).all()
        if not rows:
            return rotated
        for row in rows:
            for name in fields:
                value = getattr(row, name)
                if value is not None:
                    setattr(row, name, rotate(value))
            session.add(row)
            last_id = row.id
        rotated += len(rows)
        session.flush()
        session.expunge_all()
