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

from app.db import SessionDep
from app.survey import service
from app.survey.addresses import CHECK_URL, PAGE_PREFIX
from app.survey.bank import stage_context
from app.survey.outcomes import Next, QuestionView, SectionView, StepForm, StepView, Visit
from app.survey.page_kit import (
    STEP_PAGE_TITLE,
    FormDep,
    address,
    gettext_of,
    go,
    not_found_page,
    page,
    victim_page,
)
from app.survey.session import cookie_of
from app.survey.visibility import HIDDEN

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
    return page(
        request,
        session,
        visit,
        "survey/question.html",
        status_code=422 if error else 200,
        # Titles stay in the browser history: never the question, nor its number out of a
        # total that an earlier answer changes.
        page_title=str(_(STEP_PAGE_TITLE)),
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
    )


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
        # The same title as a question page: a content note's own would tell the history
        # that a sensitive section was reached.
        page_title=str(gettext_of(visit)(STEP_PAGE_TITLE)),
        form_action=address(visit, step),
        section=section,
        english=visit.state.bank.english_section(section_id, visit.language),
        back_url=back_url(visit, step),
    )
