"""A specialist group's agreement is judged when each message is sent, not only at upload
(issue 11, point 2): a message queued, delayed or a reminder never goes on agreement older than
VV_CONSENT_MAX_AGE_DAYS on the day of sending. The invitation keeps only the agreement's date,
and loses it with the contact."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app import clock
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Invitation, OutboundMessage
from app.invitations.optout import opt_out_invitation
from app.invitations.row_contact import consent_current
from app.jobs.retention import purge
from tests.invitations.factories import (
    RecordingSender,
    make_row,
    make_specialist_row,
    make_support_service_row,
    upload,
)

# Tuesday 1 December 2026, 12:00 GMT (London wall time is UTC): outside quiet hours.
UPLOAD_AT = datetime(2026, 12, 1, 12, tzinfo=UTC)
MAX_AGE = 90  # VV_CONSENT_MAX_AGE_DAYS, set below so the dates mean what they say


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def freeze(at: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: at)

    return freeze


@pytest.fixture
def specialist(settings_override: Any) -> Any:
    settings_override(
        VV_SPECIALIST_DIRECT_CONTACT="on",
        VV_QUIET_HOURS="20:00-09:00",
        VV_CONSENT_MAX_AGE_DAYS=str(MAX_AGE),
    )
    return settings_override


def _agreed(days_before_upload: int) -> str:
    return (UPLOAD_AT.date() - timedelta(days=days_before_upload)).isoformat()


def _invitations(db: Session) -> list[Invitation]:
    query = select(Invitation).order_by(Invitation.crime_group)
    found = list(db.exec(query.execution_options(populate_existing=True)).all())
    db.commit()
    return found


def _messages(db: Session) -> list[tuple[str, str, str | None]]:
    query = select(OutboundMessage).order_by(OutboundMessage.due_at)
    found = list(db.exec(query.execution_options(populate_existing=True)).all())
    db.commit()
    return [(message.kind, message.status, message.error) for message in found]


def _upload_one(db: Session, frozen: Any, **row: Any) -> Invitation:
    frozen(UPLOAD_AT)
    result = upload(db, [make_specialist_row(**row)])
    assert result.accepted == 1, result.as_dict()
    [invitation] = _invitations(db)
    return invitation


def test_the_rule_is_the_uploads_on_the_day_of_sending() -> None:
    today = date(2026, 12, 1)
    assert consent_current(today - timedelta(days=MAX_AGE), today=today, max_age_days=MAX_AGE)
    assert not consent_current(
        today - timedelta(days=MAX_AGE + 1), today=today, max_age_days=MAX_AGE
    )
    assert not consent_current(None, today=today, max_age_days=MAX_AGE)


def test_agreement_that_lapses_between_upload_and_dispatch_stops_the_first_message(
    db: Session, specialist: Any, frozen: Any
) -> None:
    # Current at upload (89 days old), lapsed two days later, before dispatch ran.
    invitation = _upload_one(db, frozen, consent_recorded_on=_agreed(MAX_AGE - 1))
    assert invitation.consent_recorded_on == UPLOAD_AT.date() - timedelta(days=MAX_AGE - 1)
    sender = RecordingSender()
    frozen(UPLOAD_AT + timedelta(days=2))
    report = dispatch_once(sender=sender)
    assert sender.sent == []
    assert report.skip_reasons == {"no_consent": 1}
    assert _messages(db) == [("invitation", "skipped", "no_consent")]
    [invitation] = _invitations(db)
    assert invitation.status == "pending" and invitation.link_hash is None  # no link was made


def test_agreement_still_current_at_dispatch_lets_the_message_go(
    db: Session, specialist: Any, frozen: Any
) -> None:
    _upload_one(db, frozen, consent_recorded_on=_agreed(MAX_AGE - 3))
    sender = RecordingSender()
    frozen(UPLOAD_AT + timedelta(days=2))
    assert dispatch_once(sender=sender).sent == 1
    assert ("invitation", "sent", None) in _messages(db)


def test_a_reminder_after_the_agreement_lapsed_is_not_sent(
    db: Session, specialist: Any, frozen: Any
) -> None:
    _upload_one(db, frozen, consent_recorded_on=_agreed(MAX_AGE - 5))
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 1
    # The reminder falls due VV_REMINDER_AFTER_DAYS (7) later: the agreement is 92 days old.
    frozen(UPLOAD_AT + timedelta(days=7, hours=1))
    report = dispatch_once(sender=sender)
    assert len(sender.sent) == 1
    assert report.skip_reasons == {"no_consent": 1}
    assert _messages(db) == [("invitation", "sent", None), ("reminder", "skipped", "no_consent")]
    # The link already sent keeps working: answering stays their choice.
    [invitation] = _invitations(db)
    assert invitation.status == "sent"


def test_the_setting_on_the_day_of_sending_applies(
    db: Session, specialist: Any, frozen: Any
) -> None:
    _upload_one(db, frozen, consent_recorded_on=_agreed(40))
    specialist(VV_CONSENT_MAX_AGE_DAYS="30")  # the OPCC shortened it after the upload
    sender = RecordingSender()
    assert dispatch_once(sender=sender).skip_reasons == {"no_consent": 1}
    assert sender.sent == []


def test_only_a_specialist_direct_invitation_keeps_the_date(
    db: Session, specialist: Any, frozen: Any
) -> None:
    frozen(UPLOAD_AT)
    agreed = _agreed(10)
    rows = [
        make_specialist_row(consent_recorded_on=agreed),
        make_row(
            case_ref="CR/2",
            phone="07911 123457",
            consent_to_survey=True,
            consent_recorded_on=agreed,
        ),
        make_support_service_row(
            case_ref="CR/3", crime_group="vawg", consent_to_survey=True, consent_recorded_on=agreed
        ),
    ]
    assert upload(db, rows).accepted == 3
    kept = {
        invitation.crime_group: invitation.consent_recorded_on for invitation in _invitations(db)
    }
    assert kept == {"general": None, "rasso": date.fromisoformat(agreed), "vawg": None}


def test_the_date_is_erased_with_the_contact(db: Session, specialist: Any, frozen: Any) -> None:
    # Opt-out erases the destination, and the date with it.
    invitation = _upload_one(db, frozen, consent_recorded_on=_agreed(10))
    assert opt_out_invitation(db, invitation, source="test")
    db.commit()
    assert [i.consent_recorded_on for i in _invitations(db)] == [None]


def test_purge_erases_the_date_of_an_invitation_never_sent(
    db: Session, specialist: Any, frozen: Any
) -> None:
    _upload_one(db, frozen, consent_recorded_on=_agreed(MAX_AGE))
    frozen(UPLOAD_AT + timedelta(days=1))
    assert dispatch_once(sender=RecordingSender()).skip_reasons == {"no_consent": 1}
    purge(db)
    db.commit()
    [invitation] = _invitations(db)
    assert invitation.contact_id is None and invitation.consent_recorded_on is None
