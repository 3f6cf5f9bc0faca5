"""Cross-site request forgery tokens for staff forms and cookie-authenticated API calls.

Signed-in forms carry the session's own random token. The sign-in form has no session yet, so
it uses a signed double-submit cookie: a random seed in an HttpOnly cookie, and in the form an
HMAC of that seed under VV_SECRET_KEYS. Another site can neither read our cookie nor compute the
HMAC, and (over https) the `__Host-` prefix stops a subdomain from planting a seed of its own.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets

from fastapi import Request

from app.settings import get_settings

LOGIN_CSRF_COOKIE = "vv_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison; a missing token, or one that is not ASCII, never matches."""
    # Our tokens are ASCII. A form can carry anything else, even a lone surrogate (a
    # multipart body may declare a charset such as UTF-7 that decodes to one), which cannot
    # be encoded at all: refused like any wrong token, never a 500.
    if not expected or not given or not given.isascii():
        return False
    return hmac.compare_digest(expected.encode(), given.encode())


def login_csrf_cookie_name() -> str:
    return f"__Host-{LOGIN_CSRF_COOKIE}" if get_settings().is_https else LOGIN_CSRF_COOKIE


def new_login_seed() -> str:
    return secrets.token_urlsafe(32)


def _sign(key: str, seed: str) -> str:
    return hmac.new(key.encode(), b"login-csrf\x00" + seed.encode(), hashlib.sha256).hexdigest()


def login_form_token(seed: str) -> str:
    """The form's token for this cookie seed, signed with the first secret key."""
    return _sign(get_settings().signing_keys[0], seed)


def login_form_token_valid(seed: str | None, token: str | None) -> bool:
    """True if `token` is the signature of `seed` under any configured secret key (rotation)."""
    if not seed or not token:
        return False
    return any(tokens_match(_sign(key, seed), token) for key in get_settings().signing_keys)


async def submitted_token(request: Request) -> str | None:
    """The token sent with an unsafe request: header X-CSRF-Token, else form field csrf_token."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        # Cache the raw body first, so the route can still read it; when FastAPI has already
        # parsed the form for the route, the stream is spent and request.form() has it cached.
        with contextlib.suppress(RuntimeError):
            await request.body()
        form = await request.form()
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None
