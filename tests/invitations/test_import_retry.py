"""Sending the same file again after an import died: everyone is invited exactly once.

An import killed mid-way leaves its batch `importing`, with the chunks it committed: contacts
marked as invited by it, and invitations whose messages wait in `importing` and are never
sent. The uploader sends the file again at once, not an hour later when purge undoes the dead
batch. The retry must not skip those contacts as `cooling_off` or `duplicate` (nobody was
invited), and nobody may get two messages, whether purge undoes the dead batch before or after.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.db import as_utc, session_scope
from app.db import utcnow as now
from app.enums import Role
from app.invitations.batches import import_rows
from app.invitations.contacts import contact_hash
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.jobs.retention import purge
from tests.auth_helpers import api_headers
from tests.invitations.factories import RecordingSender, make_row, phone_number, upload

LONG_AGO = timedelta(days=100)  # outside cooling-off: may be invited again
INVITED_LONG_AGO = 100
INVITED_LATELY = 200  # by a complete batch, inside cooling-off: a true skip


def row(number: int) -> dict[str, Any]:
    return make_row(phone=phone_number(number), case_ref=f"CR/{number}")


# The file: seven new contacts, one invited long ago, one invited lately, and a row repeated.
FILE = [row(INVITED_LONG_AGO), row(INVITED_LATELY), *(row(i) for i in range(1, 8)), row(3)]


def contact(db: Session, number: int) -> Contact:
    db.expire_all()
    found = db.exec(
        select(Contact).where(Contact.contact_hash == contact_hash(phone_number(number)))
    ).one()
    db.expunge(found)  # detached: reading it later begins no transaction
    db.rollback()  # end the read: on SQLite every transaction holds the write lock
    return found


def _earlier_invitations(db: Session) -> RecordingSender:
    """Contacts 100 and 200 invited by complete batches, and those messages sent."""
    # For earlier cases: cooling-off holds between cases (stages of one case are the ledger's).
    upload(
        db,
        [
            make_row(phone=phone_number(number), case_ref=f"CR/earlier/{number}")
            for number in (INVITED_LONG_AGO, INVITED_LATELY)
        ],
    )
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 2
    with session_scope() as session:
        known = session.exec(
            select(Contact).where(
                Contact.contact_hash == contact_hash(phone_number(INVITED_LONG_AGO))
            )
        ).one()
        known.last_invited_at = now() - LONG_AGO
        session.add(known)
    return sender


def _die_midway(monkeypatch: pytest.MonkeyPatch, rows: list[dict[str, Any]], after: int) -> str:
    """Import `rows` in chunks of 3 and die (no clean-up, as with kill -9) after `after` rows;
    returns the dead batch's id."""
    from app.invitations import batches

    monkeypatch.setattr(batches, "_abandon_after_error", lambda session, batch_id: None)

    def dying_rows() -> Any:
        yield from rows[:after]
        raise SystemExit(9)

    with pytest.raises(SystemExit), session_scope() as session:
        import_rows(session, dying_rows(), actor="test", source="json", chunk_size=3)
    monkeypatch.undo()
    with session_scope() as session:
        dead = session.exec(
            select(InvitationBatch)
            .where(InvitationBatch.status == "importing")
            .order_by(col(InvitationBatch.created_at).desc())
        )
        return dead.first().id  # type: ignore[union-attr]


def _sent_to(sender: RecordingSender) -> Counter[str]:
    return Counter(message.to for message in sender.sent)


def _everyone_once(sender: RecordingSender) -> None:
    sent = _sent_to(sender)
    expected = {phone_number(i) for i in (INVITED_LONG_AGO, *range(1, 8))}
    assert set(sent) == expected
    assert all(times == 1 for times in sent.values()), sent


@pytest.mark.parametrize("purged", ["purge first", "retry first"])
def test_a_retry_after_a_dead_import_invites_everyone_exactly_once(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch, purged: str
) -> None:
    earlier = _earlier_invitations(db)
    # Dies in its third chunk: two chunks (100, 200, 1, 2, 3, 4) committed, 100 and 1-4 invited.
    dead = _die_midway(monkeypatch, FILE, after=8)
    assert contact(db, 1).last_batch_id == dead
    if purged == "purge first":
        with session_scope() as session:
            assert purge(session, at=now() + timedelta(hours=2)).imports_abandoned == 1

    response = client.post(
        "/api/v1/invitation-batches", json={"rows": FILE}, headers=api_headers(db, Role.uploader)
    )

    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["skipped"] == [
        {"row": 1, "reason": "cooling_off"},  # invited lately, by a batch that completed
        {"row": 9, "reason": "duplicate"},  # the repeated row of this file
    ]
    assert answer["accepted"] == 8
    sender = RecordingSender()
    dispatch_once(sender=sender)
    _everyone_once(sender)

    with session_scope() as session:
        purge(session, at=now() + timedelta(hours=2))  # undoes the dead batch if still there
    again = RecordingSender()
    dispatch_once(sender=again)
    assert again.sent == []
    db.expire_all()
    assert db.get(InvitationBatch, dead).status == "failed"  # type: ignore[union-attr]
    retry = answer["batch_id"]
    invited = db.exec(select(Invitation).where(col(Invitation.batch_id) == retry)).all()
    assert len(invited) == 8
    assert db.exec(select(Invitation).where(col(Invitation.batch_id) == dead)).all() == []
    db.rollback()
    assert _sent_to(earlier) == {phone_number(INVITED_LONG_AGO): 1, phone_number(INVITED_LATELY): 1}
    # Cooling-off now counts the retry's invitation, and undoing the retry would give back
    # what was true before the dead import (not the dead import's invitation).
    for number in (1, INVITED_LONG_AGO):
        known = contact(db, number)
        assert known.last_batch_id == retry
        assert known.last_invited_at is not None
        assert as_utc(known.last_invited_at) > now() - timedelta(minutes=5)
    assert contact(db, 1).previous_invited_at is None
    previous = contact(db, INVITED_LONG_AGO).previous_invited_at
    assert previous is not None and as_utc(previous) < now() - LONG_AGO + timedelta(minutes=5)


def test_a_retry_that_fails_too_leaves_contacts_as_before_the_dead_import(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _earlier_invitations(db)
    _die_midway(monkeypatch, FILE, after=8)
    _die_midway(monkeypatch, FILE, after=5)  # the retry dies too, after taking over 100 and 1

    with session_scope() as session:
        assert purge(session, at=now() + timedelta(hours=2)).imports_abandoned == 2

    db.expire_all()
    assert db.exec(select(Invitation).where(col(Invitation.status) == "pending")).all() == []
    assert (
        db.exec(select(OutboundMessage).where(col(OutboundMessage.status) == "importing")).all()
        == []
    )
    db.rollback()
    for i in range(1, 8):
        assert (
            db.exec(
                select(Contact).where(Contact.contact_hash == contact_hash(phone_number(i)))
            ).first()
            is None
        )
    db.rollback()
    known = contact(db, INVITED_LONG_AGO)
    assert known.last_invited_at is not None
    assert as_utc(known.last_invited_at) < now() - LONG_AGO + timedelta(minutes=5)
    again = upload(db, FILE)
    assert again.accepted == 8
    assert [skip["reason"] for skip in again.skipped] == ["cooling_off", "duplicate"]
