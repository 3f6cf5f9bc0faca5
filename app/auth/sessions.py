"""Server-side staff sessions and the cookies that name them.

The cookie holds a random value; the table holds only its SHA-256, so a copy of the table cannot
be replayed as cookies. A session expires after `staff_session_idle_minutes` without use and
`staff_session_absolute_hours` after sign-in, whichever comes first, and ends at once when its
user is disabled.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from fastapi import Request, Response
from sqlalchemy import delete, update
from sqlmodel import Session, col

from app.auth.models import StaffSession, StaffUser
from app.db import as_utc
from app.db import utcnow as utc_now
from app.settings import get_settings

SESSION_COOKIE = "vv_staff"
# Writing last_seen_at on every request would make each page view a write; a minute's
# precision is plenty for an idle timeout counted in minutes.
TOUCH_INTERVAL = timedelta(minutes=1)
# A password alone opens only the code page, and only for a short while.
PENDING_LIFETIME = timedelta(minutes=15)


@dataclass(frozen=True)
class ActiveSession:
    record: StaffSession
    user: StaffUser

    @property
    def signed_in(self) -> bool:
        """Only a session past the second factor may use anything behind a role."""
        return self.record.second_factor_passed


def session_cookie_name() -> str:
    """`__Host-` over https: the browser then refuses it from a subdomain or over http."""
    return f"__Host-{SESSION_COOKIE}" if get_settings().is_https else SESSION_COOKIE


def session_id_for(cookie_value: str) -> str:
    return hashlib.sha256(cookie_value.encode()).hexdigest()


def start_session(session: Session, user: StaffUser, *, second_factor_passed: bool) -> str:
    """A new session (always a new id, so a planted cookie cannot be raised to signed in)."""
    assert user.id is not None
    _forget_old_sessions(session)
    cookie_value = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            id=session_id_for(cookie_value),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            second_factor_passed=second_factor_passed,
        )
    )
    session.flush()
    return cookie_value


def _forget_old_sessions(session: Session) -> None:
    """Delete sessions past their absolute timeout (with a day's grace): nothing needs them."""
    hours = get_settings().staff_session_absolute_hours
    cutoff = utc_now() - timedelta(hours=hours, days=1)
    session.exec(delete(StaffSession).where(col(StaffSession.created_at) < cutoff))


def find_session(session: Session, cookie_value: str | None) -> ActiveSession | None:
    """The live session this cookie names, or None if ended, timed out or its user disabled."""
    if not cookie_value:
        return None
    record = session.get(StaffSession, session_id_for(cookie_value))
    if record is None or record.ended_at is not None:
        return None
    settings = get_settings()
    now = utc_now()
    last_seen = as_utc(record.last_seen_at)
    if now - last_seen > timedelta(minutes=settings.staff_session_idle_minutes):
        return None
    age = now - as_utc(record.created_at)
    if age > timedelta(hours=settings.staff_session_absolute_hours):
        return None
    if not record.second_factor_passed and age > PENDING_LIFETIME:
        return None
    user = session.get(StaffUser, record.user_id)
    if user is None or user.disabled_at is not None:
        return None
    if now - last_seen >= TOUCH_INTERVAL:
        record.last_seen_at = now
        session.add(record)
    return ActiveSession(record=record, user=user)


def session_from_request(session: Session, request: Request) -> ActiveSession | None:
    return find_session(session, request.cookies.get(session_cookie_name()))


def end_session(session: Session, record: StaffSession) -> None:
    record.ended_at = utc_now()
    session.add(record)
    session.flush()


def end_user_sessions(session: Session, user_id: int) -> int:
    """End every live session of a user; the number ended."""
    result = session.exec(
        update(StaffSession)
        .where(col(StaffSession.user_id) == user_id, col(StaffSession.ended_at).is_(None))
        .values(ended_at=utc_now())
    )
    return int(result.rowcount or 0)


def set_cookie(response: Response, name: str, value: str) -> None:
    """A session cookie (no Max-Age: the server decides when it ends) with the safe flags."""
    response.set_cookie(
        name,
        value,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().is_https,
    )


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(
        name, path="/", httponly=True, samesite="lax", secure=get_settings().is_https
    )


def set_session_cookie(response: Response, cookie_value: str) -> None:
    set_cookie(response, session_cookie_name(), cookie_value)


def clear_session_cookie(response: Response) -> None:
    clear_cookie(response, session_cookie_name())
