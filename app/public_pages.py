"""Pages every public service owes its users: the genuine-message page at `/`, accessibility,
privacy, cookies; and the safeguarding statement (what happens to what a victim writes).

`/results` (app/reporting/results_pages.py) is registered here with them.

The text is specific to this service and reads its numbers (link lifetime, retention, session
lengths, the data controller) from the settings, so the pages never drift from what the
service actually does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.db import SessionDep
from app.reporting import results_pages
from app.settings import Settings, get_settings
from app.victim_page import SAFEGUARDING_URL, render_victim

router = APIRouter(include_in_schema=False)
# The public results page: closed quarters and the actions (issue 15).
router.include_router(results_pages.router)

SURVEY_COOKIE_NAME = "vv_survey"
SURVEY_NOTICE_COOKIE_NAME = "vv_survey_notice"  # app/survey/session.py
# Staff cookies take the __Host- prefix when the service runs behind https (contract).
# The names match app/auth/sessions.py and app/auth/csrf.py (a test checks they agree).
STAFF_COOKIE_NAME = "vv_staff"
LOGIN_CSRF_COOKIE_NAME = "vv_login_csrf"
DEVICE_COOKIE_NAME = "vv_device"  # app/auth/devices.py

# When the pages were last checked against WCAG 2.2; changed by hand after each review.
LAST_REVIEWED = "27 November 2026"


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    expires: str


def staff_cookie_name(name: str, settings: Settings) -> str:
    return f"__Host-{name}" if settings.is_https else name


def essential_cookies(settings: Settings) -> list[Cookie]:
    """The only cookies the service sets; there are no analytics or marketing cookies."""
    return [
        Cookie(
            name=SURVEY_COOKIE_NAME,
            purpose=(
                "Keeps your place in the survey after you open your link, so the link itself "
                "does not stay in the address bar or your browser history."
            ),
            expires=(
                f"After {_minutes(settings.survey_session_minutes)} without use, "
                "or at once when you use \u2018Exit this page\u2019"
            ),
        ),
        Cookie(
            name=SURVEY_NOTICE_COOKIE_NAME,
            purpose=(
                "Shows a thank-you once, on the page you come back to after sending a form, "
                "so that the page's address in your browser history is the usual one."
            ),
            expires="When that page has been shown, or after 1 minute",
        ),
        Cookie(
            name=staff_cookie_name(LOGIN_CSRF_COOKIE_NAME, settings),
            purpose="Protects the staff sign-in form from being sent by another website. Only "
            "set on the staff sign-in page.",
            expires="When you have signed in, or when you close your browser",
        ),
        Cookie(
            name=staff_cookie_name(STAFF_COOKIE_NAME, settings),
            purpose="Keeps staff signed in. Only set for staff who sign in; never for people "
            "answering the survey.",
            expires=(
                f"After {_minutes(settings.staff_session_idle_minutes)} without use, "
                f"{settings.staff_session_absolute_hours} hours after signing in, "
                "or when you sign out"
            ),
        ),
        Cookie(
            name=staff_cookie_name(DEVICE_COOKIE_NAME, settings),
            purpose="Recognises a browser where a member of staff has signed in before, so that "
            "someone trying to guess their password elsewhere cannot lock them out. Holds a "
            "random value, not who they are. Only set for staff who sign in.",
            expires="180 days after signing in",
        ),
    ]


def _minutes(value: int) -> str:
    if value % 60 == 0 and value >= 60:
        hours = value // 60
        return f"{hours} hour" if hours == 1 else f"{hours} hours"
    return f"{value} minutes"


def _months(value: int) -> str:
    if value % 12 == 0:
        years = value // 12
        return f"{value} months ({years} year{'s' if years != 1 else ''})"
    return f"{value} months"


def _public_page(
    request: Request, session: SessionDep, template: str, **values: Any
) -> HTMLResponse:
    """A victim may arrive from a survey page's footer: the page keeps Exit this page and
    the support panel (the services every crime group and area share)."""
    return render_victim(request, session, template, **values)


def contact_details(settings: Settings) -> dict[str, str]:
    """How to reach the organisation (public/_contact.html); blanks are left out."""
    return {
        "contact_email": settings.contact_email,
        "contact_phone": settings.contact_phone,
        "verify_url": settings.verify_url,
    }


@router.get("/", response_class=HTMLResponse)
def genuine_message_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Where the messages' "Real?" link and every page header lead: who asks, how to check a
    message, how to stop them, and support. Calm and neutral: someone else may see it."""
    settings = get_settings()
    return _public_page(
        request,
        session,
        "public/genuine.html",
        page_title=f"Messages from {settings.service_name}",
        link_prefix=settings.base_url.rstrip("/") + "/",
        sms_number=settings.sms_number,
        **contact_details(settings),
    )


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility_statement(request: Request, session: SessionDep) -> HTMLResponse:
    return _public_page(
        request,
        session,
        "public/accessibility.html",
        page_title="Accessibility statement",
        last_reviewed=LAST_REVIEWED,
        **contact_details(get_settings()),
    )


@router.get("/privacy", response_class=HTMLResponse)
def privacy_notice(request: Request, session: SessionDep) -> HTMLResponse:
    settings = get_settings()
    return _public_page(
        request,
        session,
        "public/privacy.html",
        page_title="Privacy notice",
        link_ttl_days=settings.link_ttl_days,
        handover_days=settings.handover_days,
        retention=_months(settings.retention_months),
        min_cell=settings.min_cell,
        verify_url=settings.verify_url,
        cookies=essential_cookies(settings),
    )


@router.get("/cookies", response_class=HTMLResponse)
def cookies_page(request: Request, session: SessionDep) -> HTMLResponse:
    return _public_page(
        request,
        session,
        "public/cookies.html",
        page_title="Cookies",
        cookies=essential_cookies(get_settings()),
    )


@router.get(SAFEGUARDING_URL, response_class=HTMLResponse)
def safeguarding_statement(request: Request, session: SessionDep) -> HTMLResponse:
    """What happens, and what does not happen, to what a victim writes (a draft until the
    OPCC's safeguarding lead gives its text: public/safeguarding.html)."""
    return _public_page(
        request, session, "public/safeguarding.html", page_title="What happens to what you write"
    )
