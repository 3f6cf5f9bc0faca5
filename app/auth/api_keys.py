"""API keys: random, shown once, stored only as a SHA-256 hash beside a lookup prefix.

A key looks like `vv_<prefix>_<secret>`: the 8-character prefix finds the row and names the key
in audit events and in `api-keys revoke`; the secret carries 256 bits. A plain (unsalted) hash
is enough because the key is random, not chosen by a person.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from datetime import timedelta

from sqlmodel import Session, select

from app.audit import record as record_event
from app.auth.models import ApiKey, StaffUser
from app.auth.revocation import revoke_key
from app.auth.service import (
    checked_bank_scopes,
    checked_support_scopes,
    get_user_by_email,
    role_names,
)
from app.db import as_utc
from app.db import utcnow as utc_now
from app.enums import Role
from app.errors import InvalidInput, NotFound

KEY_PREFIX = "vv"
# last_used_at is for people reviewing keys; a minute's precision saves a write per call.
TOUCH_INTERVAL = timedelta(minutes=1)


def _hash(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()


def _new_prefix(session: Session) -> str:
    while True:
        prefix = secrets.token_hex(4)
        if session.exec(select(ApiKey.id).where(ApiKey.prefix == prefix)).first() is None:
            return prefix


def create_api_key(
    session: Session,
    *,
    name: str,
    roles: Iterable[Role | str],
    bank_scopes: Iterable[str] = (),
    support_scopes: Iterable[str] = (),
    user_email: str | None = None,
    actor: str = "cli",
) -> tuple[str, ApiKey]:
    """A new key; returns the plain value (the only time it exists) and the row.

    With `user_email` the key is bound to that (active) user and acts for them: it may hold
    only roles and banks the user holds (an admin user holds all), only a bound key can
    approve, and disabling the user revokes it.
    """
    name = name.strip()
    if not name or len(name) > 120:
        raise InvalidInput("Give the key a name of 1 to 120 characters.")
    role_list = role_names(roles)
    scopes = checked_bank_scopes(bank_scopes)
    services = checked_support_scopes(role_list, support_scopes)
    user = None if user_email is None else _user_to_bind(session, user_email, role_list, scopes)
    if user is not None and Role.admin.value not in user.roles:
        outside = sorted(set(services) - set(user.support_scopes))
        if outside:
            raise InvalidInput(
                "A key bound to a user may act only for the user's support services; not: "
                + ", ".join(outside)
                + "."
            )
    prefix = _new_prefix(session)
    plain = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=_hash(plain),
        roles=role_list,
        bank_scopes=scopes,
        support_scopes=services,
        user_id=user.id if user is not None else None,
    )
    session.add(key)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="api_key.created",
        object_type="api_key",
        object_id=prefix,
        detail={
            "roles": role_list,
            "bank_scopes": scopes,
            "support_scopes": services,
            "user_id": key.user_id,
        },
    )
    return plain, key


def _user_to_bind(
    session: Session, email: str, roles: list[str], bank_scopes: list[str]
) -> StaffUser:
    """The active user a new key may be bound to; InvalidInput if the key would exceed them."""
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound("There is no staff user with this email address.")
    if user.disabled_at is not None:
        raise InvalidInput("This staff user is disabled: a key cannot be bound to them.")
    if Role.admin.value in user.roles:
        return user
    beyond = sorted(set(roles) - set(user.roles))
    if beyond:
        raise InvalidInput(
            "A key bound to a user may hold only roles the user holds; the user does not hold: "
            + ", ".join(beyond)
            + "."
        )
    outside = sorted(set(bank_scopes) - set(user.bank_scopes))
    if outside:
        raise InvalidInput(
            "A key bound to a user may be scoped only to banks the user may edit; not: "
            + ", ".join(outside)
            + "."
        )
    return user


def bound_user(session: Session, key: ApiKey) -> StaffUser | None:
    """The user a key is bound to, or None for an unbound key."""
    return session.get(StaffUser, key.user_id) if key.user_id is not None else None


def prefix_of(value: str) -> str:
    """The lookup prefix of a key, or of a prefix given with or without `vv_`."""
    parts = value.strip().split("_", 2)
    if len(parts) >= 2 and parts[0] == KEY_PREFIX:
        return parts[1]
    return parts[0]


def find_active_key(session: Session, plain: str) -> ApiKey | None:
    """The unrevoked key whose hash matches `plain`, marked as used; else None."""
    parts = plain.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        return None
    key = session.exec(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, _hash(plain)):
        return None
    now = utc_now()
    if key.last_used_at is None or now - as_utc(key.last_used_at) >= TOUCH_INTERVAL:
        key.last_used_at = now
        session.add(key)
    return key


def revoke_api_key(session: Session, *, prefix: str, actor: str = "cli") -> ApiKey:
    """Revoke a key by its prefix (idempotent); NotFound if no key has it."""
    lookup = prefix_of(prefix)
    key = session.exec(select(ApiKey).where(ApiKey.prefix == lookup)).first()
    if key is None:
        raise NotFound("No API key has this prefix.")
    if key.revoked_at is None:
        revoke_key(session, key, actor=actor, reason="revoked")
    return key
