"""Staff sign-in pages, first step: email and password. The second step is in
two_factor_pages, sign-out and the staff home in home_pages; this router includes both.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth import csrf, devices, home_pages, service, sessions, two_factor_pages
from app.auth.client_address import client_address
from app.auth.deps import BAD_CSRF
from app.auth.staff_page import (
    FormText,
    form_errors,
    redirect,
    safe_next,
    second_factor_url,
    too_many_attempts,
)
from app.db import SessionDep
from app.errors import Forbidden
from app.templating import render

router = APIRouter(include_in_schema=False)

# Same words for an unknown email, a wrong password and a disabled account: the page must not
# tell anyone which staff accounts exist.
WRONG_CREDENTIALS = "Enter a correct email address and password"
EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PASSWORD_CHARACTER = "Your password contains a character that cannot be used. Type it again"


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
    summary, fields = form_errors(*errors)
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
            return redirect(safe_next(next))
        return redirect(second_factor_url(active.user, next))
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
        return too_many_attempts(request, result.retry_after)
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
    response = redirect(second_factor_url(result.user, next))
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


# After the pages above, in the order they were always registered.
router.include_router(two_factor_pages.router)
router.include_router(home_pages.router)
