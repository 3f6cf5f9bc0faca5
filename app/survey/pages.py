"""HTML pages of the victim's survey: thin, calling services.

The link's token is exchanged at once for a survey session cookie, and every later page names
only the session. Any page a victim can reach answers with a calm page, never a 500: no session
(open your link again), an ended link (410), a form without its CSRF token (403).

A page shows saved values only to the session that saved them (app/survey/visibility.py): each
opening of the link starts a new session, so someone who opens the link from the victim's
messages, even on the victim's own phone, sees "Answered" and never a value. Once the survey is
completed, every page shows the general support list and no crime-group content
(app/invitations/link_content.py: crime_group_shown).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ParamSpec

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from app.db import SessionDep
from app.i18n import N_, Gettext, gettext_for, language_name
from app.invitations.link_content import crime_group_shown
from app.invitations.models import Invitation
from app.reporting.models import PublishedAction
from app.settings import get_settings
from app.survey import contact_me
from app.survey.addresses import CHECK_URL, PAGE_PREFIX, step_address, step_for_code
from app.survey.answers import AnswerError, clean_value, save_answers, value_from_form
from app.survey.bank import NoBankPublished
from app.survey.entry import (
    LinkEnded,
    LinkNotFound,
    check_usable,
    invitation_for_token,
    lock_invitation,
    mark_opened,
    mark_started,
)
from app.survey.journey import CHECK
from app.survey.models import SurveySession
from app.survey.session import (
    BadCsrfToken,
    NoSurveySession,
    check_csrf,
    clear_notice,
    delete_cookie,
    end_session,
    end_session_by_cookie,
    load_session,
    notice_due,
    refresh,
    rotate_session,
    set_cookie,
    set_notice,
    start_session,
)
from app.survey.state import SurveyState, load_state
from app.survey.submit import submit as submit_survey
from app.survey.visibility import HIDDEN
from app.survey.withdraw import withdraw as withdraw_survey
from app.victim_page import EXIT_URL, START_URL, render_victim

router = APIRouter(include_in_schema=False)

# The neutral page the GOV.UK "Exit this page" pattern usually sends people to.
EXIT_TO = "https://www.bbc.co.uk/weather"
COMPLETE_URL = "/survey/complete"
CONTACT_NOTICE = "contact-requested"
# The title of every question page and content note. Titles stay in the browser history of a
# shared phone, so they name neither the question nor the section.
STEP_PAGE_TITLE = N_("Your survey")
SECONDS_PER_QUESTION = 20
BABEL_LOCALES = {"en": "en_GB"}


async def form_data(request: Request) -> FormData:
    """The posted form (parsed before the sync endpoint runs in the thread pool)."""
    return await request.form()


FormDep = Depends(form_data)


# ---------------------------------------------------------------------------------------------
# Page context and rendering


def _format_date(value: date | datetime | None, language: str) -> str:
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    try:
        return format_date(day, format="long", locale=BABEL_LOCALES.get(language, language))
    except Exception:  # an unknown locale: English dates are better than no page
        return format_date(day, format="long", locale="en_GB")


@dataclass
class Victim:
    """One request's survey session, invitation and survey state."""

    survey_session: SurveySession
    state: SurveyState

    @property
    def invitation(self) -> Invitation:
        return self.state.invitation

    @property
    def language(self) -> str:
        return self.state.language

    @property
    def _(self) -> Gettext:
        return gettext_for(self.state.language)

    def address(self, step: str) -> str:
        """This session's address of a step (opaque: see app/survey/addresses.py)."""
        return step_address(self.survey_session.csrf_token, step)


def victim_for(request: Request, session: Session) -> Victim:
    survey_session, invitation = load_session(session, request)
    check_usable(invitation)
    return Victim(survey_session, load_state(session, invitation, viewer=survey_session.id))


def page(
    request: Request,
    session: Session,
    victim: Victim,
    template: str,
    *,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    invitation = victim.invitation
    return render_victim(
        request,
        session,
        template,
        language=victim.language,
        crime_group=crime_group_shown(invitation),
        area=invitation.area,
        status_code=status_code,
        csrf_token=victim.survey_session.csrf_token,
        expires_on=_format_date(invitation.expires_at, victim.language),
        **values,
    )


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


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


def _not_found(request: Request, session: Session, victim: Victim) -> HTMLResponse:
    return page(request, session, victim, "survey/not_found.html", status_code=404)


# ---------------------------------------------------------------------------------------------
# Entering, leaving


@router.get("/s/{token}")
@victim_page
def enter(token: str, request: Request, session: SessionDep) -> Response:
    """Exchange the link for a survey session and leave the token out of every later URL.

    Not counted as "opened" (a mail scanner fetches links too): see entry.mark_opened.
    """
    invitation = invitation_for_token(session, token, lock=True)
    # A new session has saved nothing, so it sees no saved value (viewer=None).
    state = load_state(session, invitation, viewer=None)
    invitation.survey_language = state.language
    session.add(invitation)
    # A session this browser already had (another link, or this one earlier) ends here.
    end_session_by_cookie(session, request)
    cookie_value, survey_session = start_session(session, invitation)
    if invitation.status == "completed":
        target = "/survey/complete"
    elif state.status == "in_progress":
        target = step_address(survey_session.csrf_token, state.journey.resume_step())
    else:
        target = START_URL
    response = redirect(target)
    set_cookie(response, cookie_value)
    return response


@router.get(EXIT_URL)
def exit_survey(request: Request, session: SessionDep) -> Response:
    """Exit this page: end the session and go somewhere neutral (works without JavaScript)."""
    end_session_by_cookie(session, request)
    response = redirect(EXIT_TO)
    delete_cookie(response)
    return response


# ---------------------------------------------------------------------------------------------
# Start, language, the quick-exit explanation and the safety page


@router.get(START_URL)
@victim_page
def start(request: Request, session: SessionDep) -> Response:
    victim = victim_for(request, session)
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    state = victim.state
    settings = get_settings()
    shown = len(state.journey.visible)
    languages = [
        {"code": code, "name": language_name(code)} for code in state.bank.offered_languages()
    ]
    return page(
        request,
        session,
        victim,
        "survey/start.html",
        page_title=str(victim._("Tell us about your experience")),
        bank_text=state.bank.text(victim.language),
        bank_english=state.bank.english_text(victim.language),
        minutes=max(2, math.ceil(shown * SECONDS_PER_QUESTION / 60)),
        retention_months=settings.retention_months,
        languages=languages,
        resuming=state.status == "in_progress",
    )


def _mark_opened(session: Session, victim: Victim) -> Invitation:
    # Under the row lock, as saves are, so a status written meanwhile is never overwritten.
    invitation = lock_invitation(session, victim.invitation.id)
    mark_opened(invitation)
    session.add(invitation)
    return invitation


@router.post(START_URL)
@victim_page
def press_start(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    """Pressing Start now: the first human step, counted as "opened" (entry.mark_opened)."""
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    _mark_opened(session, victim)
    if victim.state.status == "in_progress":
        return redirect("/survey/begin")
    return redirect("/survey/leaving-quickly")


@router.post("/survey/language")
@victim_page
def choose_language(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    invitation = _mark_opened(session, victim)
    chosen = form.get("language")
    if isinstance(chosen, str) and chosen in victim.state.bank.offered_languages():
        invitation.survey_language = chosen
        session.add(invitation)
    return redirect(START_URL)


@router.get("/survey/leaving-quickly")
@victim_page
def leaving_quickly(request: Request, session: SessionDep) -> Response:
    """The "Exit a page quickly" interruption page, before the button is first needed."""
    victim = victim_for(request, session)
    return page(
        request,
        session,
        victim,
        "survey/leaving_quickly.html",
        page_title=str(victim._("Leaving this website quickly")),
        back_url=START_URL,
    )


@router.get("/survey/safety")
@victim_page
def safety(request: Request, session: SessionDep) -> Response:
    victim = victim_for(request, session)
    return page(
        request,
        session,
        victim,
        "survey/safety.html",
        page_title=str(victim._("Keeping your visit private")),
        back_url="/survey/leaving-quickly",
    )


@router.get("/survey/begin")
@victim_page
def begin(request: Request, session: SessionDep) -> Response:
    """The first page of questions, or where they stopped."""
    victim = victim_for(request, session)
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    return redirect(victim.address(victim.state.journey.resume_step()))


# ---------------------------------------------------------------------------------------------
# Questions and content notes


def _back_url(victim: Victim, step: str) -> str:
    previous = victim.state.journey.previous_step(step)
    return victim.address(previous) if previous else "/survey/safety"


def _question_page(
    request: Request,
    session: Session,
    victim: Victim,
    question: Mapping[str, Any],
    *,
    value: Any,
    change: bool,
    error: str | None = None,
) -> HTMLResponse:
    journey = victim.state.journey
    # Saved by another session: the form starts empty and says why (never the value).
    saved_elsewhere = value is HIDDEN
    if saved_elsewhere:
        value = None
    number, total = journey.progress(question["id"])
    _ = victim._
    return page(
        request,
        session,
        victim,
        "survey/question.html",
        status_code=422 if error else 200,
        # Titles stay in the browser history: never the question, nor its number out of a
        # total that an earlier answer changes.
        page_title=str(_(STEP_PAGE_TITLE)),
        form_action=victim.address(f"q:{question['id']}"),
        error_summary=[{"text": error, "href": "#answer"}] if error else None,
        error=error,
        question=question,
        english=victim.state.bank.english_parts(
            question, victim.invitation.touchpoint, victim.language
        ),
        value=value,
        change=change,
        number=number,
        total=total,
        back_url=CHECK_URL if change else _back_url(victim, f"q:{question['id']}"),
        section=victim.state.bank.section(question.get("section"), victim.language),
        skip_label=_("Skip this question"),
        saved_elsewhere=saved_elsewhere,
    )


def _step_of(victim: Victim, code: str) -> tuple[str, str] | None:
    """The (kind, id) of the step this session addresses by `code`: ("q", …) or ("s", …)."""
    journey = victim.state.journey
    step = step_for_code(victim.survey_session.csrf_token, journey.addressable_steps(), code)
    if step is None:
        return None
    kind, _sep, ident = step.partition(":")
    return kind, ident


@router.get(PAGE_PREFIX + "{code}")
@victim_page
def step_page(code: str, request: Request, session: SessionDep, change: str = "") -> Response:
    """A question page or a content note, by this session's opaque address."""
    victim = victim_for(request, session)
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    found = _step_of(victim, code)
    if found is None:
        return _not_found(request, session, victim)
    kind, ident = found
    if kind == "s":
        return _section_page(request, session, victim, ident)
    return _show_question(request, session, victim, ident, change=change == "1")


@router.post(PAGE_PREFIX + "{code}")
@victim_page
def step_answer(
    code: str, request: Request, session: SessionDep, form: FormData = FormDep
) -> Response:
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    found = _step_of(victim, code)
    if found is None:
        return _not_found(request, session, victim)
    kind, ident = found
    if kind == "s":
        return _section_choice(session, victim, ident, form)
    return _answer_question(request, session, victim, ident, form)


def _show_question(
    request: Request, session: Session, victim: Victim, question_id: str, *, change: bool
) -> Response:
    journey = victim.state.journey
    question = journey.question(question_id)
    assert question is not None  # an addressable step
    if not journey.is_step(f"q:{question_id}"):
        # Hidden by an earlier answer: go on to the next page that is shown.
        return redirect(victim.address(journey.next_step(f"q:{question_id}")))
    return _question_page(
        request,
        session,
        victim,
        question,
        value=victim.state.answers.get(question_id),
        change=change,
    )


def _after_save(victim: Victim, step: str, *, change: bool) -> str:
    journey = victim.state.journey
    following = journey.next_step(step)
    if change:
        # After a change, back to the check page, unless the answer opened a new question.
        kind, _sep, ident = following.partition(":")
        if not (kind == "q" and ident not in victim.state.answers):
            following = CHECK
    return following


def _save(session: Session, victim: Victim, answers: dict[str, Any], resume_at: str) -> bool:
    """Save answers and where they are; False if the survey was submitted meanwhile."""
    # Under the invitation's row lock, so a submit from another device either finished
    # before (and is seen here) or waits: a late save never reopens a completed survey.
    invitation = lock_invitation(session, victim.invitation.id)
    if invitation.status == "completed":
        return False
    if answers:
        save_answers(
            session,
            invitation.id,
            answers,
            saved_by=victim.survey_session.id,
            questions=victim.state.questions,
        )
        mark_started(invitation)
    invitation.resume_at = resume_at
    session.add(invitation)
    refresh(victim.survey_session)
    session.add(victim.survey_session)
    return True


def _answer_question(
    request: Request, session: Session, victim: Victim, question_id: str, form: FormData
) -> Response:
    question = victim.state.journey.question(question_id)
    assert question is not None  # an addressable step
    change = form.get("change") == "1"
    hidden = victim.state.is_hidden(question_id)
    if form.get("action") == "skip":
        value = None
    else:
        raw = value_from_form(question, form)
        try:
            value = clean_value(question, raw)
        except AnswerError as exc:
            message = str(victim._(exc.message, **exc.variables))
            kept = raw if isinstance(raw, str | list) else None  # never a file's repr
            value = HIDDEN if hidden and not kept else kept
            return _question_page(
                request, session, victim, question, value=value, change=change, error=message
            )
    if hidden and value is None and form.get("action") != "skip":
        # Continuing without choosing anything keeps an answer this session cannot see: the
        # page says so, and nobody should lose an answer by not retyping it.
        following = _after_save(victim, f"q:{question_id}", change=change)
        saved = _save(session, victim, {}, following)
        return redirect(victim.address(following) if saved else "/survey/complete")
    victim.state.answers[question_id] = value
    following = _after_save(victim, f"q:{question_id}", change=change)
    if not _save(session, victim, {question_id: value}, following):
        return redirect("/survey/complete")
    return redirect(victim.address(following))


def _section_page(request: Request, session: Session, victim: Victim, section_id: str) -> Response:
    journey = victim.state.journey
    step = f"s:{section_id}"
    if not journey.is_step(step):
        # Not a sensitive section, or none of its questions shown: on to the next page.
        return redirect(victim.address(journey.next_step(step)))
    section = victim.state.bank.section(section_id, victim.language)
    assert section is not None
    return page(
        request,
        session,
        victim,
        "survey/section.html",
        # The same title as a question page: a content note's own would tell the history
        # that a sensitive section was reached.
        page_title=str(victim._(STEP_PAGE_TITLE)),
        form_action=victim.address(step),
        section=section,
        english=victim.state.bank.english_section(section_id, victim.language),
        back_url=_back_url(victim, step),
    )


def _section_choice(session: Session, victim: Victim, section_id: str, form: FormData) -> Response:
    journey = victim.state.journey
    questions = journey.section_questions(section_id)
    if form.get("action") == "skip":
        # Answers saved by another session stay: this one cannot show what it would erase.
        skipped = {
            question["id"]: None
            for question in questions
            if not victim.state.is_hidden(question["id"])
        }
        victim.state.answers.update(skipped)
        following = victim.state.journey.after_section(section_id)
        saved = _save(session, victim, skipped, following)
    else:
        following = journey.next_step(f"s:{section_id}")
        saved = _save(session, victim, {}, following)
    return redirect(victim.address(following) if saved else "/survey/complete")


# ---------------------------------------------------------------------------------------------
# Check, submit, confirmation


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


@router.get(CHECK_URL)
@victim_page
def check_answers(request: Request, session: SessionDep) -> Response:
    victim = victim_for(request, session)
    if victim.invitation.status == "completed":
        return redirect("/survey/complete")
    journey = victim.state.journey
    _ = victim._
    bank, touchpoint = victim.state.bank, victim.invitation.touchpoint
    rows = []
    for question in journey.visible:
        value = victim.state.answers.get(question["id"])
        english = bank.english_parts(question, touchpoint, victim.language)
        codes = value if isinstance(value, list) else [value]
        rows.append(
            {
                "question": question,
                "change_url": victim.address(f"q:{question['id']}") + "?change=1",
                "display": _display_value(question, value, _),
                "english": english,
                # A typed answer is the victim's own words, in whatever language they wrote;
                # "Answered" is an interface string, in the page's language.
                "english_answer": question["type"] != "text"
                and value is not HIDDEN
                and all(english["options"].get(code, False) for code in codes),
            }
        )
    return page(
        request,
        session,
        victim,
        "survey/check.html",
        page_title=str(_("Check your answers before sending them")),
        rows=rows,
        any_hidden=any(victim.state.is_hidden(q["id"]) for q in journey.visible),
        back_url=_back_url(victim, CHECK),
    )


@router.post("/survey/submit")
@victim_page
def submit(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    submit_survey(session, victim.invitation.id)
    response = redirect("/survey/complete")
    set_cookie(response, rotate_session(session, victim.survey_session))
    return response


def _recent_actions(session: Session) -> list[PublishedAction]:
    """The newest actions for every crime group: the confirmation page is reached after
    submission, when no page of the link may show which crime group it was about."""
    statement = (
        select(PublishedAction)
        .where(col(PublishedAction.crime_group).is_(None))
        .order_by(col(PublishedAction.published_at).desc(), col(PublishedAction.id).desc())
        .limit(3)
    )
    return list(session.exec(statement).all())


def _complete_page(
    request: Request,
    session: Session,
    victim: Victim,
    *,
    contact: contact_me.ContactForm | None = None,
    asked: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    _ = victim._
    contact = contact or contact_me.ContactForm()
    errors = {name: str(_(message)) for name, message in contact.errors.items()}
    summary = [{"text": message, "href": f"#{name}"} for name, message in errors.items()]
    return page(
        request,
        session,
        victim,
        "survey/complete.html",
        status_code=status_code,
        page_title=str(_("Your answers have been sent")),
        error_summary=summary or None,
        # The same title with or without a mistake in the contact form (see victim.html).
        title_without_error=True,
        actions=_recent_actions(session),
        contact=contact,
        contact_errors=errors,
        asked=asked,
    )


@router.get(COMPLETE_URL)
@victim_page
def complete(request: Request, session: SessionDep) -> Response:
    victim = victim_for(request, session)
    if victim.invitation.status != "completed":
        return redirect("/survey/begin")
    asked = notice_due(request, victim.survey_session, CONTACT_NOTICE)
    response = _complete_page(request, session, victim, asked=asked)
    if asked:
        clear_notice(response, path=COMPLETE_URL)  # once: Back, Forward or a reload show nothing
    return response


@router.post(COMPLETE_URL)
@victim_page
def contact_request(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    """Asking to be contacted, posted to the confirmation page's own address.

    Post, redirect, get: the browser history keeps only the confirmation page's address and
    title, as for anyone who never asked; the thank-you is shown once, to this browser.
    """
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    if victim.invitation.status != "completed":
        return redirect("/survey/begin")
    contact = contact_me.validate(contact_me.read_form(form))
    if contact.errors:
        return _complete_page(request, session, victim, contact=contact, status_code=422)
    # A second request from this link is not stored (create_request gives None), and gets the
    # very page a first one does, which says only the first counts: a different page would tell
    # whoever holds the link (or the victim's phone) that the victim had asked to be contacted.
    contact_me.create_request(
        session,
        contact,
        invitation_id=victim.invitation.id,
        crime_group=victim.invitation.crime_group,
    )
    response = redirect(COMPLETE_URL)
    set_notice(response, victim.survey_session, CONTACT_NOTICE, path=COMPLETE_URL)
    return response


# ---------------------------------------------------------------------------------------------
# Withdrawing


@router.get("/survey/withdraw")
@victim_page
def withdraw_page(request: Request, session: SessionDep) -> Response:
    victim = victim_for(request, session)
    return page(
        request,
        session,
        victim,
        "survey/withdraw.html",
        page_title=str(victim._("Withdraw your answers")),
        back_url="/survey/complete" if victim.invitation.status == "completed" else START_URL,
    )


@router.post("/survey/withdraw")
@victim_page
def withdraw(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    victim = victim_for(request, session)
    check_csrf(victim.survey_session, form.get("csrf_token"))
    invitation = victim.invitation
    language, area = victim.language, invitation.area
    withdraw_survey(session, invitation.id)
    end_session(session, victim.survey_session)
    # The link has ended: the general support list, as on every page an ended link reaches.
    response = render_victim(
        request,
        session,
        "survey/withdrawn.html",
        language=language,
        area=area,
        page_title=str(gettext_for(language)("Your answers have been withdrawn")),
    )
    delete_cookie(response)
    return response
