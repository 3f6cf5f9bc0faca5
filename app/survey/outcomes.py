"""What the victim's use cases (service.py) take and give back: plain values, no HTTP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from app.errors import FieldError
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.survey.answers import AnswerError
from app.survey.contact_me import ContactForm
from app.survey.models import SurveySession
from app.survey.reporting_link import PublishedAction
from app.survey.state import SurveyState

# Places outside the question pages a call can lead to.
START = "start"
BEGIN = "begin"
LEAVING_QUICKLY = "leaving-quickly"
COMPLETE = "complete"
# The page before an assisted session's start page (issue 12).
ASSISTED = "assisted"


class SurveyCompleted(Exception):
    """The survey has been submitted: nothing more can be answered or changed."""


class SurveyNotCompleted(Exception):
    """The survey has not been submitted yet: there is no confirmation to show."""


class InvalidAnswers(Exception):
    """Answers sent to the API that their questions cannot take (nothing was saved)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("Some answers cannot be saved.")
        self.errors = errors  # where and what is wrong, never the value sent


class Stage(Enum):
    """The stage of the survey a call needs."""

    ANY = "any"
    ANSWERING = "answering"
    COMPLETED = "completed"


class FormLike(Protocol):
    """A posted form: a Starlette FormData, or any multi-dict."""

    def get(self, key: str) -> Any: ...

    def getlist(self, key: str) -> list[Any]: ...


@dataclass
class Visit:
    """One request's survey session and the survey as that session may see it."""

    survey_session: SurveySession
    state: SurveyState

    @property
    def invitation(self) -> Invitation:
        return self.state.invitation

    @property
    def language(self) -> str:
        return self.state.language

    @property
    def completed(self) -> bool:
        return self.state.invitation.status == InvitationStatus.completed

    @property
    def secret(self) -> str:
        """What this session's page addresses are made from (addresses.py)."""
        return self.survey_session.csrf_token


@dataclass(frozen=True)
class Next:
    """Where a call leads: a journey step or a place, and the secret its address is made from."""

    place: str
    secret: str


@dataclass(frozen=True)
class Entered:
    """A link exchanged for a survey session: the cookie (shown once) and the first page."""

    cookie_value: str
    next: Next


@dataclass
class QuestionView:
    """A question page: the value to show (HIDDEN: saved by another session) and any error."""

    visit: Visit
    question: Mapping[str, Any]
    value: Any
    change: bool
    error: AnswerError | None = None


@dataclass
class SectionView:
    """The content note before a sensitive section."""

    visit: Visit
    section_id: str


@dataclass
class StepNotFound:
    """An address that names no step of this session."""

    visit: Visit


@dataclass(frozen=True)
class StepForm:
    """What a question page or content note posted."""

    skip: bool  # "Skip this question" or "Skip this section"
    change: bool  # reached from check your answers
    form: FormLike  # the answer's raw value is read from it by the question's type


@dataclass
class Confirmation:
    """The confirmation page: the general statements and the contact form as sent (if it was)."""

    visit: Visit
    actions: list[PublishedAction]
    contact: ContactForm


@dataclass(frozen=True)
class ContactFiled:
    """A valid contact request: stored if it was the link's first, over the first if not.

    `from_step`: the question page whose help panel led to the form (None: the confirmation).
    """

    visit: Visit
    from_step: str | None = None


@dataclass
class ContactView:
    """The "contact me" form during the survey, reached from a question page's help panel."""

    visit: Visit
    from_step: str  # the question's step ("q:<id>"): the form's back link
    contact: ContactForm


@dataclass(frozen=True)
class Withdrawn:
    """What the page after withdrawal may still use: the link's language and area."""

    language: str
    area: str | None


StepView = QuestionView | SectionView | StepNotFound | Next | ContactView | ContactFiled
