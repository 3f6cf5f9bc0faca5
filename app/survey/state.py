"""Everything one page or API call needs about an invitation's survey, read in few queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.survey.answers import load_saved
from app.survey.bank import PinnedBank, invitation_questions, pin_bank
from app.survey.journey import Journey
from app.survey.submit import survey_language
from app.survey.visibility import HIDDEN, answers_seen_by

# A survey's status as the contract names it (GET /api/v1/survey/{token}).
NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


@dataclass
class SurveyState:
    """One invitation's survey as one viewer may see it.

    `answers` holds the viewer's own saved values and HIDDEN for answers saved by another
    session (app/survey/visibility.py); a submitted survey has none: its answers are never read
    back, by anyone.
    """

    invitation: Invitation
    bank: PinnedBank
    language: str
    questions: list[dict[str, Any]]
    answers: dict[str, Any]
    any_saved: bool = False

    @property
    def status(self) -> str:
        if self.invitation.status == InvitationStatus.completed:
            return COMPLETED
        if self.any_saved or self.answers or self.invitation.status == InvitationStatus.started:
            return IN_PROGRESS
        return NOT_STARTED

    @property
    def journey(self) -> Journey:
        return Journey(self.questions, self.answers, self._is_sensitive)

    def is_hidden(self, question_id: str) -> bool:
        """Saved, but by another session: this viewer is told only that it was saved."""
        return self.answers.get(question_id) is HIDDEN

    def _is_sensitive(self, section_id: str) -> bool:
        info = self.bank.section(section_id, self.language)
        return bool(info and info["sensitive"])


def load_state(
    session: Session,
    invitation: Invitation,
    *,
    viewer: str | None,
    language: str | None = None,
) -> SurveyState:
    """The survey of `invitation` as `viewer` (a survey session id; None: the token alone) may
    see it. Pins the bank on first use; answers in one query."""
    bank = pin_bank(session, invitation)
    chosen = language or survey_language(invitation, bank)
    questions = invitation_questions(session, bank, invitation, chosen)
    if invitation.status == InvitationStatus.completed:
        return SurveyState(invitation, bank, chosen, questions, {})
    saved = load_saved(session, invitation.id)
    answers = answers_seen_by(questions, saved, viewer)
    return SurveyState(invitation, bank, chosen, questions, answers, any_saved=bool(saved))
