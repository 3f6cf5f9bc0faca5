"""Link life from handover; an invitation not handed over ends at VV_HANDOVER_DAYS (issue 12)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow
from app.handover.models import Handover
from app.invitations.models import Invitation
from app.jobs.retention import purge
from tests.handover.factories import code_of, hand_over, held_invitation, worker


def _invitation(db: Session) -> Invitation:
    db.expire_all()
    row = db.exec(select(Invitation)).one()
    db.commit()
    return row


def test_not_handed_over_it_ends_at_the_handover_days(db: Session) -> None:
    held_invitation(db)
    purge(db, at=utcnow() + timedelta(days=55, hours=23))
    db.commit()
    assert _invitation(db).case_ref_hash is not None
    purge(db, at=utcnow() + timedelta(days=56, minutes=1))
    db.commit()
    closed = _invitation(db)
    assert (closed.status, closed.case_ref_hash) == ("expired", None)


def test_the_handover_days_are_a_setting(db: Session, settings_override: Any) -> None:
    settings_override(VV_HANDOVER_DAYS="70")
    held_invitation(db)
    purge(db, at=utcnow() + timedelta(days=69, hours=23))
    db.commit()
    assert _invitation(db).status != "expired"
    purge(db, at=utcnow() + timedelta(days=70, minutes=1))
    db.commit()
    assert _invitation(db).status == "expired"


@pytest.mark.parametrize("days", ["55", "0", "-1", "3651"])
def test_the_handover_days_are_never_fewer_than_56(days: str, monkeypatch: Any) -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    monkeypatch.setenv("VV_HANDOVER_DAYS", days)
    with pytest.raises(ValidationError):
        Settings()


def test_handed_over_the_link_lives_its_ttl_from_the_handover(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    code_of(hand_over(worker(client, db)))
    handed = _invitation(db)
    assert handed.expires_at is not None and handed.first_sent_at is not None
    assert handed.expires_at - handed.first_sent_at == timedelta(days=28)
    purge(db, at=handed.expires_at - timedelta(minutes=1))
    db.commit()
    assert _invitation(db).case_ref_hash is not None
    assert len(db.exec(select(Handover)).all()) == 1
    db.commit()
    purge(db, at=handed.expires_at + timedelta(minutes=1))
    db.commit()
    closed = _invitation(db)
    assert (closed.status, closed.case_ref_hash) == ("expired", None)
    # The record of who handed it over goes with the other ties.
    assert db.exec(select(Handover)).all() == []
    db.commit()


def test_a_late_handover_gets_the_whole_link_life(client: TestClient, db: Session) -> None:
    invitation = held_invitation(db)
    # Uploaded 50 days ago: 6 days are left to hand it over.
    row = db.get(Invitation, invitation.id)
    assert row is not None and row.expires_at is not None
    row.created_at -= timedelta(days=50)
    row.expires_at -= timedelta(days=50)
    db.add(row)
    db.commit()
    now = utcnow()
    code_of(hand_over(worker(client, db)))
    handed = _invitation(db)
    assert handed.expires_at is not None
    assert handed.expires_at >= now + timedelta(days=28)
    purge(db, at=now + timedelta(days=10))  # past the 56 days from upload: still alive
    db.commit()
    assert _invitation(db).status == "sent"
