"""Revoking API keys: one key, or every key of a user being disabled.

Below both app/auth/service.py (disabling a user revokes their keys) and app/auth/api_keys.py
(which builds on the service), so neither imports the other back.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.auth.models import ApiKey
from app.db import utcnow as utc_now


def revoke_user_keys(session: Session, *, user_id: int, actor: str) -> int:
    """Revoke every live key bound to a user (when they are disabled); the number revoked."""
    keys = session.exec(
        select(ApiKey).where(ApiKey.user_id == user_id, col(ApiKey.revoked_at).is_(None))
    ).all()
    for key in keys:
        revoke_key(session, key, actor=actor, reason="user_disabled")
    return len(keys)


def revoke_key(session: Session, key: ApiKey, *, actor: str, reason: str) -> None:
    key.revoked_at = utc_now()
    session.add(key)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="api_key.revoked",
        object_type="api_key",
        object_id=key.prefix,
        detail={"reason": reason},
    )
