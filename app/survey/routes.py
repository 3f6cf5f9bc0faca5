"""JSON API routes of the survey domain (mounted under /api/v1): each turns a request into one
call of token_service.py (the `*_by_token` use cases), and its result or error into JSON.

Authorised by the link's token alone (no cookie). A forged or unknown token is 404, an expired,
withdrawn or cancelled one 410, with the same detail whatever the reason.

The token alone never reads back a saved value: whoever reads the victim's messages holds it.
`answers` marks saved questions `true` (app/survey/visibility.py), and a completed survey
answers `{"status": "completed"}` and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from fastapi import APIRouter
from fastapi import Response as HttpResponse
from pydantic import BaseModel, Field

from app.db import SessionDep
from app.errors import AppError, Conflict, Gone, InvalidInput, NotFound
from app.survey import token_service
from app.survey.bank import NoBankPublished
from app.survey.entry import LinkEnded, LinkNotFound
from app.survey.outcomes import InvalidAnswers, SurveyCompleted
from app.survey.state import COMPLETED, SurveyState
from app.survey.visibility import saved_marks

router = APIRouter(prefix="/survey", tags=["survey"])

LINK_UNUSABLE = "This survey link cannot be used."


class SurveyUnavailable(AppError):
    status_code = 503
    type_slug = "survey-unavailable"


class BankRef(BaseModel):
    slug: str
    version: int


class OptionOut(BaseModel):
    code: str
    label: str | None


class ShowIfOut(BaseModel):
    question: str
    in_: list[str] = Field(alias="in", serialization_alias="in")


class QuestionOut(BaseModel):
    id: str
    type: str
    text: str | None
    hint: str | None
    options: list[OptionOut]
    skippable: bool
    section: str | None
    show_if: ShowIfOut | None


class SurveyOut(BaseModel):
    language: str
    bank: BankRef
    touchpoint: str
    questions: list[QuestionOut]
    answers: dict[str, Literal[True]] = Field(
        description="`true` for each saved question; a saved value is never read back"
    )
    status: Literal["not_started", "in_progress"]


class CompletedOut(BaseModel):
    """A submitted survey: its status and nothing else, for the link's whole life."""

    status: Literal["completed"]


class AnswersIn(BaseModel):
    answers: dict[str, Any]


class SubmitOut(BaseModel):
    status: str


@contextmanager
def _link_errors() -> Iterator[None]:
    try:
        yield
    except LinkNotFound as exc:
        raise NotFound(LINK_UNUSABLE) from exc
    except LinkEnded as exc:
        raise Gone(LINK_UNUSABLE) from exc
    except NoBankPublished as exc:
        raise SurveyUnavailable("The survey is not available yet. Please try again later.") from exc


def _out(state: SurveyState) -> dict[str, Any]:
    return {
        "language": state.language,
        "bank": {"slug": state.bank.slug, "version": state.bank.version},
        "touchpoint": state.invitation.touchpoint,
        "questions": state.questions,
        "answers": saved_marks(state.answers),
        "status": state.status,
    }


@router.get("/{token}", response_model=SurveyOut | CompletedOut, response_model_by_alias=True)
def get_survey(token: str, session: SessionDep) -> dict[str, Any]:
    """The survey of a link: questions in the victim's language, which are saved, status.

    Not counted as "opened": anything can make a GET (app/survey/entry.py, mark_opened).
    """
    with _link_errors():
        try:
            return _out(token_service.survey_by_token(session, token=token))
        except SurveyCompleted:
            return {"status": COMPLETED}


@router.put("/{token}/answers", response_model=SurveyOut, response_model_by_alias=True)
def put_answers(token: str, body: AnswersIn, session: SessionDep) -> dict[str, Any]:
    """Merge answers into the saved ones (null = skipped); other questions are untouched."""
    with _link_errors():
        try:
            return _out(token_service.save_by_token(session, token=token, answers=body.answers))
        except SurveyCompleted as exc:
            raise Conflict(
                "This survey has been submitted; its answers can no longer change."
            ) from exc
        except InvalidAnswers as exc:
            raise InvalidInput("Some answers cannot be saved.", errors=exc.errors) from exc


@router.post("/{token}/submit", response_model=SubmitOut)
def submit(token: str, session: SessionDep) -> dict[str, str]:
    """Complete the survey; repeating it changes nothing and answers the same."""
    with _link_errors():
        token_service.submit_by_token(session, token=token)
        return {"status": COMPLETED}


@router.delete("/{token}", status_code=204)
def withdraw(token: str, session: SessionDep) -> HttpResponse:
    """Withdraw: every answer of this link is erased and the link ends (then 410)."""
    with _link_errors():
        token_service.withdraw_by_token(session, token=token)
    return HttpResponse(status_code=204)
