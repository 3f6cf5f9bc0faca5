"""HTML pages of the victim's survey: each turns a request into one call of service.py, and its
result into a page.

The link's token is exchanged at once for a survey session cookie, and every later page names
only the session. Any page a victim can reach answers with a calm page, never a 500
(page_kit.victim_page).

A page shows saved values only to the session that saved them (app/survey/visibility.py): each
opening of the link starts a new session, so someone who opens the link from the victim's
messages, even on the victim's own phone, sees "Answered" and never a value. Once the survey is
completed, every page shows the general support list and no crime-group content
(app/invitations/link_content.py: crime_group_shown).

This module: entering and leaving, the start page, language, the quick-exit explanation and the
safety page. question_pages.py: questions and content notes. end_pages.py: check, submit, the
confirmation and contact request, withdrawing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.db import SessionDep
from app.i18n import N_, language_name
from app.settings import get_settings
from app.survey import (
    another_device_pages,
    assisted_pages,
    end_pages,
    question_pages,
    service,
)
from app.survey.journey import minutes_to_answer
from app.survey.outcomes import Stage
from app.survey.page_kit import (
    EXIT_TO,
    LEAVING_QUICKLY_URL,
    FormDep,
    gettext_of,
    go,
    page,
    redirect,
    titled_page,
    victim_page,
)
from app.survey.session import cookie_of, delete_cookie, set_cookie
from app.survey.state import IN_PROGRESS
from app.victim_page import EXIT_URL, START_URL

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------------------------------------
# Entering, leaving


@router.get("/s/{token}")
@victim_page
def enter(token: str, request: Request, session: SessionDep) -> Response:
    """Exchange the link for a survey session and leave the token out of every later URL."""
    entered = service.enter(session, token=token, previous_cookie=cookie_of(request))
    response = go(entered.next)
    set_cookie(response, entered.cookie_value)
    return response


@router.get(EXIT_URL)
def exit_survey(request: Request, session: SessionDep) -> Response:
    """Exit this page: end the session and go somewhere neutral (works without JavaScript)."""
    service.leave(session, cookie=cookie_of(request))
    response = redirect(EXIT_TO)
    delete_cookie(response)
    return response


# ---------------------------------------------------------------------------------------------
# Start, language, the quick-exit explanation and the safety page


@router.get(START_URL)
@victim_page
def start(request: Request, session: SessionDep) -> Response:
    visit = service.visit(session, cookie=cookie_of(request), stage=Stage.ANSWERING)
    state = visit.state
    _ = gettext_of(visit)
    languages = [
        {"code": code, "name": language_name(code)} for code in state.bank.offered_languages()
    ]
    return page(
        request,
        session,
        visit,
        "survey/start.html",
        page_title=str(_("Tell us about your experience")),
        bank_text=state.bank.text(visit.language),
        bank_english=state.bank.english_text(visit.language),
        # One estimate, from the questions this victim's route shows (their touchpoint and
        # stage): the bank's introduction states none of its own (lint: intro_time_estimate).
        minutes=minutes_to_answer(state.journey.visible),
        retention_months=get_settings().retention_months,
        languages=languages,
        resuming=state.status == IN_PROGRESS,
    )


@router.post(START_URL)
@victim_page
def press_start(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    """Pressing Start now: the first human step, counted as "opened" (entry.mark_opened)."""
    return go(
        service.press_start(session, cookie=cookie_of(request), csrf_token=form.get("csrf_token"))
    )


@router.post("/survey/language")
@victim_page
def choose_language(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    service.choose_language(
        session,
        cookie=cookie_of(request),
        csrf_token=form.get("csrf_token"),
        language=form.get("language"),
    )
    return redirect(START_URL)


def _page_with_back_link(
    request: Request, session: Session, template: str, title: str, *, back_url: str
) -> Response:
    visit = service.visit(session, cookie=cookie_of(request))
    return titled_page(request, session, visit, template, title=title, back_url=back_url)


@router.get(LEAVING_QUICKLY_URL)
@victim_page
def leaving_quickly(request: Request, session: SessionDep) -> Response:
    """The "Exit a page quickly" interruption page, before the button is first needed."""
    return _page_with_back_link(
        request,
        session,
        "survey/leaving_quickly.html",
        N_("Leaving this website quickly"),
        back_url=START_URL,
    )


@router.get("/survey/safety")
@victim_page
def safety(request: Request, session: SessionDep) -> Response:
    return _page_with_back_link(
        request,
        session,
        "survey/safety.html",
        N_("Keeping your visit private"),
        back_url=LEAVING_QUICKLY_URL,
    )


@router.get("/survey/begin")
@victim_page
def begin(request: Request, session: SessionDep) -> Response:
    """The first page of questions, or where they stopped."""
    return go(service.resume(session, cookie=cookie_of(request)))


router.include_router(question_pages.router)
router.include_router(end_pages.router)
router.include_router(another_device_pages.router)
router.include_router(assisted_pages.router)
