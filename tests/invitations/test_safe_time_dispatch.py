"""A row's safe time: stored encrypted, erased with the contact, kept by scheduling and
dispatch (a message due at a window's edge waits; none left: skipped, with the reason)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app import clock
from app.crypto import decrypt
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.optout import opt_out_contact
from app.jobs.retention import purge
from tests.invitations.factories import RecordingSender, make_row, make_specialist_row, upload

SAFE = "mon-fri 10:00-16:00"
CANONICAL = "Mon-Fri 10:00-16:00"
# Tuesday 1 December 2026, GMT: London wall time is UTC.
TUESDAY = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Callable[[datetime], None]:
    def freeze(at: datetime) -> None:
        monkeypatch.setattr(clock, "now", lambda: at)

    return freeze


@pytest.fixture
def specialist(settings_override: Any) -> Any:
    settings_override(VV_SPECIALIST_DIRECT_CONTACT="on", VV_QUIET_HOURS="20:00-09:00")
    return settings_override


def _messages(db: Session) -> list[OutboundMessage]:
    query = select(OutboundMessage).order_by(OutboundMessage.due_at)
    found = list(db.exec(query.execution_options(populate_existing=True)).all())
    db.commit()
    return found


def _contact(db: Session) -> Contact:
    found = db.exec(select(Contact).execution_options(populate_existing=True)).one()
    db.commit()
    return found


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_safe_time_is_encrypted_at_rest(db: Session, specialist: Any, frozen: Any) -> None:
    frozen(_at(1, 12))
    result = upload(db, [make_specialist_row(safe_time=SAFE)])
    assert result.accepted == 1
    raw = db.execute(text("SELECT safe_time_encrypted FROM contact")).scalar_one()
    db.commit()
    assert "10:00" not in raw and "Mon" not in raw
    assert decrypt(raw) == CANONICAL
    # Nothing else holds it.
    for table in ("invitation", "outbound_message", "audit_event"):
        rows = db.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608 - fixed names
        assert "10:00-16:00" not in repr(rows)
    db.commit()


def test_a_message_due_at_the_edge_of_a_window_waits_for_the_next(
    db: Session, specialist: Any, frozen: Any
) -> None:
    frozen(_at(1, 12))
    upload(db, [make_specialist_row(safe_time=SAFE)])
    [message] = _messages(db)
    # Scheduled inside the safe time (the touchpoint was days ago: 10:00 of its due day).
    assert message.due_at.replace(tzinfo=UTC).hour == 10
    sender = RecordingSender()
    frozen(_at(1, 16))  # the window has just closed
    report = dispatch_once(sender=sender)
    assert sender.sent == [] and report.waiting == 1 and report.sent == 0
    [message] = _messages(db)
    assert message.status == "due" and message.error == "outside_safe_time"
    assert message.due_at.replace(tzinfo=UTC) == _at(2, 10)
    assert message.attempts == 0
    frozen(_at(2, 9, 59))
    assert dispatch_once(sender=sender).anything is False
    frozen(_at(2, 10))
    assert dispatch_once(sender=sender).sent == 1
    assert len(sender.sent) == 1


def test_general_rows_keep_a_safe_time_too(db: Session, specialist: Any, frozen: Any) -> None:
    frozen(_at(1, 17))  # Tuesday, after the window, before quiet hours
    upload(db, [make_row(safe_time="Sat 10:00-11:00")])
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 0
    [message] = _messages(db)
    assert message.due_at.replace(tzinfo=UTC) == _at(5, 10)


def test_no_safe_time_left_skips_the_message_with_its_reason(
    db: Session, specialist: Any, frozen: Any
) -> None:
    frozen(_at(1, 12))
    # Wholly inside quiet hours (20:00-09:00): no sending time at all.
    result = upload(db, [make_specialist_row(safe_time="Mon-Sun 21:00-23:00")])
    assert result.accepted == 1
    [message] = _messages(db)
    assert (message.status, message.error) == ("skipped", "no_safe_time")
    sender = RecordingSender()
    dispatch_once(sender=sender)
    assert sender.sent == []
    # Purge closes the invitation and erases the contact, safe time included.
    purge(db)
    db.commit()
    contact = _contact(db)
    assert contact.destination_encrypted is None and contact.safe_time_encrypted is None
    invitation = db.exec(select(Invitation)).one()
    assert invitation.contact_id is None


def test_the_reminder_goes_inside_the_safe_time_or_is_skipped(
    db: Session, specialist: Any, frozen: Any
) -> None:
    specialist(
        VV_SPECIALIST_DIRECT_CONTACT="on",
        VV_QUIET_HOURS="20:00-09:00",
        VV_REMINDER_AFTER_DAYS="1",
        VV_LINK_TTL_DAYS="5",
    )
    frozen(_at(2, 10, 30))  # Wednesday
    upload(db, [make_specialist_row(safe_time="Wed 10:00-11:00", phone="07911 123458")])
    assert dispatch_once(sender=RecordingSender()).sent == 1
    reminder = [m for m in _messages(db) if m.kind == "reminder"]
    # Due Thursday 10:30, outside the safe time; the next window (Wednesday 9th) is past the
    # link's life less a day: recorded as skipped, never sent.
    assert [(m.status, m.error) for m in reminder] == [("skipped", "no_safe_time")]


def test_the_reminder_moves_into_the_next_window(db: Session, specialist: Any, frozen: Any) -> None:
    specialist(VV_SPECIALIST_DIRECT_CONTACT="on", VV_QUIET_HOURS="20:00-09:00")
    frozen(_at(2, 15, 30))  # Wednesday
    upload(db, [make_specialist_row(safe_time="Mon-Fri 10:00-16:00; Sat 09:00-12:00")])
    assert dispatch_once(sender=RecordingSender()).sent == 1
    [reminder] = [m for m in _messages(db) if m.kind == "reminder"]
    # Seven days on is Wednesday 9th 15:30: inside the window.
    assert reminder.status == "due"
    assert reminder.due_at.replace(tzinfo=UTC) == _at(9, 15, 30)


def test_safe_time_is_erased_with_the_contact(db: Session, specialist: Any, frozen: Any) -> None:
    frozen(_at(1, 12))
    upload(db, [make_specialist_row(safe_time=SAFE)])
    assert dispatch_once(sender=RecordingSender()).sent == 1
    assert _contact(db).safe_time_encrypted is not None
    # The link ends (28 days): purge erases destination and safe time together.
    purge(db, at=_at(1, 12) + timedelta(days=40))
    db.commit()
    contact = _contact(db)
    assert contact.destination_encrypted is None
    assert contact.safe_time_encrypted is None


def test_opting_out_erases_the_safe_time(db: Session, specialist: Any, frozen: Any) -> None:
    frozen(_at(1, 12))
    upload(db, [make_specialist_row(safe_time=SAFE)])
    contact = _contact(db)
    opt_out_contact(db, contact, source="test")
    db.commit()
    assert _contact(db).safe_time_encrypted is None


def test_a_bad_safe_time_rejects_the_row_alone(db: Session, specialist: Any) -> None:
    result = upload(
        db,
        [
            make_specialist_row(safe_time="weekdays after school"),
            make_specialist_row(safe_time=SAFE, phone="07911 123459", case_ref="CR/2"),
        ],
    )
    assert result.accepted == 1
    [rejected] = result.rejected
    assert rejected["row"] == 0
    assert rejected["errors"][0]["loc"] == ["safe_time"]
    assert "Mon-Fri 10:00-16:00; Sat 09:00-12:00" in rejected["errors"][0]["msg"]
    assert "school" not in str(rejected)


def test_key_rotation_re_encrypts_the_safe_time(db: Session, settings_override: Any) -> None:
    from cryptography.fernet import Fernet
    from typer.testing import CliRunner

    from app.cli import app as cli_app
    from app.settings import get_settings

    upload(db, [make_row(safe_time=SAFE)])
    old_key = get_settings().encryption_keys
    new_key = Fernet.generate_key().decode()
    settings_override(VV_ENCRYPTION_KEYS=f"{new_key},{old_key}")
    assert CliRunner().invoke(cli_app, ["invitations", "rotate-keys"]).exit_code == 0
    settings_override(VV_ENCRYPTION_KEYS=new_key)  # the old key can go
    assert decrypt(_contact(db).safe_time_encrypted or "") == CANONICAL


def test_a_later_stage_without_a_safe_time_does_not_lift_the_known_one(
    db: Session, specialist: Any, frozen: Any
) -> None:
    """A careless later row (the next stage of the same case, without the safe time) must not
    free the first stage's reminder from the safe time the force gave for this person."""
    frozen(_at(1, 12))  # Tuesday, inside Mon-Fri 10:00-16:00
    upload(db, [make_specialist_row(safe_time=SAFE)])
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 1
    frozen(_at(1, 13))
    later = make_specialist_row(touchpoint="investigation")
    assert upload(db, [later]).accepted == 1
    # The reminder (due Tuesday 8th 12:00) is claimed late, at 17:00: outside the safe time.
    frozen(_at(8, 17))
    dispatch_once(sender=sender)
    assert len(sender.sent) == 1
    reminder = [m for m in _messages(db) if m.kind == "reminder"]
    assert [(m.status, m.error) for m in reminder] == [("due", "outside_safe_time")]
    assert decrypt(_contact(db).safe_time_encrypted or "") == CANONICAL


def test_turning_specialist_direct_contact_off_stops_what_is_queued(
    db: Session, specialist: Any, frozen: Any
) -> None:
    """The OPCC withdraws its sign-off (VV_SPECIALIST_DIRECT_CONTACT off): a direct message to a
    specialist group already queued must not go; a general one still does."""
    frozen(_at(1, 12))
    upload(db, [make_specialist_row(), make_row(phone="07911 123459", case_ref="CR/9")])
    specialist(VV_SPECIALIST_DIRECT_CONTACT="off", VV_QUIET_HOURS="20:00-09:00")
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert len(sender.sent) == 1 and report.skip_reasons == {"specialist_direct_contact_off": 1}
    statuses = sorted((m.status, m.error or "") for m in _messages(db) if m.kind == "invitation")
    assert statuses == [("sent", ""), ("skipped", "specialist_direct_contact_off")]


def test_a_specialist_message_that_would_name_the_police_as_sent_is_never_sent(
    db: Session, specialist: Any, frozen: Any
) -> None:
    """The lint runs only in `victim-voice banks check`: a deployment on a telling domain that
    never ran it must still not send a specialist message naming the police."""
    specialist(
        VV_SPECIALIST_DIRECT_CONTACT="on",
        VV_QUIET_HOURS="20:00-09:00",
        VV_BASE_URL="https://survey.northshirepolice.uk",
    )
    frozen(_at(1, 12))
    upload(db, [make_specialist_row(), make_row(phone="07911 123459", case_ref="CR/9")])
    sender = RecordingSender()
    report = dispatch_once(sender=sender)
    assert len(sender.sent) == 1 and report.skip_reasons == {"not_neutral_as_sent": 1}
    assert "police" in sender.sent[0].body  # the general message may name its sender
    statuses = sorted((m.status, m.error or "") for m in _messages(db) if m.kind == "invitation")
    assert statuses == [("sent", ""), ("skipped", "not_neutral_as_sent")]
