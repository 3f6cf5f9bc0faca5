"""When a quarter closes (settings and database), and freezing it: once, from the command,
the dispatch loop's housekeeping or the page, never twice even when two freezes race."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app import clock
from app.audit import AuditEvent
from app.reporting import results_freeze
from app.reporting.results_closing import (
    closed_quarters,
    days_open_after_quarter,
    longest_delay_days,
    settings_close_at,
)
from app.reporting.results_figures import FrozenQuarter
from app.reporting.results_models import ResultsQuarter
from app.settings import get_settings
from tests.factories import create_bank_version
from tests.reporting.factories import create_invitation, small_bank, submit_response

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def february(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    for index in range(20):
        code = "very_satisfied" if index % 2 else "neither"
        submit_response(db, version, {"sat_overall": code}, month=date(2026, 2, 1), commit=False)
    db.commit()


def test_the_closing_date_adds_the_upload_window_handover_and_link_life() -> None:
    settings = get_settings()
    # Defaults: 120 days to upload (longer than any delay), 56 for a handover, 28 of link.
    assert days_open_after_quarter(settings) == 120 + 56 + 28 + 1
    assert settings_close_at("2026-Q1", settings) == datetime(2026, 10, 23, tzinfo=UTC)
    assert settings_close_at("2026-Q4", settings) == datetime(2027, 7, 25, tzinfo=UTC)


def test_the_closing_date_follows_the_settings(settings_override: Any) -> None:
    settings_override(VV_LINK_TTL_DAYS="40", VV_HANDOVER_DAYS="60")
    assert days_open_after_quarter(get_settings()) == 120 + 60 + 40 + 1
    # When uploads must come sooner than the longest delay (56 days after a sentence), the
    # delay decides when the last message can go.
    settings_override(VV_MAX_TOUCHPOINT_AGE_DAYS="30", VV_DISPATCH_DELAY_DAYS="3")
    assert longest_delay_days(get_settings()) == 56
    assert days_open_after_quarter(get_settings()) == 56 + 60 + 40 + 1
    settings_override(VV_DISPATCH_DELAY_DAYS="70")
    assert longest_delay_days(get_settings()) == 70


def test_a_quarter_is_closed_only_after_its_date(db: Session, february: None) -> None:
    settings = get_settings()
    close = settings_close_at("2026-Q1", settings)
    assert closed_quarters(db, settings, at=close - timedelta(seconds=1)) == []
    assert closed_quarters(db, settings, at=close) == ["2026-Q1"]
    assert closed_quarters(db, settings, at=close, skip={"2026-Q1"}) == []


def test_an_invitation_alone_starts_the_quarters(db: Session) -> None:
    create_invitation(db, touchpoint_date=date(2025, 11, 3), status="expired")
    db.commit()
    assert closed_quarters(db, get_settings(), at=NOW) == ["2025-Q4", "2026-Q1"]


def test_freezing_twice_stores_once_and_keeps_the_first(db: Session, february: None) -> None:
    assert results_freeze.freeze_closed_quarters(db, actor="test") == ["2026-Q1"]
    db.commit()
    first = db.exec(select(ResultsQuarter)).one()
    assert results_freeze.freeze_closed_quarters(db, actor="test") == []
    figures = FrozenQuarter.model_validate(first.payload)
    changed = figures.model_copy(update={"frozen_at": NOW + timedelta(days=1)})
    assert results_freeze.store_quarter(db, changed, actor="test") is False
    db.commit()
    [row] = db.exec(select(ResultsQuarter)).all()
    assert row.payload == first.payload
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "results.freeze")).all()
    assert [(e.actor, e.object_id) for e in events] == [("test", "2026-Q1")]


def test_the_command_freezes_closed_quarters(db: Session, february: None) -> None:
    from app.cli import app

    db.rollback()  # SQLite: the test's transaction must not hold the write lock
    first = CliRunner().invoke(app, ["results", "freeze"])
    assert first.exit_code == 0, first.output
    assert "Froze 1 quarter(s): 2026-Q1." in first.output
    again = CliRunner().invoke(app, ["results", "freeze"])
    assert "every closed quarter is frozen already" in again.output
    assert [row.quarter for row in db.exec(select(ResultsQuarter))] == ["2026-Q1"]


def test_the_dispatch_loops_housekeeping_freezes_them(
    db: Session, february: None, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.jobs.cli import housekeeping

    db.rollback()
    housekeeping()
    assert "Results: froze 2026-Q1." in capsys.readouterr().out
    assert [row.quarter for row in db.exec(select(ResultsQuarter))] == ["2026-Q1"]


def test_two_freezes_racing_store_one_row(
    db: Session, february: None, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both compute the figures before either stores them; the unique quarter keeps one."""
    from app.db import get_engine

    computed = threading.Barrier(2, timeout=30)
    real = results_freeze.quarter_figures

    def figures_then_wait(session: Session, quarter: str, *, at: datetime) -> FrozenQuarter:
        figures = real(session, quarter, at=at)
        computed.wait()
        return figures

    monkeypatch.setattr(results_freeze, "quarter_figures", figures_then_wait)
    db.rollback()
    stored: list[list[str]] = []
    errors: list[BaseException] = []

    def freeze(name: str) -> None:
        try:
            with Session(get_engine(database_url)) as session:
                stored.append(results_freeze.freeze_closed_quarters(session, actor=name))
                session.commit()
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=freeze, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(stored) == [[], ["2026-Q1"]]
    assert [row.quarter for row in db.exec(select(ResultsQuarter))] == ["2026-Q1"]
    assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "results.freeze")).all()) == 1
