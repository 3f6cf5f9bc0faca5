"""Erasure: after purge no contact detail or case reference is left anywhere."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session
from typer.testing import CliRunner

import app.models  # noqa: F401  (every table)
from app.cli import app as cli_app
from app.crypto import DecryptionFailed, decrypt
from app.db import metadata
from app.db import utcnow as now
from app.invitations.contacts import case_ref_hash
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation
from app.jobs.retention import purge
from app.retention import retention_cutoff
from app.survey.models import Answer, Comment, InProgressAnswer, Response, SurveySession
from tests.factories import create_bank_version
from tests.invitations.factories import RecordingSender, make_row, upload

PLAINTEXTS = [
    "+447911123456",
    "07911123456",
    "7911123456",
    "07911 123456",
    "+447911123457",
    "7911123457",
    "person@example.org",
    "Person@Example.org",
    "CASE-PURGE-1",
    "CASE-PURGE-2",
    "CASE-PURGE-3",
]


def _bank_version(db: Session) -> int:
    version = create_bank_version(db, {}, commit=False)
    assert version.id is not None
    return version.id


def _seed(db: Session) -> dict[str, Any]:
    upload(
        db,
        [
            make_row(case_ref="CASE-PURGE-1"),
            make_row(
                case_ref="CASE-PURGE-2", channel="email", phone=None, email="Person@Example.org"
            ),
            make_row(case_ref="CASE-PURGE-3", phone="07911 123457"),
        ],
    )
    dispatch_once(sender=RecordingSender())
    invitations = list(db.scalars(select(Invitation).order_by(Invitation.case_ref_hash)))
    version_id = _bank_version(db)
    started, completed = invitations[0], invitations[1]
    db.add(InProgressAnswer(invitation_id=started.id, question_id="q1", value="yes"))
    db.add(
        SurveySession(
            id="s" * 64,
            invitation_id=started.id,
            csrf_token="c" * 32,
            expires_at=now() + timedelta(hours=1),
        )
    )
    response = Response(
        bank_version_id=version_id,
        bank_slug="general",
        crime_group="general",
        touchpoint="reporting",
        area="BHAM-N",
        month=date.today().replace(day=1),
    )
    db.add(response)
    db.flush()
    db.add(Answer(response_id=response.id, question_id="q1", code="yes"))
    completed.response_id = response.id
    completed.status = "completed"
    db.add(completed)
    db.commit()
    return {"response_id": response.id}


def _all_values(db: Session) -> list[tuple[str, str, Any]]:
    values = []
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)).mappings():
            for column, value in row.items():
                values.append((table.name, column, value))
    db.commit()
    return values


def _counts(db: Session) -> tuple[int, int]:
    counts = (
        int(db.scalar(select(func.count()).select_from(Invitation)) or 0),
        int(db.scalar(select(func.count()).select_from(Response)) or 0),
    )
    db.commit()
    return counts


def test_purge_leaves_no_contact_detail_or_case_reference(db: Session) -> None:
    _seed(db)
    before = _counts(db)
    # Nothing has expired yet: nothing is erased.
    assert purge(db).invitations_closed == 0
    db.commit()
    assert any(v is not None for _, c, v in _all_values(db) if c == "destination_encrypted")

    report = purge(db, at=now() + timedelta(days=29))
    db.commit()
    assert report.invitations_closed == 3 and report.contacts_erased == 3
    assert report.in_progress_deleted == 1

    hashes = {case_ref_hash(f"CASE-PURGE-{i}") for i in (1, 2, 3)}
    for table, column, value in _all_values(db):
        if value is None:
            continue
        as_text = str(value)
        for plain in PLAINTEXTS:
            assert plain.lower() not in as_text.lower(), (table, column)
        assert as_text not in hashes, (table, column)
        if isinstance(value, str) and value.startswith("gAAAAA"):
            try:
                decrypt(value)
            except DecryptionFailed:
                continue
            raise AssertionError(f"{table}.{column} still holds an encrypted value")
    assert _counts(db) == before
    invitations = list(db.scalars(select(Invitation)))
    db.commit()
    assert {i.status for i in invitations} == {"expired", "completed"}
    assert all(i.contact_id is None and i.response_id is None for i in invitations)
    assert db.scalars(select(InProgressAnswer)).all() == []
    assert db.scalars(select(SurveySession)).all() == []
    db.commit()

    again = purge(db, at=now() + timedelta(days=30))
    db.commit()
    assert (again.invitations_closed, again.contacts_erased) == (0, 0)


def test_a_closed_invitation_keeps_its_times_only_to_the_month(db: Session) -> None:
    """An exact time could be lined up with an audited act at that moment (a support worker's
    handover) to say which worker's client did what: after purge, only months are kept."""
    _seed(db)
    purge(db, at=now() + timedelta(days=29))
    db.commit()
    times = (
        "first_sent_at",
        "expires_at",
        "delivered_at",
        "opened_at",
        "started_at",
        "completed_at",
        "withdrawn_at",
        "cancelled_at",
    )
    kept = 0
    for invitation in db.scalars(select(Invitation)):
        for name in times:
            value = getattr(invitation, name)
            if value is None:
                continue
            kept += 1
            assert (value.day, value.hour, value.minute, value.second, value.microsecond) == (
                1,
                0,
                0,
                0,
                0,
            ), (name, value)
    db.commit()
    assert kept >= 6  # first sent and expiry of each of the three: the funnel still counts them
    assert purge(db, at=now() + timedelta(days=30)).invitations_closed == 0


def test_purge_keeps_live_links_and_cooling_off(db: Session) -> None:
    _seed(db)
    purge(db, at=now() + timedelta(days=29))
    db.commit()
    # The contact's hash stays: cooling-off and opt-out still work after erasure.
    result = upload(db, [make_row(case_ref="LATER")])
    assert result.skipped == [{"row": 0, "reason": "cooling_off"}]
    contacts = list(db.scalars(select(Contact)))
    db.commit()
    assert all(c.destination_encrypted is None for c in contacts)


def test_never_sent_invitations_lose_their_ties(db: Session) -> None:
    upload(db, [make_row(case_ref="CASE-PURGE-1")])
    from app.invitations.cancellations import cancel_invitations

    assert cancel_invitations(db, case_ref="CASE-PURGE-1", touchpoint=None, actor="test") == 1
    db.commit()
    report = purge(db)
    db.commit()
    assert report.invitations_closed == 1 and report.contacts_erased == 1
    invitation = db.scalars(select(Invitation)).one()
    db.commit()
    assert invitation.status == "cancelled" and invitation.case_ref_hash is None


def test_retention_deletes_old_responses_only(db: Session, settings_override: Any) -> None:
    version_id = _bank_version(db)
    old_month = retention_cutoff(date.today(), 36) - timedelta(days=1)
    old = Response(
        bank_version_id=version_id,
        bank_slug="general",
        crime_group="general",
        touchpoint="court",
        month=old_month.replace(day=1),
    )
    new = Response(
        bank_version_id=version_id,
        bank_slug="general",
        crime_group="general",
        touchpoint="court",
        month=date.today().replace(day=1),
    )
    db.add_all([old, new])
    db.flush()
    db.add(Answer(response_id=old.id, question_id="q", code="yes"))
    db.add(
        Comment(
            response_id=old.id,
            question_id="t",
            text="old words",
            crime_group="general",
            touchpoint="court",
            month=old.month,
        )
    )
    db.commit()
    report = purge(db)
    db.commit()
    assert report.responses_deleted == 1
    remaining = [r.id for r in db.scalars(select(Response))]
    assert remaining == [new.id]
    assert db.scalars(select(Comment)).all() == [] and db.scalars(select(Answer)).all() == []
    db.commit()


def test_retention_cutoff() -> None:
    assert retention_cutoff(date(2026, 11, 27), 36) == date(2023, 11, 1)
    assert retention_cutoff(date(2026, 1, 5), 1) == date(2025, 12, 1)


def test_purge_command(db: Session) -> None:
    _seed(db)
    result = CliRunner().invoke(cli_app, ["purge"])
    assert result.exit_code == 0, result.output
    assert "Purge:" in result.output
    assert db.execute(text("select count(*) from invitation")).scalar() == 3
    db.commit()


def test_purge_deletes_survey_sessions_ended_a_day_ago_while_the_link_is_open(
    db: Session,
) -> None:
    """An ended or timed-out survey session only says someone opened the link; once a day has
    passed nobody can use it again, so the retention job deletes it even while the link is open."""
    upload(db, [make_row(case_ref="CASE-PURGE-1")])
    dispatch_once(sender=RecordingSender())
    invitation = db.scalars(select(Invitation)).one()
    at = now()
    db.add_all(
        [
            SurveySession(
                id="a" * 64,
                invitation_id=invitation.id,
                csrf_token="t",
                expires_at=at - timedelta(days=2),
            ),
            SurveySession(
                id="b" * 64,
                invitation_id=invitation.id,
                csrf_token="t",
                expires_at=at + timedelta(minutes=30),
                ended_at=at - timedelta(days=2),
            ),
            SurveySession(
                id="c" * 64,
                invitation_id=invitation.id,
                csrf_token="t",
                expires_at=at + timedelta(minutes=30),
            ),
        ]
    )
    db.commit()

    report = purge(db, at=at)
    db.commit()

    assert report.survey_sessions_deleted == 2
    assert [row.id for row in db.scalars(select(SurveySession))] == ["c" * 64]
    assert report.invitations_closed == 0
    assert purge(db, at=at).survey_sessions_deleted == 0
