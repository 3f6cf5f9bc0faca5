"""The JSON API's use cases: the link's token alone authorises them, and none reads back a
saved value (the pages' use cases, by survey-session cookie, are in service.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.invitations.lifecycle import InvitationStatus
from app.survey.answers import clean_answers, save_answers
from app.survey.entry import invitation_for_token, mark_started
from app.survey.outcomes import InvalidAnswers, SurveyCompleted
from app.survey.state import SurveyState, load_state
from app.survey.submit import submit as submit_survey
from app.survey.withdraw import withdraw as withdraw_survey


def survey_by_token(session: Session, *, token: str) -> SurveyState:
    """The survey of a link as the token alone may see it (no saved value); SurveyCompleted
    once sent. Not counted as "opened": anything can make a GET."""
    invitation = invitation_for_token(session, token, lock=True)  # pins the bank once
    if invitation.status == InvitationStatus.completed:
        raise SurveyCompleted
    return load_state(session, invitation, viewer=None)


def save_by_token(session: Session, *, token: str, answers: Mapping[str, Any]) -> SurveyState:
    """Merge answers into the saved ones (None = skipped); other questions are untouched.

    Raises SurveyCompleted once sent, InvalidAnswers (nothing saved) for a value a question
    cannot take or a question the survey does not have."""
    invitation = invitation_for_token(session, token, lock=True)
    if invitation.status == InvitationStatus.completed:
        raise SurveyCompleted
    state = load_state(session, invitation, viewer=None)
    clean, errors = clean_answers(state.questions, answers)
    if errors:
        raise InvalidAnswers(errors)
    save_answers(session, invitation.id, clean, saved_by=None, questions=state.questions)
    mark_started(invitation)
    session.add(invitation)
    session.flush()
    return load_state(session, invitation, viewer=None)


def submit_by_token(session: Session, *, token: str) -> None:
    """Send the answers; repeating it changes nothing."""
    submit_survey(session, invitation_for_token(session, token).id)


def withdraw_by_token(session: Session, *, token: str) -> None:
    """Erase every answer of this link; the link ends."""
    withdraw_survey(session, invitation_for_token(session, token).id)
