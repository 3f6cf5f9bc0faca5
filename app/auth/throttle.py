"""Throttling of failed sign-ins: five failures within fifteen minutes lock the subject out.

A subject is a keyed hash (of the normalised email tried, or of a user id for the second
factor), so the table never holds what was typed, and unknown emails are throttled exactly like
known ones — the throttle must not reveal which accounts exist.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from app.auth.models import LoginAttempt
from app.crypto import keyed_hash
from app.db import utcnow as utc_now

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


def login_subject(normalised_email: str) -> str:
    """The throttle key of a password sign-in."""
    return keyed_hash("login", normalised_email)


def second_factor_subject(user_id: int) -> str:
    """The throttle key of second-factor codes: guessing six digits must be as slow."""
    return keyed_hash("login-totp", str(user_id))


def is_throttled(session: Session, subject: str) -> bool:
    """True once MAX_FAILURES failures fall within WINDOW (counted after the last success)."""
    since = utc_now() - WINDOW
    last_success = session.exec(
        select(func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.subject_hash == subject,
            col(LoginAttempt.succeeded).is_(True),
            LoginAttempt.attempted_at >= since,
        )
    ).one()
    query = select(func.count()).where(
        LoginAttempt.subject_hash == subject,
        col(LoginAttempt.succeeded).is_(False),
        LoginAttempt.attempted_at >= since,
    )
    if last_success is not None:
        query = query.where(LoginAttempt.attempted_at > last_success)
    failures = session.exec(query).one()
    return failures >= MAX_FAILURES


def record_attempt(session: Session, subject: str, *, succeeded: bool) -> None:
    """Note an attempt, and forget every attempt that no longer counts (they are not kept)."""
    session.exec(delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < utc_now() - WINDOW))
    session.add(LoginAttempt(subject_hash=subject, succeeded=succeeded))
    session.flush()
