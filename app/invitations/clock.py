"""Aware UTC times for the invitations domain.

Every datetime column is stored in UTC; SQLModel binds and returns aware datetimes, so this
domain works in aware UTC throughout and normalises whatever a row gives back.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from app import audit
from app.db import utcnow


def now() -> datetime:
    """The current time, aware, in UTC."""
    return as_utc(utcnow())


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def record_event(session: Session, **values: Any) -> None:
    """`app.audit.record` with an aware UTC time (the audit table stores aware datetimes)."""
    event = audit.record(session, **values)
    event.occurred_at = now()
