"""Sign-in races on PostgreSQL, over real HTTP: parallel guesses and one code used at once.

A real uvicorn serves the app on a loopback port; each parallel request has its own browser
(cookies and form token) and starts at the same moment (a barrier), so the requests overlap in
the database as an attacker's would. Bounded: 12 and 6 requests, 20 s each at most.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pyotp
import pytest
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.auth.models import LoginThrottle, StaffUser
from app.crypto import encrypt
from app.db import utcnow
from app.enums import Role
from tests.auth.conftest import LiveServer
from tests.auth_helpers import PASSWORD, create_staff_user, form_csrf_token

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]

TIMEOUT = httpx.Timeout(20.0)
T = TypeVar("T")


def _all_at_once(count: int, action: Callable[[int], T]) -> list[T]:
    """Run `action(i)` for i in range(count) in threads released together by a barrier."""
    barrier = threading.Barrier(count, timeout=20)

    def run(index: int) -> T:
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=60))


def _browser(server: LiveServer) -> tuple[httpx.Client, str]:
    """A new browser on the sign-in page: its client and the form's CSRF token."""
    browser = httpx.Client(base_url=server.base_url, timeout=TIMEOUT, follow_redirects=False)
    page = browser.get("/staff/login")
    assert page.status_code == 200
    return browser, form_csrf_token(page.text)


def _events(db: Session, action: str) -> list[AuditEvent]:
    db.expire_all()
    events = list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())
    db.rollback()
    return events


def test_twelve_parallel_wrong_passwords_evaluate_at_most_five(
    live_server: LiveServer, db: Session
) -> None:
    user = create_staff_user(db, Role.analyst)
    browsers = [_browser(live_server) for _ in range(12)]

    def guess(index: int) -> int:
        browser, token = browsers[index]
        data = {"email": user.email, "password": f"wrong guess {index:04}", "csrf_token": token}
        return browser.post("/staff/login", data=data).status_code

    statuses = _all_at_once(12, guess)

    evaluated = statuses.count(400)
    assert evaluated <= 5, statuses
    assert statuses.count(429) == 12 - evaluated, statuses
    # What the server checked, counted on its own side: one failure event per evaluation.
    assert len(_events(db, "auth.sign_in_failed")) == evaluated
    for browser, _token in browsers:
        browser.close()


def _user_with_authenticator(db: Session) -> tuple[StaffUser, pyotp.TOTP]:
    user = create_staff_user(db, Role.analyst)
    secret = pyotp.random_base32(32)
    user.totp_secret_encrypted = encrypt(secret)
    user.totp_confirmed_at = utcnow()
    db.add(user)
    db.commit()
    return user, pyotp.TOTP(secret)


def test_one_code_used_by_six_parallel_sign_ins_signs_in_exactly_one(
    live_server: LiveServer, db: Session
) -> None:
    user, totp = _user_with_authenticator(db)
    pending: list[tuple[httpx.Client, str]] = []
    for _ in range(6):
        browser, token = _browser(live_server)
        step = browser.post(
            "/staff/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
        )
        assert step.status_code == 303 and step.headers["location"] == "/staff/2fa"
        page = browser.get("/staff/2fa")
        pending.append((browser, form_csrf_token(page.text)))
    code = totp.now()

    def use_code(index: int) -> bool:
        browser, token = pending[index]
        response = browser.post("/staff/2fa", data={"code": code, "csrf_token": token})
        return response.status_code == 303 and browser.get("/api/v1/me").status_code == 200

    signed_in = _all_at_once(6, use_code)

    assert signed_in.count(True) == 1, signed_in
    assert len(_events(db, "auth.sign_in")) == 1
    db.expire_all()
    stored = db.exec(select(StaffUser).where(col(StaffUser.id) == user.id)).one()
    assert stored.totp_last_step == totp.timecode(utcnow())
    db.rollback()
    for browser, _token in pending:
        browser.close()


def test_parallel_sign_ins_right_and_wrong_never_deadlock(
    live_server: LiveServer, db: Session
) -> None:
    """Successes clear rows while other attempts reserve them: never a deadlock (a 500)."""
    emails = [create_staff_user(db, Role.analyst).email for _ in range(4)]
    db.rollback()
    attempts = [(emails[i % 4], PASSWORD if i % 2 else f"wrong {i:04}") for i in range(24)]
    browsers = [_browser(live_server) for _ in attempts]

    def attempt(index: int) -> int:
        browser, token = browsers[index]
        email, password = attempts[index]
        data = {"email": email, "password": password, "csrf_token": token}
        return browser.post("/staff/login", data=data).status_code

    for _ in range(3):
        statuses = _all_at_once(len(attempts), attempt)
        assert set(statuses) <= {303, 400, 429}, statuses
        for browser, _token in browsers:
            browser.close()
        browsers = [_browser(live_server) for _ in attempts]
    for browser, _token in browsers:
        browser.close()


def test_with_two_worker_processes_at_most_five_are_evaluated_and_xff_is_ignored(
    served_by_cli: LiveServer, db: Session
) -> None:
    """The same race against `victim-voice serve --workers 2`; each guess also claims another
    address in X-Forwarded-For, which serve must not believe (no trusted proxy is set)."""
    user = create_staff_user(db, Role.analyst)
    db.rollback()
    browsers = [_browser(served_by_cli) for _ in range(12)]

    def guess(index: int) -> int:
        browser, token = browsers[index]
        data = {"email": user.email, "password": f"wrong guess {index:04}", "csrf_token": token}
        headers = {"X-Forwarded-For": f"198.51.100.{index}"}
        return browser.post("/staff/login", data=data, headers=headers).status_code

    statuses = _all_at_once(12, guess)
    evaluated = statuses.count(400)
    assert evaluated <= 5 and statuses.count(429) == 12 - evaluated, statuses
    db.expire_all()
    subjects = db.exec(select(LoginThrottle)).all()
    db.rollback()
    # One account and one address (the socket's), not twelve made-up addresses.
    assert len(subjects) == 2
    for browser, _token in browsers:
        browser.close()
