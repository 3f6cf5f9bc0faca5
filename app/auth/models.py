"""Tables for staff access."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.db import utcnow as utc_now


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=320, unique=True)
    password_hash: str = Field(max_length=255)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bank_scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # BCP 47 tags of the translations this user may mark approved (issue 9 stores them only).
    language_scopes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Keys of support_services.yaml a support worker acts for (issue 12).
    support_scopes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # Encrypted with VV_ENCRYPTION_KEYS; set at first sign-in, confirmed by a first valid code.
    totp_secret_encrypted: str | None = Field(default=None, max_length=500)
    totp_confirmed_at: datetime | None = None
    totp_last_step: int | None = None  # refuses a replayed code
    disabled_at: datetime | None = None
    created_at: datetime = Field(default_factory=utc_now)


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    # SHA-256 of the cookie value: a leaked table cannot be replayed as cookies.
    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True, ondelete="CASCADE")
    csrf_token: str = Field(max_length=64)
    second_factor_passed: bool = False
    created_at: datetime = Field(default_factory=utc_now)
    last_seen_at: datetime = Field(default_factory=utc_now)
    ended_at: datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """One row per throttled subject: the failures counted and how long it must wait.

    Written only by atomic statements in app/auth/throttle.py (see there for the design).
    """

    __tablename__ = "login_throttle"

    # A keyed hash naming what is throttled (an account, a device, an address, a user's codes),
    # so the table never holds what was typed or where it came from.
    subject_hash: str = Field(primary_key=True, max_length=64)
    failures: int = 0
    last_failure_at: datetime | None = Field(default=None, index=True)
    blocked_until: datetime | None = None


class ApiKey(SQLModel, table=True):
    __tablename__ = "api_key"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    bank_scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    support_scopes: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # The named person the key acts for; only a bound key may approve (two-person rule), and
    # disabling the user revokes it.
    user_id: int | None = Field(default=None, foreign_key="staff_user.id", index=True)
    created_at: datetime = Field(default_factory=utc_now)
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
