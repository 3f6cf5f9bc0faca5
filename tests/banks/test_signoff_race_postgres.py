"""Attack (issue 13): approvers signing off the same wording at the same moment on PostgreSQL:
one record, one audit event, and every caller gets that record (no error, no duplicate)."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.banks import signoff
from app.banks.models import QuestionSignoff
from app.db import get_engine
from tests.banks.test_signoff import bank
from tests.factories import create_bank_version

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]
RACERS = 4


def test_racing_sign_offs_record_one(db: Session) -> None:
    create_bank_version(db, bank())
    barrier = threading.Barrier(RACERS, timeout=20)

    def sign(index: int) -> int:
        with Session(get_engine()) as session:
            barrier.wait()
            recorded = signoff.sign_off(
                session,
                "general",
                "named_officer",
                partner=f"Partner {index}",
                approver=f"user:{index}",
                actor="test",
            )
            session.commit()
            assert recorded.id is not None
            return recorded.id

    with ThreadPoolExecutor(RACERS) as pool:
        ids = list(pool.map(sign, range(RACERS)))

    db.expire_all()
    rows = db.exec(select(QuestionSignoff)).all()
    assert len(rows) == 1 and set(ids) == {rows[0].id}
    events = db.exec(select(AuditEvent).where(AuditEvent.action == signoff.SIGNED_OFF)).all()
    assert len(events) == 1
