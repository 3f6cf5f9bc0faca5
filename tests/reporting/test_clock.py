"""One clock (issue 10): reporting and the audit trail read the time only from app.clock, so
freezing `app.clock.now` freezes every "now" and "today" they use, and no caller sets an
audit event's time itself."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.audit import AuditEvent
from app.enums import Role
from tests.auth_helpers import api_headers, signed_in_client

APP = Path(__file__).resolve().parents[2] / "app"
FROZEN = datetime(2025, 5, 10, 12, 30, tzinfo=UTC)
PRIVATE_CLOCK = re.compile(
    r"datetime\.now\(|date\.today\(|\butc_?now\b|def _now\b|def _?today\b|time\.time\("
)


def test_freezing_the_clock_moves_the_dashboard_period_and_its_audit_time(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    monkeypatch.setattr(clock, "now", lambda: FROZEN)

    page = staff.get("/staff/dashboard").text

    quarters = re.findall(r">(\d{4}-Q[1-4])<", page.split("by quarter", 1)[1])
    assert quarters[:4] == ["2024-Q3", "2024-Q4", "2025-Q1", "2025-Q2"]
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "dashboard.read")).one()
    assert event.occurred_at.replace(tzinfo=UTC) == FROZEN


def test_freezing_the_clock_moves_the_apis_default_period(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = api_headers(db, Role.analyst)
    monkeypatch.setattr(clock, "now", lambda: FROZEN)

    answer = client.get("/api/v1/aggregates/satisfaction.overall", headers=headers)

    assert answer.status_code == 200
    assert '"2025-04"' in answer.text and '"2026-03"' in answer.text  # its financial year
    db.rollback()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "aggregates.read")).one()
    assert event.occurred_at.replace(tzinfo=UTC) == FROZEN


@pytest.mark.parametrize(
    "path", sorted([*(APP / "reporting").glob("*.py"), APP / "audit.py"]), ids=lambda p: p.name
)
def test_reporting_keeps_no_private_clock(path: Path) -> None:
    assert not PRIVATE_CLOCK.findall(path.read_text(encoding="utf-8"))


def test_nobody_overrides_the_audit_time() -> None:
    overriding = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if re.search(r"\.occurred_at\s*=[^=]", path.read_text(encoding="utf-8"))
    ]
    assert overriding == []
