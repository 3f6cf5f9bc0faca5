"""Everything one page or API call needs about an invitation's survey, read in few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.invitations.models import Invitation
from app.survey.answers import load_answers
from app.survey.bank import PinnedBank, pin_bank
from app.survey.journey import Journey
from app.survey.models import Answer, Comment
from app.survey.submit import survey_language


@dataclass
class SurveyState:
    invitation: Invitation
    bank: PinnedBank
    language: str
    questions: list[dict[str, Any]]
    answers: dict[str, Any]

    @property
    def status(self) -> str:
        if self.invitation.status == "completed":
            return "completed"
        if self.answers or self.invitation.status == "started":
            return "in_progress"
        return "not_started"

    @property
    def journey(self) -> Journey:
        return Journey(self.questions, self.answers, self._is_sensitive)

    def _is_sensitive(self, section_id: str) -> bool:
        info = self.bank.section(section_id, self.language)
        return bool(info and info["sensitive"])


def submitted_answers(session: Session, response_id: str) -> dict[str, Any]:
    """A submitted response's answers in the API's value shape (for the victim's own device)."""
    values: dict[str, Any] = {}
    for question_id, code in session.exec(
        select(Answer.question_id, Answer.code).where(col(Answer.response_id) == response_id)
    ).all():
        if question_id in values and code is not None:
            previous = values[question_id]
            values[question_id] = [*previous, code] if isinstance(previous, list) else [code]
        else:
            values[question_id] = code
    for question_id, text in session.exec(
        select(Comment.question_id, Comment.text).where(col(Comment.response_id) == response_id)
    ).all():
        values[question_id] = text
    return values


def load_state(
    session: Session, invitation: Invitation, *, language: str | None = None
) -> SurveyState:
    """The survey of `invitation`: pins the bank on first use; answers in one query."""
    bank = pin_bank(session, invitation)
    chosen = language or survey_language(invitation, bank)
    questions = bank.questions(invitation.touchpoint, chosen)
    if invitation.status == "completed" and invitation.response_id is not None:
        answers = submitted_answers(session, invitation.response_id)
        answers = _with_multi_lists(questions, answers)
    else:
        answers = load_answers(session, invitation.id)
    return SurveyState(invitation, bank, chosen, questions, answers)


def _with_multi_lists(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
    # A multi answer with one code reads back as a list, like it was given.
    kinds = {q["id"]: q["type"] for q in questions}
    return {
        qid: [value] if kinds.get(qid) == "multi" and isinstance(value, str) else value
        for qid, value in answers.items()
    }
