"""Attack (issue 14): uploaders putting the same quarter's self-assessment at the same moment
on PostgreSQL: every caller succeeds, one row per right (× agency × crime group), no 500."""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from app.db import get_engine
from app.reporting import self_assessments
from app.reporting.models import SelfAssessment, SelfAssessmentEntry
from tests.reporting.test_compliance_entries import entry

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]
RACERS = 4


def test_racing_puts_of_one_quarter_all_succeed_once_each(db: Session) -> None:
    barrier = threading.Barrier(RACERS, timeout=20)

    def put(index: int) -> int:
        with Session(get_engine()) as session:
            barrier.wait()
            result = self_assessments.save_self_assessment(
                session,
                period="2026-Q3",
                body={"rights": {"6": 0.5 + index / 100}, "entries": [entry(numerator=index)]},
                actor=f"user:{index}",
            )
            session.commit()
            return len(result.entries)

    with ThreadPoolExecutor(RACERS) as pool:
        counts = list(pool.map(put, range(RACERS)))

    assert counts == [1] * RACERS
    db.expire_all()
    assert len(db.exec(select(SelfAssessment)).all()) == 1
    assert len(db.exec(select(SelfAssessmentEntry)).all()) == 1
