"""Migration 0015 marks in-progress answers saved with help: an answer saved by a stored
assisted session is marked, others are not; and it comes down again (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text

from app.migrate import downgrade, upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture

NOW = "2026-11-01 10:00:00+00:00"
LATER = "2026-11-01 11:00:00+00:00"
# (session id, assisted)
SESSIONS = [("helped", True), ("alone", False)]
# (question, saved by)
ANSWERS = [("q1", "helped"), ("q2", "alone"), ("q3", None), ("q4", "deleted")]


@pytest.fixture
def at_0014(fresh_database_url: str) -> Iterator[str]:  # noqa: F811
    upgrade(fresh_database_url, "0014")
    engine = create_engine(fresh_database_url)
    with engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO invitation_batch (id, created_by, created_at, rows, accepted, "
                f"rejected, skipped) VALUES ('b', 't', '{NOW}', 0, 0, 0, 0)"
            )
        )
        run(
            text(
                "INSERT INTO invitation (id, batch_id, crime_group, touchpoint, "
                "touchpoint_date, language, channel, status, created_at) VALUES "
                f"('i', 'b', 'general', 'reporting', '2026-07-10', 'en', 'sms', "
                f"'started', '{NOW}')"
            )
        )
        for sid, assisted in SESSIONS:
            run(
                text(
                    "INSERT INTO survey_session (id, invitation_id, csrf_token, expires_at, "
                    f"assisted) VALUES (:id, 'i', 'c', '{LATER}', :assisted)"
                ),
                {"id": sid, "assisted": assisted},
            )
        for question, saved_by in ANSWERS:
            run(
                text(
                    "INSERT INTO in_progress_answer (invitation_id, question_id, value, "
                    f"updated_at, saved_by) VALUES ('i', :q, '\"yes\"', '{NOW}', :by)"
                ),
                {"q": question, "by": saved_by},
            )
    engine.dispose()
    yield fresh_database_url


def _marks(url: str) -> dict[str, bool]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT question_id, assisted FROM in_progress_answer"))
        marks = {question: bool(assisted) for question, assisted in rows}
    engine.dispose()
    return marks


def test_answers_saved_by_a_stored_assisted_session_are_marked(at_0014: str) -> None:
    upgrade(at_0014)
    assert _marks(at_0014) == {"q1": True, "q2": False, "q3": False, "q4": False}


def test_it_comes_down_again(at_0014: str) -> None:
    upgrade(at_0014)
    downgrade(at_0014, "0014")
    engine = create_engine(at_0014)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM in_progress_answer")).scalar() == 4
    engine.dispose()
