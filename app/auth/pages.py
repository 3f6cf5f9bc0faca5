"""Staff sign-in pages: password, second factor (set-up and check), sign-out and home."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from app.audit import record as record_event
from app.auth import csrf, devices, service, sessions, totp
from app.auth.client_address import client_address
from app.auth.deps import BAD_CSRF, Caller, StaffDep
from app.auth.models import StaffUser
from app.auth.sessions import ActiveSession
from app.db import SessionDep
from app.enums import Role
from app.errors import Forbidden
from app.settings import get_settings
from app.templating import render

router = APIRouter(include_in_schema=False)

LOGIN_URL = "/staff/login"
HOME_URL = "/staff/"
SETUP_URL = "/staff/2fa/setup"
CODE_URL = "/staff/2fa"

# Same words for an unknown email, a wrong password and a disabled account: the page must not
# tell anyone which staff accounts exist.
WRONG_CREDENTIALS = "Enter a correct email address and password"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PASSWORD_CHARACTER = "Your password contains a character that cannot be used. Type it again"
CODE_FORMAT = "Enter the 6-digit code from your authenticator app"

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


def _with_next(url: str, next_path: str) -> str:
    target = safe_next(next_path)
    return url if target == HOME_URL else f"{url}?{urlencode({'next': target})}"


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _second_factor_url(user: StaffUser, next_path: str) -> str:
    return _with_next(CODE_URL if user.totp_confirmed_at else SETUP_URL, next_path)


def _errors(*pairs: tuple[str, str]) -> tuple[list[dict[str, str]], dict[str, dict[str, str]]]:
    """The error summary list and the per-field messages of a form."""
    summary = [{"text": text, "href": f"#{field}"} for field, text in pairs]
    fields = {field: {"text": text} for field, text in pairs}
    return summary, fields


# --- Password -----------------------------------------------------------------------------


def _login_page(
    request: Request,
    *,
    status_code: int = 200,
    email: str = "",
    next_path: str = "",
    errors: tuple[tuple[str, str], ...] = (),
    signed_out: bool = False,
) -> Response:
    cookie_name = csrf.login_csrf_cookie_name()
    seed = request.cookies.get(cookie_name)
    if not seed or len(seed) > 100:
        seed = csrf.new_login_seed()
    summary, fields = _errors(*errors)
    response = render(
        request,
        "staff/login.html",
        status_code=status_code,
        page_title="Sign in",
        error_summary=summary,
        field_errors=fields,
        email=email,
        next_path=safe_next(next_path),
        csrf_token=csrf.login_form_token(seed),
        signed_out=signed_out,
    )
    sessions.set_cookie(response, cookie_name, seed)
    return response


@router.get("/staff/login")
def login_form(
    request: Request, session: SessionDep, next: str = "", signed_out: str = ""
) -> Response:
    active = sessions.session_from_request(session, request)
    if active is not None:
        if active.signed_in:
            return _redirect(safe_next(next))
        return _redirect(_second_factor_url(active.user, next))
    return _login_page(request, next_path=next, signed_out=signed_out == "true")


@router.post("/staff/login")
def login(
    request: Request,
    session: SessionDep,
    email: FormText = "",
    password: FormText = "",
    csrf_token: FormText = "",
    next: FormText = "",
) -> Response:
    seed = request.cookies.get(csrf.login_csrf_cookie_name())
    if not csrf.login_form_token_valid(seed, csrf_token):
        raise Forbidden(BAD_CSRF)
    problems = _sign_in_form_problems(email, password)
    if problems:
        return _login_page(
            request,
            status_code=400,
            email=_printable(email),
            next_path=next,
            errors=problems,
        )
    result = service.check_password_sign_in(
        session,
        email=email,
        password=password,
        address=client_address(request),
        device_cookie=devices.cookie_from(request),
    )
    if result.outcome is service.PasswordOutcome.throttled:
        return _too_many_attempts(request, result.retry_after)
    if result.outcome is service.PasswordOutcome.refused or result.user is None:
        return _login_page(
            request,
            status_code=400,
            email=email,
            next_path=next,
            errors=(("email", WRONG_CREDENTIALS),),
        )
    previous = sessions.session_from_request(session, request)
    if previous is not None:
        sessions.end_session(session, previous.record)
    cookie_value = sessions.start_session(session, result.user, second_factor_passed=False)
    response = _redirect(_second_factor_url(result.user, next))
    sessions.set_session_cookie(response, cookie_value)
    sessions.clear_cookie(response, csrf.login_csrf_cookie_name())
    return response


def _sign_in_form_problems(email: str, password: str) -> tuple[tuple[str, str], ...]:
    """What is wrong with the sign-in form before anything is looked up.

    A control character (U+0000 above all, which PostgreSQL refuses in text) can be in no
    email address and no password we accept, so such a form never reaches the database.
    """
    problems: list[tuple[str, str]] = []
    if not email.strip():
        problems.append(("email", "Enter your email address"))
    elif not email.isprintable():
        problems.append(("email", EMAIL_FORMAT))
    if not password:
        problems.append(("password", "Enter your password"))
    elif "\x00" in password:
        problems.append(("password", PASSWORD_CHARACTER))
    return tuple(problems)


def _printable(text: str) -> str:
    """`text` without the characters that cannot be shown back in a form field."""
    return "".join(character for character in text if character.isprintable())


def _too_many_attempts(request: Request, retry_after: timedelta) -> Response:
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


# --- Second factor ------------------------------------------------------------------------


def _pending(request: Request, session: SessionDep) -> ActiveSession | Response:
    """The session waiting for its second factor, or where to send the browser instead."""
    active = sessions.session_from_request(session, request)
    if active is None:
        return _redirect(LOGIN_URL)
    if active.signed_in:
        return _redirect(HOME_URL)
    return active


def _check_form_token(active: ActiveSession, token: str) -> None:
    if not csrf.tokens_match(active.record.csrf_token, token):
        raise Forbidden(BAD_CSRF)


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
    summary, fields = _errors(*errors)
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
        return _redirect(_with_next(CODE_URL, next))
    return _setup_page(request, session, active, next_path=next)


@router.get(CODE_URL)
def two_factor_form(request: Request, session: SessionDep, next: str = "") -> Response:
    active = _pending(request, session)
    if isinstance(active, Response):
        return active
    if active.user.totp_confirmed_at is None:
        return _redirect(_with_next(SETUP_URL, next))
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
    _check_form_token(active, csrf_token)
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
        return _too_many_attempts(request, result.retry_after)
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
    response = _redirect(safe_next(next_path))
    sessions.set_session_cookie(response, cookie_value)
    # This browser is now known to the account: its next attempts are throttled on their own.
    devices.set_device_cookie(response, devices.new_cookie_value(pending.user.email))
    return response


# --- Sign out and home --------------------------------------------------------------------


@router.post("/staff/logout")
def logout(request: Request, session: SessionDep, csrf_token: FormText = "") -> Response:
    active = sessions.session_from_request(session, request)
    if active is None:
        response = _redirect(LOGIN_URL)
    else:
        _check_form_token(active, csrf_token)
        sessions.end_session(session, active.record)
        record_event(
            session,
            actor=f"user:{active.user.id}",
            action="auth.sign_out",
            object_type="staff_user",
            object_id=str(active.user.id),
        )
        response = _redirect(f"{LOGIN_URL}?signed_out=true")
    sessions.clear_session_cookie(response)
    return response


# What each role opens, in the words of the product brief; links where a staff page exists
# (the rest is done through the API, or by other domains' pages as they arrive).
EVERYONE: tuple[tuple[str, str | None], ...] = (
    ("Read the “you said, we did” actions", "/staff/actions"),
)
ROLE_ABILITIES: dict[Role, tuple[tuple[str, str | None], ...]] = {
    Role.approver: (
        ("Approve and publish question bank changes", "/staff/banks"),
        ("Publish “you said, we did” actions", "/staff/actions"),
        ("Check comments not written in English", "/staff/comments/checks"),
        ("Edit support services", None),
    ),
    Role.editor: (("Draft changes to the question banks listed on your account", "/staff/banks"),),
    Role.analyst: (
        ("See the results dashboard", "/staff/dashboard"),
        ("Read redacted comments", "/staff/comments"),
        ("Print the quarterly report", "/reports/quarterly"),
    ),
    Role.uploader: (
        ("Upload invitation batches and cancellations", None),
        ("Record the force’s Victims’ Code self-assessment", None),
    ),
    Role.victims_team: (("Read and close “contact me” requests", "/staff/contact-requests"),),
}


def abilities_for(caller: Caller) -> list[dict[str, str | None]]:
    """What the caller's roles allow, each once, in a fixed order (admin: everything)."""
    items = [{"text": text, "href": href} for text, href in EVERYONE]
    for role, abilities in ROLE_ABILITIES.items():
        if caller.has_any(role):
            items.extend({"text": text, "href": href} for text, href in abilities)
    return items


@router.get(HOME_URL)
def staff_home(request: Request, session: SessionDep, caller: StaffDep) -> Response:
    user = session.get(StaffUser, caller.user_id) if caller.user_id is not None else None
    return render(
        request,
        "staff/home.html",
        page_title="Staff home",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        roles=sorted(role.value for role in caller.roles),
        bank_scopes=sorted(caller.bank_scopes),
        language_scopes=user.language_scopes if user is not None else [],
        abilities=abilities_for(caller),
    )
