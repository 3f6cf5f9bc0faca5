"""Aware UTC times for the auth domain.

The datetime columns are SQLModel's UTCDateTime, which refuses naive values and gives back
aware UTC ones; this domain therefore works in aware UTC throughout.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app import audit
from app.audit import AuditEvent


def utc_now() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def record_event(session: Session, **values: Any) -> AuditEvent:
    """app.audit.record, with the event's time made aware (see the module docstring)."""
    event = audit.record(session, **values)
    event.occurred_at = as_utc(event.occurred_at)
    return event
