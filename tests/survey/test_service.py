"""The victim's use cases driven directly, without HTTP: app/survey/service.py.

Each call is one request's work; the database session stands in for the request's
transaction, committed between calls as the app commits after each request.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.errors import FieldError
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.survey import service, token_service
from app.survey.addresses import step_code
from app.survey.answers import NOT_AN_OPTION
from app.survey.contact_me import NEED_CONSENT
from app.survey.entry import LinkEnded
from app.survey.journey import CHECK
from app.survey.models import ContactRequest, ContactRequestFiled, InProgressAnswer, Response
from app.survey.outcomes import (
    COMPLETE,
    LEAVING_QUICKLY,
    START,
    Confirmation,
    ContactFiled,
    InvalidAnswers,
    Next,
    QuestionView,
    SectionView,
    Stage,
    StepForm,
    StepNotFound,
    SurveyCompleted,
    SurveyNotCompleted,
)
from app.survey.session import BadCsrfToken, NoSurveySession
from app.survey.visibility import HIDDEN
from tests.factories import create_bank_version
from tests.survey.factories import bank_document, create_invitation, reload, rows, token_for


class Posted:
    """A posted form as the service reads it (get, getlist): no HTTP needed."""

    def __init__(self, **fields: str | list[str]) -> None:
        self.fields = fields

    def get(self, key: str) -> Any:
        value = self.fields.get(key)
        return value[-1] if isinstance(value, list) else value

    def getlist(self, key: str) -> list[Any]:
        value = self.fields.get(key)
        return value if isinstance(value, list) else [] if value is None else [value]


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


class Browser:
    """One device's survey session, as the pages hold it: a cookie and the form token."""

    def __init__(self, db: Session, invitation: Invitation) -> None:
        self.db = db
        entered = service.enter(db, token=token_for(invitation), previous_cookie=None)
        db.commit()
        self.cookie: str = entered.cookie_value
        self.secret = entered.next.secret
        self.first = entered.next

    def answer(self, step: str, *, skip: bool = False, **fields: str | list[str]) -> Any:
        posted = StepForm(skip=skip, change=False, form=Posted(**fields))
        result = service.answer_step(
            self.db,
            cookie=self.cookie,
            csrf_token=self.secret,
            code=step_code(self.secret, step),
            posted=posted,
        )
        self.db.commit()
        return result

    def open(self, step: str) -> Any:
        shown = service.open_step(
            self.db, cookie=self.cookie, code=step_code(self.secret, step), change=False
        )
        self.db.commit()
        return shown

    def submit(self) -> None:
        self.cookie = service.submit(self.db, cookie=self.cookie, csrf_token=self.secret)
        self.db.commit()


def _saved(db: Session, invitation: Invitation) -> dict[str, Any]:
    statement = select(InProgressAnswer).where(col(InProgressAnswer.invitation_id) == invitation.id)
    return {row.question_id: row.value for row in rows(db, statement)}


def test_open_save_and_resume_where_they_stopped(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    assert browser.first == Next(START, browser.secret)

    started = service.press_start(db, cookie=browser.cookie, csrf_token=browser.secret)
    db.commit()
    assert started.place == LEAVING_QUICKLY
    assert reload(db, invitation).status == InvitationStatus.opened
    assert service.resume(db, cookie=browser.cookie) == Next("q:sat_overall", browser.secret)

    shown = browser.open("q:sat_overall")
    assert isinstance(shown, QuestionView) and shown.value is None and shown.error is None
    moved = browser.answer("q:sat_overall", answer="fairly_satisfied")
    assert moved == Next("q:someone_charged", browser.secret)
    assert _saved(db, invitation) == {"sat_overall": "fairly_satisfied"}
    assert reload(db, invitation).status == InvitationStatus.started
    assert reload(db, invitation).resume_at == "q:someone_charged"

    # The same session sees its own value; a new opening of the link resumes and sees none.
    assert browser.open("q:sat_overall").value == "fairly_satisfied"
    assert service.resume(db, cookie=browser.cookie).place == "q:someone_charged"
    other = Browser(db, invitation)
    assert other.first == Next("q:someone_charged", other.secret)
    assert other.open("q:sat_overall").value is HIDDEN


def test_a_value_the_question_cannot_take_is_shown_again_with_the_error(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    result = browser.answer("q:sat_overall", answer="not-an-option")
    assert isinstance(result, QuestionView)
    assert result.error is not None and result.error.message == NOT_AN_OPTION
    assert result.value == "not-an-option"  # as typed, to correct it
    assert _saved(db, invitation) == {}


def test_steps_hidden_skipped_or_unknown(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    # trial_info shows only after "yes" to someone_charged: its address leads on.
    assert browser.open("q:trial_info") == Next("q:what_would_help", browser.secret)
    assert isinstance(browser.open("s:feelings"), SectionView)
    skipped = browser.answer("s:feelings", skip=True)
    assert skipped == Next(CHECK, browser.secret)
    assert _saved(db, invitation) == {"made_worse": None, "stepping_back": None}
    unknown = service.open_step(db, cookie=browser.cookie, code="0" * 16, change=False)
    assert isinstance(unknown, StepNotFound)


def test_submit_twice_files_one_response_and_ends_answering(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    browser.answer("q:sat_overall", answer="very_satisfied")
    with pytest.raises(SurveyNotCompleted):
        service.confirmation(db, cookie=browser.cookie)
    first_cookie = browser.cookie
    browser.submit()
    browser.submit()
    assert browser.cookie != first_cookie  # rotated, so cached pages of the answers go
    assert len(rows(db, select(Response))) == 1
    assert reload(db, invitation).status == InvitationStatus.completed
    assert _saved(db, invitation) == {}

    for cookie in (first_cookie, browser.cookie):
        with pytest.raises(SurveyCompleted):
            service.visit(db, cookie=cookie, stage=Stage.ANSWERING)
        with pytest.raises(SurveyCompleted):
            browser.answer("q:someone_charged", answer="no")
        shown = service.confirmation(db, cookie=cookie)
        assert shown.contact.errors == [] and shown.visit.completed
    assert Browser(db, invitation).first.place == COMPLETE


def test_withdraw_erases_the_answers_and_ends_the_link(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    browser.answer("q:sat_overall", answer="very_satisfied")
    browser.submit()
    withdrawn = service.withdraw(db, cookie=browser.cookie, csrf_token=browser.secret)
    db.commit()
    assert (withdrawn.language, withdrawn.area) == ("en", "B1")
    assert rows(db, select(Response)) == []
    assert reload(db, invitation).status == InvitationStatus.withdrawn
    with pytest.raises(NoSurveySession):
        service.visit(db, cookie=browser.cookie)
    with pytest.raises(LinkEnded):
        Browser(db, invitation)


def test_a_contact_request_is_filed_once_per_link(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    browser.submit()

    def ask(**fields: str) -> Any:
        result = service.request_contact(
            db, cookie=browser.cookie, csrf_token=browser.secret, form=Posted(**fields)
        )
        db.commit()
        return result

    mistaken = ask(phone="07911 123456")
    assert isinstance(mistaken, Confirmation) and mistaken.contact.errors == [
        FieldError(("form", "consent"), NEED_CONSENT, "required")
    ]
    assert rows(db, select(ContactRequest)) == []
    assert isinstance(ask(consent="yes", phone="07911 123456"), ContactFiled)
    # A second request gets the same result, and is not stored over the first.
    assert isinstance(ask(consent="yes", phone="07911 123457"), ContactFiled)
    assert len(rows(db, select(ContactRequest))) == 1
    assert len(rows(db, select(ContactRequestFiled))) == 1


def test_a_form_without_the_session_token_changes_nothing(db: Session) -> None:
    invitation = create_invitation(db)
    browser = Browser(db, invitation)
    with pytest.raises(BadCsrfToken):
        service.submit(db, cookie=browser.cookie, csrf_token="forged")
    db.rollback()
    with pytest.raises(NoSurveySession):
        service.visit(db, cookie=None)
    assert reload(db, invitation).status == InvitationStatus.sent


def test_the_token_alone_saves_submits_and_withdraws(db: Session) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    state = token_service.save_by_token(db, token=token, answers={"sat_overall": "dont_know"})
    db.commit()
    assert state.answers == {"sat_overall": HIDDEN}  # the token never reads a value back
    with pytest.raises(InvalidAnswers) as refused:
        token_service.save_by_token(db, token=token, answers={"sat_overall": "nonsense"})
    assert refused.value.errors == [
        FieldError(("body", "answers", "sat_overall"), refused.value.errors[0].msg, "invalid_value")
    ]
    db.rollback()
    token_service.submit_by_token(db, token=token)
    token_service.submit_by_token(db, token=token)
    db.commit()
    assert len(rows(db, select(Response))) == 1
    with pytest.raises(SurveyCompleted):
        token_service.survey_by_token(db, token=token)
    with pytest.raises(SurveyCompleted):
        token_service.save_by_token(db, token=token, answers={})
    token_service.withdraw_by_token(db, token=token)
    db.commit()
    with pytest.raises(LinkEnded):
        token_service.survey_by_token(db, token=token)
