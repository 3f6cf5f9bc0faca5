"""What every victim page shares: rendering, addresses, and calm pages for dead ends.

The pages (pages.py, question_pages.py, end_pages.py) turn a request into one call of
service.py and its result into a page with these. Any page a victim can reach answers with a
calm page, never a 500: no session (open your link again), an ended link (410), a form without
its CSRF token (403).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ParamSpec

from babel.dates import format_date
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.errors import error_summary
from app.i18n import N_, Gettext, gettext_for
from app.invitations.link_content import crime_group_shown
from app.survey.addresses import step_address
from app.survey.another_device import ANOTHER_DEVICE_URL, offered
from app.survey.bank import NoBankPublished
from app.survey.contact_me import EXAMPLE_PHONE, ContactForm
from app.survey.entry import LinkEnded, LinkNotFound
from app.survey.outcomes import (
    ASSISTED,
    BEGIN,
    COMPLETE,
    LEAVING_QUICKLY,
    START,
    Next,
    SurveyCompleted,
    SurveyNotCompleted,
    Visit,
)
from app.survey.session import BadCsrfToken, NoSurveySession, delete_cookie, end_session_by_cookie
from app.survey.under_18 import said_under_18
from app.victim_page import START_URL, render_victim

# The neutral page the GOV.UK "Exit this page" pattern usually sends people to.
EXIT_TO = "https://www.bbc.co.uk/weather"
BEGIN_URL = "/survey/begin"
LEAVING_QUICKLY_URL = "/survey/leaving-quickly"
COMPLETE_URL = "/survey/complete"
ASSISTED_URL = "/survey/assisted"
# Served by app/handover/assisted_pages.py (it gives the victim a new code).
ANSWER_ALONE_URL = "/survey/on-my-own"
# Titles stay in the browser history of a shared phone, so a question page is titled by its
# place alone, "Question N of M" (journey.progress: M is fixed before any answer), and a content
# note or the "contact me" form by the question next to it. "Your survey" only where no
# question is shown.
# The title says only N: a total, even one fixed before any answer, differs between the banks
# (the attack pass counted 7 questions only in RASSO and VAWG surveys, 12 only in general ones),
# so "of M" in the history could tell a specialist survey. N is what the history's page count
# already shows. The caption on the page still says "Question N of M".
QUESTION_TITLE = N_("Question %(number)s")
STEP_PAGE_TITLE = N_("Your survey")
# The thank-you shown once after a "contact me" request (session.set_notice).
CONTACT_NOTICE = "contact-requested"
BABEL_LOCALES = {"en": "en_GB"}
PLACE_URLS = {
    ASSISTED: ASSISTED_URL,
    START: START_URL,
    BEGIN: BEGIN_URL,
    LEAVING_QUICKLY: LEAVING_QUICKLY_URL,
    COMPLETE: COMPLETE_URL,
}


async def form_data(request: Request) -> FormData:
    """The posted form (parsed before the sync endpoint runs in the thread pool)."""
    return await request.form()


FormDep = Depends(form_data)


def _format_date(value: date | datetime | None, language: str) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    try:
        return format_date(day, format="long", locale=BABEL_LOCALES.get(language, language))
    except Exception:  # an unknown locale: English dates are better than no page
        return format_date(day, format="long", locale="en_GB")


def gettext_of(visit: Visit) -> Gettext:
    """The interface strings in the language this visit's survey is shown in."""
    return gettext_for(visit.language)


def address(visit: Visit, step: str) -> str:
    """This session's address of a journey step (opaque: see app/survey/addresses.py)."""
    return step_address(visit.secret, step)


def url_of(next_: Next) -> str:
    """The address of where a use case leads."""
    return PLACE_URLS.get(next_.place) or step_address(next_.secret, next_.place)


def page(
    request: Request,
    session: Session,
    visit: Visit,
    template: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A page of a live survey session: crime-group content only while answering."""
    invitation = visit.invitation
    return render_victim(
        request,
        session,
        template,
        language=visit.language,
        crime_group=crime_group_shown(invitation),
        area=invitation.area,
        status_code=status_code,
        csrf_token=visit.survey_session.csrf_token,
        expires_on=_format_date(invitation.expires_at, visit.language),
        # A handed-over survey has no link in a message: its pages offer an address to write
        # down (app/survey/another_device.py).
        another_device_url=ANOTHER_DEVICE_URL
        if offered(invitation) and not visit.completed and not visit.survey_session.assisted
        else None,
        # Every page of an assisted session lets the victim go on alone (app/handover).
        answer_alone_url=ANSWER_ALONE_URL if visit.survey_session.assisted else None,
        # Childline once they said they are under 18 (the confirmation passes it from a notice).
        childline=values.pop("childline", False) or said_under_18(visit.state),
        **values,
    )


def step_title(visit: Visit, step: str) -> str:
    """The title of a journey step's page: "Question N" for a question ("q:<id>"); for a
    content note ("s:<id>") the title of the question it leads to. The same title as its
    neighbour, so the history cannot tell a content note or the contact form from a reload."""
    journey = visit.state.journey
    if step.startswith("s:"):
        step = journey.next_step(step)
    kind, _sep, ident = step.partition(":")
    number, _total = journey.progress(ident) if kind == "q" else (0, 0)
    _ = gettext_of(visit)
    if not number:
        return str(_(STEP_PAGE_TITLE))
    return str(_(QUESTION_TITLE, number=number))


def titled_page(
    request: Request, session: Session, visit: Visit, template: str, *, title: str, **values: Any
) -> HTMLResponse:
    """A page of a live survey session titled `title` (marked with N_) in its language."""
    page_title = str(gettext_of(visit)(title))
    return page(request, session, visit, template, page_title=page_title, **values)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def go(next_: Next) -> RedirectResponse:
    return redirect(url_of(next_))


P = ParamSpec("P")


def victim_page(endpoint: Callable[P, Response]) -> Callable[P, Response]:
    """Turn the victim's dead ends into calm pages, never a 500."""

    @functools.wraps(endpoint)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
        request = kwargs["request"]
        session = kwargs["session"]
        assert isinstance(request, Request) and isinstance(session, Session)
        try:
            return endpoint(*args, **kwargs)
        except SurveyCompleted:
            return redirect(COMPLETE_URL)
        except SurveyNotCompleted:
            return redirect(BEGIN_URL)
        except NoSurveySession:
            response: Response = render_victim(
                request, session, "survey/no_session.html", status_code=401
            )
            delete_cookie(response)
            return response
        except LinkEnded:
            end_session_by_cookie(session, request)
            response = link_unusable_page(request, session, status_code=410)
            delete_cookie(response)
            return response
        except LinkNotFound:
            return link_unusable_page(request, session, status_code=404)
        except BadCsrfToken:
            return render_victim(request, session, "survey/bad_form.html", status_code=403)
        except NoBankPublished:
            return render_victim(request, session, "survey/unavailable.html", status_code=503)

    return wrapper


def link_unusable_page(request: Request, session: Session, *, status_code: int) -> HTMLResponse:
    """The same neutral page for a forged, unknown, expired, withdrawn or cancelled link."""
    return render_victim(request, session, "survey/link_ended.html", status_code=status_code)


def not_found_page(request: Request, session: Session, visit: Visit) -> HTMLResponse:
    return page(request, session, visit, "survey/not_found.html", status_code=404)


def contact_form_values(visit: Visit, contact: ContactForm) -> dict[str, Any]:
    """What the "contact me" form (survey/_contact_form.html) shows: the values as typed, one
    message per wrong field, and the error summary."""
    _ = gettext_of(visit)
    errors = {error.field: str(_(error.msg)) for error in contact.errors}
    texts = {
        (error.field, error.kind): (errors[error.field], error.field) for error in contact.errors
    }
    return {
        "contact": contact,
        "contact_errors": errors,
        "error_summary": error_summary(contact.errors, texts) or None,
        "example_phone": EXAMPLE_PHONE,
    }
