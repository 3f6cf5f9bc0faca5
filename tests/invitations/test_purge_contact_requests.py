"""`purge` also erases closed "contact me" requests once their time is up."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.crypto import encrypt
from app.db import utcnow
from app.jobs.retention import purge
from app.survey.models import ContactRequest


def test_purge_erases_closed_contact_requests_past_their_date(db: Session) -> None:
    now = utcnow()
    db.add(ContactRequest(details_encrypted=encrypt("x"), crime_group="general"))
    db.add(
        ContactRequest(
            details_encrypted=encrypt("y"),
            crime_group="general",
            status="closed",
            closed_at=now - timedelta(days=40),
            erase_after=now - timedelta(days=10),
        )
    )
    db.add(
        ContactRequest(
            details_encrypted=encrypt("z"),
            crime_group="vawg",
            status="closed",
            closed_at=now,
            erase_after=now + timedelta(days=30),
        )
    )
    db.commit()
    report = purge(db)
    db.commit()
    assert report.contact_requests_erased == 1
    left = db.exec(select(ContactRequest)).all()
    assert sorted(r.status for r in left) == ["closed", "open"]
    assert all(r.erase_after is None or r.erase_after > now for r in left)
