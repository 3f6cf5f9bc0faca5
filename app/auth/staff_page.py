"""What the staff sign-in pages share: their addresses, the safe path to go to next, the
redirect after a post, form errors, the too-many-attempts page and the session's form token.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth import csrf
from app.auth.deps import BAD_CSRF
from app.auth.models import StaffUser
from app.auth.sessions import ActiveSession
from app.errors import Forbidden
from app.templating import render

LOGIN_URL = "/staff/login"
HOME_URL = "/staff/"
SETUP_URL = "/staff/2fa/setup"
CODE_URL = "/staff/2fa"

FormText = Annotated[str, Form()]


def safe_next(value: str | None) -> str:
    """A local path to go to after signing in; anything else (another site) goes home."""
    if (
        value
        and value.startswith("/")
        and not value.startswith(("//", "/\\"))
        and value.isprintable()
        and " " not in value
        and len(value) <= 2000
    ):
        return value
    return HOME_URL


def with_next(url: str, next_path: str) -> str:
    target = safe_next(next_path)
    return url if target == HOME_URL else f"{url}?{urlencode({'next': target})}"


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def second_factor_url(user: StaffUser, next_path: str) -> str:
    return with_next(CODE_URL if user.totp_confirmed_at else SETUP_URL, next_path)


def form_errors(*pairs: tuple[str, str]) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """The error summary list and the per-field messages of a form."""
    summary = [{"text": text, "href": f"#{field}"} for field, text in pairs]
    fields = {field: {"text": text} for field, text in pairs}
    return summary, fields


def too_many_attempts(request: Request, retry_after: timedelta) -> Response:
    seconds = max(1, math.ceil(retry_after.total_seconds()))
    response = render(
        request,
        "staff/too_many_attempts.html",
        status_code=429,
        page_title="Too many attempts",
        wait_minutes=math.ceil(seconds / 60),
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def check_form_token(active: ActiveSession, token: str) -> None:
    if not csrf.tokens_match(active.record.csrf_token, token):
        raise Forbidden(BAD_CSRF)
