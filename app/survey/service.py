"""The victim's use cases: one call per request, for the HTML pages and the JSON API alike.

The pages (pages.py, question_pages.py, end_pages.py) and the JSON routes (routes.py) only turn a
request into one of these calls and its result into a page or JSON. No HTTP here: plain values
in, plain values out, or one of these exceptions:

- LinkNotFound, LinkEnded (entry.py): the link is unknown or has ended;
- NoSurveySession, BadCsrfToken (session.py): no live session, or a form without its token;
- NoBankPublished (bank.py): nothing to ask yet;
- SurveyCompleted, SurveyNotCompleted (outcomes.py): the survey is not in the stage a step
  needs.

Two ways in. The pages name a survey session's cookie: `enter` exchanges the link's token for
one, and every later call names the cookie (and, for a form, its CSRF token). The JSON API names
the link's token alone (`*_by_token`, in token_service.py), and never reads back a saved value.

Where a call leads is a `Next`: a journey step ("q:…", "s:…", journey.CHECK) or one of the
places in outcomes.py; the pages give each its address (a question page's is opaque:
addresses.py).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlmodel import Session

from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.survey.addresses import CHANGE, CONTACT_FROM, step_for_code
from app.survey.answers import AnswerError, clean_value, nothing_given, save_answers
from app.survey.answers import value_from_form as raw_value
from app.survey.contact_me import ContactForm, ask_to_be_contacted
from app.survey.entry import (
    check_usable,
    invitation_for_token,
    lock_invitation,
    mark_opened,
    mark_started,
)
from app.survey.journey import CHECK
from app.survey.outcomes import (
    ASSISTED,
    BEGIN,
    COMPLETE,
    LEAVING_QUICKLY,
    START,
    Confirmation,
    ContactFiled,
    ContactView,
    Entered,
    FormLike,
    Next,
    QuestionView,
    SectionView,
    Stage,
    StepForm,
    StepNotFound,
    StepView,
    SurveyCompleted,
    SurveyNotCompleted,
    Visit,
    Withdrawn,
)
from app.survey.reporting_link import general_actions
from app.survey.session import (
    check_csrf,
    end_session,
    end_session_of_cookie,
    load_session_by_cookie,
    refresh,
    rotate_session,
    start_session,
)
from app.survey.state import IN_PROGRESS, load_state
from app.survey.submit import submit as submit_survey
from app.survey.visibility import HIDDEN
from app.survey.withdraw import withdraw as withdraw_survey

# --- the survey session ------------------------------------------------------------------------

_GET = object()  # no form posted: no CSRF token to check


def _visit(
    session: Session, cookie: str | None, *, stage: Stage, form_token: object = _GET
) -> Visit:
    survey_session, invitation = load_session_by_cookie(session, cookie)
    check_usable(invitation)
    visit = Visit(survey_session, load_state(session, invitation, viewer=survey_session.id))
    if form_token is not _GET:
        check_csrf(survey_session, form_token)
    if stage is Stage.ANSWERING and visit.completed:
        raise SurveyCompleted
    if stage is Stage.COMPLETED and not visit.completed:
        raise SurveyNotCompleted
    return visit


def visit(session: Session, *, cookie: str | None, stage: Stage = Stage.ANY) -> Visit:
    """The survey as this session may see it, for a page that only shows it."""
    return _visit(session, cookie, stage=stage)


def enter(session: Session, *, token: str, previous_cookie: str | None) -> Entered:
    """Exchange a link's token for a new survey session; any earlier one of this browser ends.

    Not counted as "opened" (a mail scanner fetches links too): see entry.mark_opened.
    """
    invitation = invitation_for_token(session, token, lock=True)
    return enter_invitation(session, invitation, previous_cookie=previous_cookie)


def enter_invitation(
    session: Session, invitation: Invitation, *, previous_cookie: str | None, assisted: bool = False
) -> Entered:
    """A new survey session for a usable invitation the caller found and locked (by a link's
    token here, by a one-time code in app/handover/redeem.py); `assisted`: a support worker's
    session at the victim's request, which opens on the page that says so."""
    # A new session has saved nothing, so it sees no saved value (viewer=None).
    state = load_state(session, invitation, viewer=None)
    invitation.survey_language = state.language
    session.add(invitation)
    end_session_of_cookie(session, previous_cookie)
    cookie_value, survey_session = start_session(session, invitation, assisted=assisted)
    if assisted:
        place = ASSISTED
    elif invitation.status == InvitationStatus.completed:
        place = COMPLETE
    elif state.status == IN_PROGRESS:
        place = state.journey.resume_step()
    else:
        place = START
    return Entered(cookie_value, Next(place, survey_session.csrf_token))


def leave(session: Session, *, cookie: str | None) -> None:
    """Exit this page: the session ends (even a timed-out one)."""
    end_session_of_cookie(session, cookie)


def _mark_opened(session: Session, visit: Visit) -> Invitation:
    # Under the row lock, as saves are, so a status written meanwhile is never overwritten.
    invitation = lock_invitation(session, visit.invitation.id)
    mark_opened(invitation)
    session.add(invitation)
    return invitation


def press_start(session: Session, *, cookie: str | None, csrf_token: object) -> Next:
    """Pressing Start now: the first human step, counted as "opened" (entry.mark_opened)."""
    visit = _visit(session, cookie, stage=Stage.ANSWERING, form_token=csrf_token)
    _mark_opened(session, visit)
    place = BEGIN if visit.state.status == IN_PROGRESS else LEAVING_QUICKLY
    return Next(place, visit.secret)


def choose_language(
    session: Session, *, cookie: str | None, csrf_token: object, language: object
) -> None:
    """Show the survey in `language` from now on, if the bank offers it (else nothing changes)."""
    visit = _visit(session, cookie, stage=Stage.ANSWERING, form_token=csrf_token)
    invitation = _mark_opened(session, visit)
    if isinstance(language, str) and language in visit.state.bank.offered_languages():
        invitation.survey_language = language
        session.add(invitation)


def resume(session: Session, *, cookie: str | None) -> Next:
    """The first page of questions, or where they stopped."""
    visit = _visit(session, cookie, stage=Stage.ANSWERING)
    return Next(visit.state.journey.resume_step(), visit.secret)


# --- questions and content notes ---------------------------------------------------------------


def _step_of(visit: Visit, code: str) -> tuple[str, str, bool] | None:
    """The (kind, id, change) of the step this session addresses by `code`: ("q", …) or
    ("s", …), and whether it is a question's address from the check page's Change link; or
    ("k", "q:<id>", False), the "contact me" form reached from that question's page."""
    steps = visit.state.journey.addressable_steps()
    questions = [step for step in steps if step.startswith("q:")]
    changes = [CHANGE + step for step in questions]
    contacts = [CONTACT_FROM + step for step in questions]
    step = step_for_code(visit.secret, [*steps, *changes, *contacts], code)
    if step is None:
        return None
    if step.startswith(CONTACT_FROM):
        return "k", step.removeprefix(CONTACT_FROM), False
    change = step.startswith(CHANGE)
    kind, _sep, ident = step.removeprefix(CHANGE).partition(":")
    return kind, ident, change


def open_step(session: Session, *, cookie: str | None, code: str, change: bool) -> StepView:
    """The question page or content note at this session's opaque address `code`."""
    visit = _visit(session, cookie, stage=Stage.ANSWERING)
    found = _step_of(visit, code)
    if found is None:
        return StepNotFound(visit)
    kind, ident, from_check = found
    if kind == "k":
        return ContactView(visit, ident, ContactForm())
    change = change or from_check
    step = f"{kind}:{ident}"
    journey = visit.state.journey
    if not journey.is_step(step):
        # Hidden by an earlier answer, or a section note not shown: on to the next page shown.
        return Next(journey.next_step(step), visit.secret)
    if kind == "s":
        return SectionView(visit, ident)
    question = journey.question(ident)
    assert question is not None  # an addressable step
    return QuestionView(visit, question, value=visit.state.answers.get(ident), change=change)


def answer_step(
    session: Session, *, cookie: str | None, csrf_token: object, code: str, posted: StepForm
) -> StepView:
    """Save what a question page or content note posted; where to go next, or the page again
    with the error."""
    visit = _visit(session, cookie, stage=Stage.ANSWERING, form_token=csrf_token)
    found = _step_of(visit, code)
    if found is None:
        return StepNotFound(visit)
    kind, ident, from_check = found
    if kind == "k":
        return _contact_during_survey(session, visit, ident, posted.form)
    if kind == "s":
        return _section_choice(session, visit, ident, skip=posted.skip)
    if from_check:
        posted = dataclasses.replace(posted, change=True)
    return _answer_question(session, visit, ident, posted)


def _after_save(visit: Visit, step: str, *, change: bool) -> str:
    following = visit.state.journey.next_step(step)
    if change:
        # After a change, back to the check page, unless the answer opened a new question.
        kind, _sep, ident = following.partition(":")
        if not (kind == "q" and ident not in visit.state.answers):
            following = CHECK
    return following


def _save(session: Session, visit: Visit, answers: dict[str, Any], following: str) -> Next:
    """Save answers and where they are; leads to `following`, or to the confirmation if the
    survey was submitted meanwhile."""
    # Under the invitation's row lock, so a submit from another device either finished
    # before (and is seen here) or waits: a late save never reopens a completed survey.
    invitation = lock_invitation(session, visit.invitation.id)
    if invitation.status == InvitationStatus.completed:
        return Next(COMPLETE, visit.secret)
    if answers:
        save_answers(
            session,
            invitation.id,
            answers,
            saved_by=visit.survey_session.id,
            questions=visit.state.questions,
            assisted=visit.survey_session.assisted,
        )
        mark_started(invitation)
    invitation.resume_at = following
    session.add(invitation)
    refresh(visit.survey_session)
    session.add(visit.survey_session)
    return Next(following, visit.secret)


def _answer_question(
    session: Session, visit: Visit, question_id: str, posted: StepForm
) -> StepView:
    question = visit.state.journey.question(question_id)
    assert question is not None  # an addressable step
    step = f"q:{question_id}"
    hidden = visit.state.is_hidden(question_id)
    value = None
    if not posted.skip:
        raw = raw_value(question, posted.form)
        try:
            value = clean_value(question, raw)
        except AnswerError as exc:
            kept = raw if isinstance(raw, str | list) else None  # never a file's repr
            shown = HIDDEN if hidden and not kept else kept
            return QuestionView(visit, question, value=shown, change=posted.change, error=exc)
    if hidden and value is None and not posted.skip:
        # Continuing without choosing anything keeps an answer this session cannot see: the
        # page says so, and nobody should lose an answer by not retyping it.
        return _save(session, visit, {}, _after_save(visit, step, change=posted.change))
    if value is None and not posted.skip:
        # Nothing chosen is not a skip: the page asks them to choose, or to press Skip.
        return QuestionView(
            visit, question, value=None, change=posted.change, error=nothing_given(question)
        )
    visit.state.answers[question_id] = value
    return _save(
        session, visit, {question_id: value}, _after_save(visit, step, change=posted.change)
    )


def _section_choice(session: Session, visit: Visit, section_id: str, *, skip: bool) -> Next:
    journey = visit.state.journey
    if not skip:
        return _save(session, visit, {}, journey.next_step(f"s:{section_id}"))
    # Answers saved by another session stay: this one cannot show what it would erase.
    skipped = {
        question["id"]: None
        for question in journey.section_questions(section_id)
        if not visit.state.is_hidden(question["id"])
    }
    visit.state.answers.update(skipped)
    return _save(session, visit, skipped, visit.state.journey.after_section(section_id))


# --- sending, the confirmation, asking to be contacted, withdrawing ----------------------------


def _contact_during_survey(
    session: Session, visit: Visit, from_step: str, form: FormLike
) -> ContactView | ContactFiled:
    """The "contact me" form from a question page's help panel: as after the survey."""
    contact = ask_to_be_contacted(
        session,
        form,
        invitation_id=visit.invitation.id,
        crime_group=visit.invitation.crime_group,
    )
    return (
        ContactView(visit, from_step, contact) if contact.errors else ContactFiled(visit, from_step)
    )


def submit(session: Session, *, cookie: str | None, csrf_token: object) -> str:
    """Send the answers (once, however often it is pressed); returns the browser's new cookie.

    The cookie changes so that browsers drop cached pages that showed the answers
    (session.rotate_session).
    """
    visit = _visit(session, cookie, stage=Stage.ANY, form_token=csrf_token)
    submit_survey(session, visit.invitation.id, assisted=visit.survey_session.assisted)
    return rotate_session(session, visit.survey_session)


def confirmation(session: Session, *, cookie: str | None) -> Confirmation:
    """The page after sending: general statements only, and an empty contact form."""
    visit = _visit(session, cookie, stage=Stage.COMPLETED)
    return Confirmation(visit, general_actions(session), ContactForm())


def request_contact(
    session: Session, *, cookie: str | None, csrf_token: object, form: FormLike
) -> Confirmation | ContactFiled:
    """Ask to be contacted: the confirmation again with the mistakes, or filed.

    A second request from this link updates the first (contact_me.create_request) and gets the
    very same result as a first: a different one would tell whoever holds the link (or the
    victim's phone) that the victim had asked to be contacted.
    """
    visit = _visit(session, cookie, stage=Stage.COMPLETED, form_token=csrf_token)
    contact = ask_to_be_contacted(
        session,
        form,
        invitation_id=visit.invitation.id,
        crime_group=visit.invitation.crime_group,
    )
    if contact.errors:
        return Confirmation(visit, general_actions(session), contact)
    return ContactFiled(visit)


def withdraw(session: Session, *, cookie: str | None, csrf_token: object) -> Withdrawn:
    """Erase everything the link answered; the link and this session end."""
    visit = _visit(session, cookie, stage=Stage.ANY, form_token=csrf_token)
    withdrawn = Withdrawn(visit.language, visit.invitation.area)
    withdraw_survey(session, visit.invitation.id)
    end_session(session, visit.survey_session)
    return withdrawn
