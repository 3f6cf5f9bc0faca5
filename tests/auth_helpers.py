"""Helpers for tests of any domain that need a staff caller: API keys and signed-in browsers.

headers = api_headers(db, Role.analyst)                 # {"Authorization": "Bearer vv_..."}
headers = api_headers(db, Role.approver, user=someone)  # a key bound to a named user
staff = signed_in_client(client, db, [Role.editor], banks=["general"])
staff.post(url, data={..., "csrf_token": staff_csrf_token(staff)})
staff.post(api_url, json=..., headers={"X-CSRF-Token": staff_csrf_token(staff)})
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import UTC
from typing import Any

import httpx
import pyotp
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.auth.api_keys import create_api_key
from app.auth.models import StaffUser
from app.auth.service import create_user, get_user_by_email
from app.crypto import decrypt
from app.db import utcnow
from app.enums import Role

PASSWORD = "correct horse battery staple"
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_SECRET = re.compile(r'<code id="totp-secret"[^>]*>([A-Z2-7 ]+)</code>')


SUPPORT_SERVICE = "victim_support"


def _services(roles: Iterable[Role | str], services: Iterable[str] | None) -> list[str]:
    """A support worker acts for a service: `victim_support` unless the test names others."""
    if services is not None:
        return list(services)
    return [SUPPORT_SERVICE] if Role.support_worker in [Role(r) for r in roles] else []


def api_headers(
    db: Session,
    *roles: Role | str,
    banks: Iterable[str] = (),
    user: StaffUser | None = None,
    services: Iterable[str] | None = None,
) -> dict[str, str]:
    """Headers of a new API key holding `roles` (committed, so the app sees it); bound to
    `user` when given (only a bound key can approve a bank version)."""
    plain, _key = create_api_key(
        db,
        name="test key",
        roles=list(roles) or [Role.admin],
        bank_scopes=list(banks),
        support_scopes=_services(roles, services),
        user_email=user.email if user is not None else None,
    )
    db.commit()
    return {"Authorization": f"Bearer {plain}"}


def create_staff_user(
    db: Session,
    *roles: Role | str,
    email: str | None = None,
    password: str = PASSWORD,
    banks: Iterable[str] = (),
    services: Iterable[str] | None = None,
) -> StaffUser:
    """A committed staff user (second factor not yet set up)."""
    user = create_user(
        db,
        email=email or f"staff-{secrets.token_hex(4)}@example.org",
        password=password,
        roles=list(roles) or [Role.admin],
        bank_scopes=list(banks),
        support_scopes=_services(roles, services),
        actor="test",
    )
    db.commit()
    return user


def form_csrf_token(html: str) -> str:
    """The csrf_token hidden field of the (first) form on a page."""
    match = _CSRF_FIELD.search(html)
    assert match, "no csrf_token field on the page"
    return match.group(1)


def post_login(client: TestClient, email: str, password: str, **kwargs: Any) -> httpx.Response:
    """Open the sign-in page and send the form, as a browser does."""
    page = client.get("/staff/login")
    data = {"email": email, "password": password, "csrf_token": form_csrf_token(page.text)}
    return client.post("/staff/login", data=data, **kwargs)


def next_code(db: Session, email: str) -> str:
    """A valid code for the user's second factor that has not been used yet."""
    db.expire_all()
    user = get_user_by_email(db, email)
    assert user is not None and user.totp_secret_encrypted is not None
    secret, last_step = decrypt(user.totp_secret_encrypted), user.totp_last_step
    db.rollback()  # end the read: SQLite would otherwise keep the app waiting for the lock
    totp = pyotp.TOTP(secret)
    step = totp.timecode(utcnow().replace(tzinfo=UTC))
    if last_step is not None and step <= last_step:
        step = last_step + 1  # the server accepts one step ahead (clock drift)
    return totp.generate_otp(step)


def secret_on_page(html: str) -> str:
    match = _SECRET.search(html)
    assert match, "no setup key on the page"
    return match.group(1).replace(" ", "")


def sign_in(client: TestClient, db: Session, email: str, password: str = PASSWORD) -> TestClient:
    """Walk the whole sign-in of an existing user (password, then set-up or code)."""
    response = post_login(client, email, password)
    assert response.status_code == 200, response.text
    if response.url.path == "/staff/2fa/setup":
        code = pyotp.TOTP(secret_on_page(response.text)).now()
        action = "/staff/2fa/setup"
    else:
        assert response.url.path == "/staff/2fa", response.url
        code = next_code(db, email)
        action = "/staff/2fa"
    done = client.post(action, data={"code": code, "csrf_token": form_csrf_token(response.text)})
    assert done.status_code == 200 and done.url.path == "/staff/", done.text
    return client


def signed_in_client(
    client: TestClient,
    db: Session,
    roles: Iterable[Role | str] | Role = (Role.admin,),
    *,
    banks: Iterable[str] = (),
    email: str | None = None,
    services: Iterable[str] | None = None,
) -> TestClient:
    """`client`, signed in as a new staff user holding `roles` (second factor set up)."""
    role_list = [roles] if isinstance(roles, Role) else list(roles)
    user = create_staff_user(db, *role_list, email=email, banks=banks, services=services)
    return sign_in(client, db, user.email)


def set_cookie(client: TestClient, name: str, value: str) -> None:
    """Replace a cookie as the server would have set it (TestClient's host is testserver.local)."""
    client.cookies.delete(name)
    client.cookies.set(name, value, domain="testserver.local", path="/")


def staff_csrf_token(client: TestClient) -> str:
    """The CSRF token of the signed-in session (for forms, or the X-CSRF-Token header)."""
    return form_csrf_token(client.get("/staff/").text)
