"""Answers before submit: what a question can take, and saving one row per question.

One row per (invitation, question), written with an upsert, so two devices saving different
questions never overwrite each other's answers, and the same question saved twice keeps the last.
Each row names the survey session that saved it: only that session is shown its value
(app/survey/visibility.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.db import utcnow
from app.errors import FieldError
from app.i18n import N_
from app.survey.models import InProgressAnswer
from app.survey.text_input import clean_victim_text
from app.survey.visibility import SavedAnswer, stale_follow_ups

TEXT_MAX_LENGTH = 2000
CHOICE_TYPES = frozenset({"single", "scale", "yes_no"})

# Messages a victim may see (translated where shown). They never echo the value sent.
NOT_AN_OPTION = N_("Choose one of the options, or skip this question.")
NOT_OPTIONS = N_("Choose from the options listed, or skip this question.")
NOT_TEXT = N_("Type your answer as text, or skip this question.")
TOO_LONG = N_("Your answer must be %(max)s characters or fewer.")
# "Save and continue" with nothing chosen: a skip is always a choice of its own (the page's
# skip button), never what an empty form is taken to mean.
NOTHING_CHOSEN = N_("Choose an answer, or skip this question if you would rather not answer it.")
NOTHING_WRITTEN = N_("Write an answer, or skip this question if you would rather not answer it.")
UNKNOWN_QUESTION_API = "unknown question"


class AnswerError(ValueError):
    """A value the question cannot take; `message` is safe to show (no input echoed)."""

    def __init__(self, message: str, **variables: Any) -> None:
        super().__init__(message)
        self.message = message
        self.variables = variables

    def english(self) -> str:
        return self.message % self.variables if self.variables else self.message


def clean_value(question: Mapping[str, Any], value: Any) -> Any:
    """The stored form of `value` for `question` (None = skipped); raises AnswerError."""
    if value is None:
        return None
    kind = question["type"]
    codes = [option["code"] for option in question.get("options") or []]
    if kind in CHOICE_TYPES:
        if not isinstance(value, str) or value not in codes:
            raise AnswerError(NOT_AN_OPTION)
        return value
    if kind == "multi":
        if not isinstance(value, list) or any(
            not isinstance(item, str) or item not in codes for item in value
        ):
            raise AnswerError(NOT_OPTIONS)
        chosen = set(value)
        # Keep the bank's order, once each, so the same choice always reads the same.
        return [code for code in codes if code in chosen] or None
    if kind == "text":
        if not isinstance(value, str):
            raise AnswerError(NOT_TEXT)
        text = clean_victim_text(value).strip()
        if len(text) > TEXT_MAX_LENGTH:
            raise AnswerError(TOO_LONG, max=TEXT_MAX_LENGTH)
        return text or None
    raise AnswerError(NOT_AN_OPTION)


def nothing_given(question: Mapping[str, Any]) -> AnswerError:
    """The error for a question page saved with no answer (the JSON API takes null as a skip)."""
    return AnswerError(NOTHING_WRITTEN if question["type"] == "text" else NOTHING_CHOSEN)


def clean_answers(
    questions: Iterable[Mapping[str, Any]], answers: Mapping[str, Any]
) -> tuple[dict[str, Any], list[FieldError]]:
    """Every answer checked against its question: (clean answers, one error per bad answer)."""
    by_id = {question["id"]: question for question in questions}
    clean: dict[str, Any] = {}
    errors: list[FieldError] = []
    for position, (question_id, value) in enumerate(answers.items()):
        question = by_id.get(question_id)
        if question is None:
            # An unknown key is the caller's own text (it could be anything a victim typed,
            # or not even encodable): named by its position, never echoed.
            errors.append(
                FieldError(("body", "answers", position), UNKNOWN_QUESTION_API, "unknown_question")
            )
            continue
        try:
            clean[question_id] = clean_value(question, value)
        except AnswerError as error:
            errors.append(
                FieldError(("body", "answers", question_id), error.english(), "invalid_value")
            )
    return clean, errors


def value_from_form(question: Mapping[str, Any], form: Any) -> Any:
    """The raw value a question's page posted (checked by `clean_value` afterwards)."""
    # Values are passed on as posted (a file upload stays a file) so `clean_value` refuses
    # anything that is not text.
    if question["type"] == "multi":
        # An empty string is no box ticked (as a browser that ticks none sends nothing).
        return [item for item in form.getlist("answer") if item != ""] or None
    value = form.get("answer")
    if question["type"] == "text":
        # Cleaned here too, so text shown again after an error holds no control characters.
        return clean_victim_text(value) if isinstance(value, str) else value
    return value or None


def load_answers(session: Session, invitation_id: str) -> dict[str, Any]:
    """The saved answers of an invitation, in one query (for submit: never shown to anyone)."""
    return {qid: saved.value for qid, saved in load_saved(session, invitation_id).items()}


def load_saved(session: Session, invitation_id: str) -> dict[str, SavedAnswer]:
    """The saved answers of an invitation with the session that saved each, in one query."""
    rows = session.exec(
        select(
            InProgressAnswer.question_id, InProgressAnswer.value, InProgressAnswer.saved_by
        ).where(col(InProgressAnswer.invitation_id) == invitation_id)
    ).all()
    return {question_id: SavedAnswer(value, saved_by) for question_id, value, saved_by in rows}


def save_answers(
    session: Session,
    invitation_id: str,
    answers: Mapping[str, Any],
    *,
    saved_by: str | None,
    questions: Sequence[Mapping[str, Any]],
    assisted: bool = False,
) -> None:
    """Insert or update one row per question; other questions' rows are never touched, except
    follow-ups of these questions saved by another session (see `stale_follow_ups`).

    `assisted`: saved in an assisted session; an answer saved again alone is no longer."""
    if not answers:
        return
    stale = stale_follow_ups(questions, answers.keys())
    if stale:
        session.execute(
            delete(InProgressAnswer)
            .where(col(InProgressAnswer.invitation_id) == invitation_id)
            .where(col(InProgressAnswer.question_id).in_(sorted(stale)))
            .where(col(InProgressAnswer.saved_by).is_distinct_from(saved_by))
        )
    now = utcnow()
    rows = [
        {
            "invitation_id": invitation_id,
            "question_id": qid,
            "value": value,
            "updated_at": now,
            "saved_by": saved_by,
            "assisted": assisted,
        }
        for qid, value in answers.items()
    ]
    table = InProgressAnswer.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=["invitation_id", "question_id"],
        set_={
            "value": statement.excluded.value,
            "updated_at": statement.excluded.updated_at,
            "saved_by": statement.excluded.saved_by,
            "assisted": statement.excluded.assisted,
        },
    )
    session.execute(statement)


def answered_with_help(session: Session, invitation_id: str) -> set[str]:
    """The questions whose saved answer was given in an assisted session."""
    return set(
        session.exec(
            select(InProgressAnswer.question_id)
            .where(col(InProgressAnswer.invitation_id) == invitation_id)
            .where(col(InProgressAnswer.assisted))
        ).all()
    )


def erase_answers(session: Session, invitation_id: str) -> None:
    session.execute(
        delete(InProgressAnswer).where(col(InProgressAnswer.invitation_id) == invitation_id)
    )
