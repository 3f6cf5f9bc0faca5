"""Question pages and content notes, at opaque addresses (app/survey/addresses.py).

Each request is one call of service.py (open_step, answer_step); this module only renders what
it gives back.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.banks.risk_words import risk_phrases
from app.db import SessionDep
from app.survey import service
from app.survey.addresses import CHECK_URL, CONTACT_FROM, PAGE_PREFIX, step_address
from app.survey.bank import stage_context
from app.survey.outcomes import (
    ContactFiled,
    ContactView,
    Next,
    QuestionView,
    SectionView,
    StepForm,
    StepView,
    Visit,
)
from app.survey.page_kit import (
    CONTACT_NOTICE,
    FormDep,
    address,
    contact_form_values,
    gettext_of,
    go,
    not_found_page,
    page,
    redirect,
    step_title,
    victim_page,
)
from app.survey.session import clear_notice, cookie_of, notice_due, set_notice
from app.survey.visibility import HIDDEN
from app.victim_page import SAFEGUARDING_URL

router = APIRouter(include_in_schema=False)

SAFETY_URL = "/survey/safety"


@router.get(PAGE_PREFIX + "{code}")
@victim_page
def step_page(code: str, request: Request, session: SessionDep, change: str = "") -> Response:
    """A question page or a content note, by this session's opaque address."""
    shown = service.open_step(session, cookie=cookie_of(request), code=code, change=change == "1")
    return _step_response(request, session, shown)


@router.post(PAGE_PREFIX + "{code}")
@victim_page
def step_answer(
    code: str, request: Request, session: SessionDep, form: FormData = FormDep
) -> Response:
    posted = StepForm(
        skip=form.get("action") == "skip", change=form.get("change") == "1", form=form
    )
    result = service.answer_step(
        session,
        cookie=cookie_of(request),
        csrf_token=form.get("csrf_token"),
        code=code,
        posted=posted,
    )
    return _step_response(request, session, result)


def _step_response(request: Request, session: Session, result: StepView) -> Response:
    if isinstance(result, Next):
        return go(result)
    if isinstance(result, QuestionView):
        return _question_page(request, session, result)
    if isinstance(result, SectionView):
        return _section_page(request, session, result)
    if isinstance(result, ContactView):
        return _contact_page(request, session, result)
    if isinstance(result, ContactFiled):
        return _contact_filed(result)
    return not_found_page(request, session, result.visit)


def back_url(visit: Visit, step: str) -> str:
    """The page before `step` on the current answers; the safety page before the first."""
    previous = visit.state.journey.previous_step(step)
    return address(visit, previous) if previous else SAFETY_URL


def _question_page(request: Request, session: Session, view: QuestionView) -> HTMLResponse:
    visit, question = view.visit, view.question
    state = visit.state
    _ = gettext_of(visit)
    error = str(_(view.error.message, **view.error.variables)) if view.error else None
    # Saved by another session: the form starts empty and says why (never the value).
    saved_elsewhere = view.value is HIDDEN
    value: Any = None if saved_elsewhere else view.value
    number, total = state.journey.progress(question["id"])
    step = f"q:{question['id']}"
    # A text question carries the help panel's phrases and links; the browser alone matches
    # them while the victim types (app/assets/risk-words.mjs).
    risk = question["type"] == "text"
    return page(
        request,
        session,
        visit,
        "survey/question.html",
        status_code=422 if error else 200,
        # Titles stay in the browser history: never the question, only "Question N" (the
        # caption adds "of M"; a total in the history could tell the bank: page_kit).
        page_title=step_title(visit, step),
        form_action=address(visit, step),
        error_summary=[{"text": error, "href": "#answer"}] if error else None,
        error=error,
        question=question,
        english=state.bank.english_parts(
            question, visit.invitation.touchpoint, visit.language, stage_context(visit.invitation)
        ),
        value=value,
        change=view.change,
        number=number,
        total=total,
        back_url=CHECK_URL if view.change else back_url(visit, step),
        section=state.bank.section(question.get("section"), visit.language),
        skip_label=_("Skip this question"),
        saved_elsewhere=saved_elsewhere,
        risk_phrases=risk_phrases() if risk else None,
        contact_url=address(visit, CONTACT_FROM + step) if risk else None,
        safeguarding_url=SAFEGUARDING_URL,
    )


def _contact_page(request: Request, session: Session, view: ContactView) -> HTMLResponse:
    """The "contact me" form during the survey; the thank-you once after it was sent."""
    visit = view.visit
    here = address(visit, CONTACT_FROM + view.from_step)
    asked = not view.contact.errors and notice_due(request, visit.survey_session, CONTACT_NOTICE)
    values = contact_form_values(visit, view.contact)
    response = page(
        request,
        session,
        visit,
        "survey/contact.html",
        status_code=422 if view.contact.errors else 200,
        # The title of the question it was opened from, with "Error:" as a question page's:
        # nothing in the history tells it from a reload of that question.
        page_title=step_title(visit, view.from_step),
        contact_action=here,
        back_url=address(visit, view.from_step),
        survey_url=address(visit, view.from_step),
        asked=asked,
        **values,
    )
    if asked:
        clear_notice(response, path=here)  # once: Back, Forward or a reload show nothing
    return response


def _contact_filed(filed: ContactFiled) -> Response:
    """Post, redirect, get, to the form's own address: the thank-you shows there once."""
    assert filed.from_step is not None
    here = step_address(filed.visit.secret, CONTACT_FROM + filed.from_step)
    response = redirect(here)
    set_notice(response, filed.visit.survey_session, CONTACT_NOTICE, path=here)
    return response


def _section_page(request: Request, session: Session, view: SectionView) -> HTMLResponse:
    visit, section_id = view.visit, view.section_id
    step = f"s:{section_id}"
    section = visit.state.bank.section(section_id, visit.language)
    assert section is not None
    return page(
        request,
        session,
        visit,
        "survey/section.html",
        # The title of the question it leads to: a content note's own would tell the history
        # that a sensitive section was reached.
        page_title=step_title(visit, step),
        form_action=address(visit, step),
        section=section,
        english=visit.state.bank.english_section(section_id, visit.language),
        back_url=back_url(visit, step),
    )
