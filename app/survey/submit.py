"""Submitting: one anonymous response per invitation, however often and from however many devices.

The invitation row is the guard: it is read under a row lock (FOR UPDATE on PostgreSQL; SQLite
transactions already hold the write lock), and `status = completed` with `response_id` is set in
the same transaction that creates the response. A second submit sees them and returns.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from app.db import new_uuid, utcnow
from app.invitations.lifecycle import InvitationStatus, mark_completed, mark_started
from app.invitations.models import Invitation
from app.survey.answers import answered_with_help, erase_answers, load_answers
from app.survey.bank import PinnedBank, invitation_questions, pin_bank
from app.survey.entry import lock_invitation
from app.survey.journey import visible_questions
from app.survey.models import Answer, Comment, Response
from app.survey.reporting_link import count_response


def survey_language(invitation: Invitation, bank: PinnedBank) -> str:
    """The language this invitation's survey is shown in (an offered one, else English)."""
    offered = bank.offered_languages()
    for candidate in (invitation.survey_language, invitation.language):
        if candidate and candidate in offered:
            return candidate
    return "en"


def build_rows(
    response: Response,
    questions: Sequence[Mapping[str, Any]],
    answers: Mapping[str, Any],
) -> tuple[list[Answer], list[Comment]]:
    """Answer and Comment rows for the questions shown on these answers (pure)."""
    answer_rows: list[Answer] = []
    comment_rows: list[Comment] = []
    for question in visible_questions(questions, answers):
        question_id = question["id"]
        value = answers.get(question_id)
        if question["type"] == "text" and isinstance(value, str) and value.strip():
            comment_rows.append(
                Comment(
                    id=new_uuid(),
                    response_id=response.id,
                    question_id=question_id,
                    text=value.strip(),
                    crime_group=response.crime_group,
                    touchpoint=response.touchpoint,
                    area=response.area,
                    month=response.month,
                )
            )
        elif isinstance(value, list) and value:
            answer_rows.extend(
                Answer(id=new_uuid(), response_id=response.id, question_id=question_id, code=code)
                for code in value
            )
        elif isinstance(value, str) and question["type"] != "text":
            answer_rows.append(
                Answer(id=new_uuid(), response_id=response.id, question_id=question_id, code=value)
            )
        else:
            # Shown but not answered: recorded as skipped, so skip rates can be seen.
            answer_rows.append(
                Answer(id=new_uuid(), response_id=response.id, question_id=question_id, code=None)
            )
    return answer_rows, comment_rows


def submit(session: Session, invitation_id: str, *, assisted: bool = False) -> Invitation:
    """Complete the survey (idempotent): creates the response once and feeds the rollups.

    `assisted`: sent from a session a support worker started at the victim's request. The
    response is assisted too when any answer it holds was saved in such a session, however it
    is sent (after "Answer on my own", from the victim's device or by the JSON API)."""
    invitation = lock_invitation(session, invitation_id)
    if invitation.status == InvitationStatus.completed and invitation.response_id is not None:
        return invitation
    bank = pin_bank(session, invitation)
    language = survey_language(invitation, bank)
    answers = load_answers(session, invitation.id)
    questions = invitation_questions(session, bank, invitation, language)
    helped = answered_with_help(session, invitation.id)
    # Only the answers the response holds: one to a question no longer shown is not sent.
    assisted = assisted or any(q["id"] in helped for q in visible_questions(questions, answers))
    response = Response(
        id=new_uuid(),
        bank_version_id=bank.version_id,
        bank_slug=bank.slug,
        crime_group=invitation.crime_group,
        touchpoint=invitation.touchpoint,
        area=invitation.area,
        # The month of the touchpoint, nothing finer: no submit time is ever stored with it.
        month=invitation.touchpoint_date.replace(day=1),
        language=language,
        assisted=assisted,
    )
    session.add(response)
    session.flush()
    answer_rows, comment_rows = build_rows(response, questions, answers)
    session.add_all(answer_rows)
    session.add_all(comment_rows)
    session.flush()
    count_response(session, response, answer_rows)
    mark_started(invitation)
    mark_completed(invitation, at=utcnow())
    invitation.response_id = response.id
    invitation.resume_at = None
    invitation.survey_language = language
    session.add(invitation)
    # The response now holds the answers; the in-progress copy is no longer needed.
    erase_answers(session, invitation.id)
    session.flush()
    return invitation
