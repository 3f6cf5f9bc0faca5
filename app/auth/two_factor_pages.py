"""Staff sign-in, second step: set up the authenticator app, or enter its code; a right code
replaces the half-signed-in session with a signed-in one.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from app.audit import record as record_event
from app.auth import devices, service, sessions, totp
from app.auth.sessions import ActiveSession
from app.auth.staff_page import (
    CODE_URL,
    HOME_URL,
    LOGIN_URL,
    SETUP_URL,
    FormText,
    check_form_token,
    form_errors,
    redirect,
    safe_next,
    too_many_attempts,
    with_next,
)
from app.db import SessionDep
from app.settings import get_settings
from app.templating import render

router = APIRouter(include_in_schema=False)

CODE_FORMAT = "Enter the 6-digit code from your authenticator app"


def _pending(request: Request, session: SessionDep) -> ActiveSession | Response:
    """The session waiting for its second factor, or where to send the browser instead."""
    active = sessions.session_from_request(session, request)
    if active is None:
        return redirect(LOGIN_URL)
    if active.signed_in:
        return redirect(HOME_URL)
    return active


def _two_factor_page(
    request: Request,
    active: ActiveSession,
    template: str,
    *,
    page_title: str,
    next_path: str,
    status_code: int,
    errors: tuple[tuple[str, str], ...],
    **context: Any,
) -> Response:
    """A second-step page: its form posts back the session's CSRF token and the next path."""
    summary, fields = form_errors(*errors)
    return render(
        request,
        template,
        status_code=status_code,
        page_title=page_title,
        error_summary=summary,
        field_errors=fields,
        csrf_token=active.record.csrf_token,
        next_path=safe_next(next_path),
        pending=True,
        **context,
    )


def _setup_page(
    request: Request,
    session: SessionDep,
    active: ActiveSession,
    *,
    next_path: str,
    status_code: int = 200,
    errors: tuple[tuple[str, str], ...] = (),
) -> Response:
    secret = service.pending_totp_secret(session, active.user)
    uri = totp.provisioning_uri(
        secret, account=active.user.email, issuer=get_settings().service_name
    )
    return _two_factor_page(
        request,
        active,
        "staff/two_factor_setup.html",
        page_title="Set up your authenticator app",
        next_path=next_path,
        status_code=status_code,
        errors=errors,
        # segno draws the SVG from the otpauth URI alone: nothing in it comes from a user.
        qr_svg=Markup(totp.qr_code_svg(uri)),  # noqa: S704
        secret=totp.grouped_secret(secret),
    )


def _code_page(
    request: Request,
    active: ActiveSession,
    *,
    next_path: str,
    status_code: int = 200,
    errors: tuple[tuple[str, str], ...] = (),
) -> Response:
    return _two_factor_page(
        request,
        active,
        "staff/two_factor.html",
        page_title="Enter your security code",
        next_path=next_path,
        status_code=status_code,
        errors=errors,
    )


@router.get(SETUP_URL)
def two_factor_setup_form(request: Request, session: SessionDep, next: str = "") -> Response:
    active = _pending(request, session)
    if isinstance(active, Response):
        return active
    if active.user.totp_confirmed_at is not None:
        return redirect(with_next(CODE_URL, next))
    return _setup_page(request, session, active, next_path=next)


@router.get(CODE_URL)
def two_factor_form(request: Request, session: SessionDep, next: str = "") -> Response:
    active = _pending(request, session)
    if isinstance(active, Response):
        return active
    if active.user.totp_confirmed_at is None:
        return redirect(with_next(SETUP_URL, next))
    return _code_page(request, active, next_path=next)


@router.post(SETUP_URL)
@router.post(CODE_URL)
def two_factor(
    request: Request,
    session: SessionDep,
    code: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "",
) -> Response:
    active = _pending(request, session)
    if isinstance(active, Response):
        return active
    check_form_token(active, csrf_token)
    setting_up = active.user.totp_confirmed_at is None

    def again(message: str) -> Response:
        errors = (("code", message),)
        if setting_up:
            return _setup_page(
                request, session, active, next_path=next, status_code=400, errors=errors
            )
        return _code_page(request, active, next_path=next, status_code=400, errors=errors)

    if not totp.well_formed(code):
        # Not a guess at all (empty, letters, a NUL): said at once, and never counted.
        return again(CODE_FORMAT)
    result = service.check_second_factor(session, user=active.user, code=code)
    if result.outcome is service.CodeOutcome.throttled:
        return too_many_attempts(request, result.retry_after)
    if result.outcome is service.CodeOutcome.refused:
        return again("The code is not right. Enter the code your app shows now")
    return _finish_sign_in(session, active, next)


def _finish_sign_in(session: SessionDep, pending: ActiveSession, next_path: str) -> Response:
    """Replace the half-signed-in session with a new one: a new id for the new privilege."""
    sessions.end_session(session, pending.record)
    cookie_value = sessions.start_session(session, pending.user, second_factor_passed=True)
    record_event(
        session,
        actor=f"user:{pending.user.id}",
        action="auth.sign_in",
        object_type="staff_user",
        object_id=str(pending.user.id),
    )
    response = redirect(safe_next(next_path))
    sessions.set_session_cookie(response, cookie_value)
    # This browser is now known to the account: its next attempts are throttled on their own.
    devices.set_device_cookie(response, devices.new_cookie_value(pending.user.email))
    return response
