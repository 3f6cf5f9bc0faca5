"""Device cookies: a browser that has signed in to an account is known to it next time.

After a complete sign-in (password and second factor) the browser gets a long-lived cookie
holding a random device id and an HMAC, under VV_SECRET_KEYS, of that id *and the account*.
Nothing in it names the account: the cookie is checked against the email typed, so it vouches
for that account alone. Sign-in attempts that carry a valid one are throttled per device
instead of per account and address (app/auth/throttle.py), so an attacker hammering the account
from elsewhere cannot lock out its owner's own browser (OWASP, "Slow down online guessing
attacks with device cookies").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from fastapi import Request, Response

from app.settings import get_settings

DEVICE_COOKIE = "vv_device"
LIFETIME = timedelta(days=180)


def device_cookie_name() -> str:
    return f"__Host-{DEVICE_COOKIE}" if get_settings().is_https else DEVICE_COOKIE


def _signature(key: str, normalised_email: str, device_id: str) -> str:
    message = f"device\x00{normalised_email}\x00{device_id}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def new_cookie_value(normalised_email: str) -> str:
    """A new device id, signed for this account with the first secret key."""
    device_id = secrets.token_urlsafe(16)
    return f"{device_id}.{_signature(get_settings().signing_keys[0], normalised_email, device_id)}"


def device_for(cookie_value: str | None, normalised_email: str) -> str | None:
    """The device id, if the cookie was issued for this account (under any key); else None."""
    if not cookie_value or len(cookie_value) > 200:
        return None
    device_id, _, signature = cookie_value.partition(".")
    if not device_id or not signature:
        return None
    for key in get_settings().signing_keys:
        expected = _signature(key, normalised_email, device_id)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return device_id
    return None


def cookie_from(request: Request) -> str | None:
    return request.cookies.get(device_cookie_name())


def set_device_cookie(response: Response, value: str) -> None:
    response.set_cookie(
        device_cookie_name(),
        value,
        max_age=int(LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().is_https,
    )
