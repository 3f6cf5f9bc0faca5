""" "Contact me" requests: read (decrypted) only by the victims team, closed when handled.

The details a victim left are decrypted here and nowhere else, and never written to a log or
an audit event. A closed request is kept for a short while (to undo a mistaken close, or to
check what was done) and then erased by `erase_closed_contact_requests`, run by `purge`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from sqlmodel import Session, col, delete, func, select

from app import audit, clock
from app.crypto import DecryptionFailed, decrypt
from app.errors import Conflict, NotFound
from app.survey.models import ContactRequest

# How long a closed request is kept before it is erased.
CLOSED_RETENTION = timedelta(days=30)

StatusFilter = Literal["open", "closed", "all"]

# Friendly labels for the fields the survey may store, in the order they are shown.
DETAIL_LABELS: dict[str, str] = {
    "name": "Name",
    "preferred_name": "Preferred name",
    "phone": "Phone",
    "email": "Email",
    "channel": "How to contact",
    "preferred_contact": "How to contact",
    "best_time": "Best time",
    "preferred_time": "Best time",
    "safe_to_leave_message": "Safe to leave a message",
    "language": "Language",
    "message": "Message",
    "notes": "Notes",
}


def _labelled(details: dict[str, str] | None) -> list[tuple[str, str]]:
    """(label, value) pairs for display, known fields first."""
    if not details:
        return []
    known = [(DETAIL_LABELS[key], details[key]) for key in DETAIL_LABELS if key in details]
    other = [
        (key.replace("_", " ").capitalize(), value)
        for key, value in details.items()
        if key not in DETAIL_LABELS
    ]
    return known + other


@dataclass(frozen=True)
class EarlierDetails:
    """Details a request held before the same link replaced them, and when they were given."""

    given_at: datetime
    details: dict[str, str]

    def detail_rows(self) -> list[tuple[str, str]]:
        return _labelled(self.details)


@dataclass(frozen=True)
class OpenedRequest:
    """One request with its details decrypted, for the victims team only."""

    id: str
    crime_group: str
    created_at: datetime
    updated_at: datetime | None  # when the same link last sent new details; None: never
    status: str
    closed_at: datetime | None
    erase_after: datetime | None
    details: dict[str, str] | None  # None when no configured key opens it
    # The details given before an update, latest first; None when no configured key opens them.
    earlier: list[EarlierDetails] | None = field(default_factory=list)

    def detail_rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs for display, known fields first."""
        return _labelled(self.details)


def _open_details(ciphertext: str) -> dict[str, str] | None:
    """The stored details: a JSON object of text fields, or plain text as a message."""
    try:
        plaintext = decrypt(ciphertext)
    except DecryptionFailed:
        return None
    try:
        value = json.loads(plaintext)
    except ValueError:
        return {"message": plaintext}
    return _as_details(value)


def _open_earlier(ciphertext: str | None) -> list[EarlierDetails] | None:
    """The earlier details (stored oldest first, as app/survey/contact_me.py keeps them),
    latest first; an empty list if there are none, None if no configured key opens them."""
    if ciphertext is None:
        return []
    try:
        value = json.loads(decrypt(ciphertext))
    except (DecryptionFailed, ValueError):
        return None
    return [
        EarlierDetails(
            given_at=datetime.fromisoformat(item["given_at"]),
            details=_as_details(item.get("details")),
        )
        for item in reversed(value)
    ]


def _as_details(value: object) -> dict[str, str]:
    """A decrypted JSON value as text fields to show; anything else as a message."""
    if isinstance(value, dict):
        return {
            str(key): "yes" if item is True else "no" if item is False else str(item)
            for key, item in value.items()
            if item not in (None, "")
        }
    return {"message": str(value)}


def list_contact_requests(
    session: Session, *, status: StatusFilter = "open", actor: str
) -> list[OpenedRequest]:
    """Requests (open ones by default), oldest first, decrypted; the read is audited."""
    statement = select(ContactRequest)
    if status != "all":
        statement = statement.where(col(ContactRequest.status) == status)
    statement = statement.order_by(col(ContactRequest.created_at), col(ContactRequest.id))
    rows: Sequence[ContactRequest] = session.exec(statement).all()
    opened = [_opened(row) for row in rows]
    audit.record(
        session,
        actor=actor,
        action="contact_requests.read",
        object_type="contact_request",
        detail={"status": status, "count": len(opened)},
    )
    return opened


def _opened(row: ContactRequest) -> OpenedRequest:
    return OpenedRequest(
        id=row.id,
        crime_group=row.crime_group,
        created_at=row.created_at,
        updated_at=row.updated_at,
        status=row.status,
        closed_at=row.closed_at,
        erase_after=row.erase_after,
        details=_open_details(row.details_encrypted),
        earlier=_open_earlier(row.earlier_details_encrypted),
    )


def close_contact_request(
    session: Session, request_id: str, *, actor: str, now: datetime | None = None
) -> OpenedRequest:
    """Mark a request handled; it is erased CLOSED_RETENTION later. Audited without details."""
    row = session.get(ContactRequest, request_id)
    if row is None:
        raise NotFound("There is no contact request with this id.")
    if row.status == "closed":
        raise Conflict("This request is already closed.")
    moment = now or clock.now()
    row.status = "closed"
    row.closed_at = moment
    row.closed_by = actor
    row.erase_after = moment + CLOSED_RETENTION
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="contact_requests.close",
        object_type="contact_request",
        object_id=row.id,
        detail={"crime_group": row.crime_group},
    )
    return _opened(row)


def erase_closed_contact_requests(session: Session, *, now: datetime | None = None) -> int:
    """Delete closed requests whose erase_after has passed; returns how many (for `purge`)."""
    moment = now or clock.now()
    condition = (
        (col(ContactRequest.status) == "closed")
        & col(ContactRequest.erase_after).is_not(None)
        & (col(ContactRequest.erase_after) <= moment)
    )
    count = int(
        session.exec(select(func.count()).select_from(ContactRequest).where(condition)).one()
    )
    if count:
        session.exec(delete(ContactRequest).where(condition))  # type: ignore[call-overload]
        session.flush()
    return count
