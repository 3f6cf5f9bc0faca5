"""Append-only audit events, written by the services that act. Never personal data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel

from app import clock


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(default_factory=lambda: clock.now(), index=True)
    # "user:<id>", "key:<prefix>", "cli", "system" or "provider": never an email or a name.
    actor: str = Field(max_length=80, index=True)
    action: str = Field(max_length=80, index=True)
    object_type: str = Field(default="", max_length=80)
    object_id: str = Field(default="", max_length=120)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    object_type: str = "",
    object_id: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the caller's transaction (it commits with the change it records),
    timed by the one clock: callers never set `occurred_at` themselves."""
    event = AuditEvent(
        occurred_at=clock.now(),
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail or {},
    )
    session.add(event)
    return event
