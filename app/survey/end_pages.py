"""Check your answers, sending them, the confirmation (and asking to be contacted), withdrawing.

Each request is one call of service.py; this module only renders what it gives back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.db import SessionDep
from app.i18n import N_, Gettext, gettext_for
from app.survey import service
from app.survey.addresses import CHANGE, CHECK_URL
from app.survey.bank import stage_context
from app.survey.journey import CHECK
from app.survey.outcomes import Confirmation, Stage, Visit
from app.survey.page_kit import (
    COMPLETE_URL,
    CONTACT_NOTICE,
    START_URL,
    FormDep,
    address,
    contact_form_values,
    gettext_of,
    page,
    redirect,
    render_victim,
    titled_page,
    victim_page,
)
from app.survey.question_pages import back_url
from app.survey.session import (
    clear_notice,
    cookie_of,
    delete_cookie,
    notice_due,
    set_cookie,
    set_notice,
)
from app.survey.under_18 import CHILDLINE_NOTICE, said_under_18
from app.survey.visibility import HIDDEN

router = APIRouter(include_in_schema=False)


def _display_value(question: Mapping[str, Any], value: Any, _: Gettext) -> str | None:
    """An answer as the victim chose it (None when not answered); "Answered" when another
    session saved it (answered or skipped: this session is not told which)."""
    if value is HIDDEN:
        return str(_("Answered"))
    if value is None or value == []:
        return None
    labels = {option["code"]: option["label"] for option in question.get("options") or []}
    if isinstance(value, list):
        return ", ".join(str(labels.get(code, code)) for code in value)
    if question["type"] == "text":
        return str(value)
    return str(labels.get(value, value))


def _check_row(visit: Visit, question: Mapping[str, Any]) -> dict[str, Any]:
    value = visit.state.answers.get(question["id"])
    english = visit.state.bank.english_parts(
        question, visit.invitation.touchpoint, visit.language, stage_context(visit.invitation)
    )
    codes = value if isinstance(value, list) else [value]
    return {
        "question": question,
        "change_url": address(visit, f"{CHANGE}q:{question['id']}"),
        "display": _display_value(question, value, gettext_of(visit)),
        "english": english,
        # A typed answer is the victim's own words, in whatever language they wrote;
        # "Answered" is an interface string, in the page's language.
        "english_answer": question["type"] != "text"
        and value is not HIDDEN
        and all(english["options"].get(code, False) for code in codes),
    }


@router.get(CHECK_URL)
@victim_page
def check_answers(request: Request, session: SessionDep) -> Response:
    visit = service.visit(session, cookie=cookie_of(request), stage=Stage.ANSWERING)
    _ = gettext_of(visit)
    journey = visit.state.journey
    return page(
        request,
        session,
        visit,
        "survey/check.html",
        page_title=str(_("Check your answers before sending them")),
        rows=[_check_row(visit, question) for question in journey.visible],
        any_hidden=any(visit.state.is_hidden(q["id"]) for q in journey.visible),
        back_url=back_url(visit, CHECK),
    )


@router.post("/survey/submit")
@victim_page
def submit(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    # Read before sending (the answers go with it): whether this browser said under 18.
    before = service.visit(session, cookie=cookie_of(request))
    cookie_value = service.submit(
        session, cookie=cookie_of(request), csrf_token=form.get("csrf_token")
    )
    response = redirect(COMPLETE_URL)
    set_cookie(response, cookie_value)
    if said_under_18(before.state):
        set_notice(response, before.survey_session, CHILDLINE_NOTICE, path=COMPLETE_URL)
    return response


def _complete_page(
    request: Request,
    session: Session,
    shown: Confirmation,
    *,
    asked: bool = False,
    childline: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    _ = gettext_of(shown.visit)
    return page(
        request,
        session,
        shown.visit,
        "survey/complete.html",
        status_code=status_code,
        page_title=str(_("Your answers have been sent")),
        # The same title with or without a mistake in the contact form (see victim.html).
        title_without_error=True,
        actions=shown.actions,
        asked=asked,
        childline=childline,
        contact_action=COMPLETE_URL,
        **contact_form_values(shown.visit, shown.contact),
    )


@router.get(COMPLETE_URL)
@victim_page
def complete(request: Request, session: SessionDep) -> Response:
    shown = service.confirmation(session, cookie=cookie_of(request))
    asked = notice_due(request, shown.visit.survey_session, CONTACT_NOTICE)
    childline = notice_due(request, shown.visit.survey_session, CHILDLINE_NOTICE)
    response = _complete_page(request, session, shown, asked=asked, childline=childline)
    if asked or childline:
        clear_notice(response, path=COMPLETE_URL)  # once: Back, Forward or a reload show nothing
    return response


@router.post(COMPLETE_URL)
@victim_page
def contact_request(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    """Asking to be contacted, posted to the confirmation page's own address.

    Post, redirect, get: the browser history keeps only the confirmation page's address and
    title, as for anyone who never asked; the thank-you is shown once, to this browser, whether
    or not the request was the link's first (service.request_contact).
    """
    result = service.request_contact(
        session, cookie=cookie_of(request), csrf_token=form.get("csrf_token"), form=form
    )
    if isinstance(result, Confirmation):
        return _complete_page(request, session, result, status_code=422)
    response = redirect(COMPLETE_URL)
    set_notice(response, result.visit.survey_session, CONTACT_NOTICE, path=COMPLETE_URL)
    return response


@router.get("/survey/withdraw")
@victim_page
def withdraw_page(request: Request, session: SessionDep) -> Response:
    visit = service.visit(session, cookie=cookie_of(request))
    return titled_page(
        request,
        session,
        visit,
        "survey/withdraw.html",
        title=N_("Withdraw your answers"),
        back_url=COMPLETE_URL if visit.completed else START_URL,
    )


@router.post("/survey/withdraw")
@victim_page
def withdraw(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    withdrawn = service.withdraw(
        session, cookie=cookie_of(request), csrf_token=form.get("csrf_token")
    )
    # The link has ended: the general support list, as on every page an ended link reaches.
    response = render_victim(
        request,
        session,
        "survey/withdrawn.html",
        language=withdrawn.language,
        area=withdrawn.area,
        page_title=str(gettext_for(withdrawn.language)("Your answers have been withdrawn")),
    )
    delete_cookie(response)
    return response
