"""Who was not heard: skipped upload rows by reason × crime group × touchpoint, under the
cell-key disclosure control (issue 11 point 6)."""

from __future__ import annotations

import csv
import io
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cell_key import perturb
from app.enums import Role
from app.invitations.models import SkippedCount
from app.reporting.skipped import skipped_rows
from tests.auth_helpers import api_headers

URL = "/api/v1/aggregates/skipped"
JULY = date(2026, 7, 1)
AUGUST = date(2026, 8, 1)


def _count(db: Session, month: date, reason: str, group: str, point: str, n: int, key: int) -> None:
    db.add(
        SkippedCount(
            month=month, reason=reason, crime_group=group, touchpoint=point, count=n, key_sum=key
        )
    )
    db.commit()


def _cell(result: object, **group: str) -> object:
    return next(cell for cell in result.cells if cell.group == group)  # type: ignore[attr-defined]


def test_large_cells_are_published_through_the_cell_key_and_small_ones_suppressed(
    db: Session,
) -> None:
    _count(db, JULY, "not_safe_to_contact", "rasso", "outcome", 40, 17)
    _count(db, JULY, "no_consent", "vawg", "reporting", 3, 5)
    _count(db, JULY, "cooling_off", "", "", 12, 200)
    result = skipped_rows(
        db, group_by=["reason,crime_group"], period_from="2026-07", period_to="2026-07"
    )
    shown = _cell(result, reason="not_safe_to_contact", crime_group="rasso")
    assert shown.skipped == perturb(40, 17) and not shown.suppressed  # type: ignore[attr-defined]
    assert abs(shown.skipped - 40) <= 2  # type: ignore[attr-defined]
    small = _cell(result, reason="no_consent", crime_group="vawg")
    assert small.suppressed and small.skipped is None  # type: ignore[attr-defined]
    unknown = _cell(result, reason="cooling_off", crime_group="not_known")
    assert unknown.skipped == perturb(12, 200)  # type: ignore[attr-defined]
    # Every combination is listed, so a listed cell tells nothing by being there.
    assert len(result.cells) == 7 * 4
    empty = _cell(result, reason="under_18", crime_group="general")
    assert empty.suppressed  # type: ignore[attr-defined]
    assert result.disclosure.method == "cell_key" and result.disclosure.max_adjustment == 2


def test_a_cell_small_in_any_live_month_is_suppressed(db: Session) -> None:
    _count(db, JULY, "duplicate", "general", "reporting", 30, 1)
    _count(db, AUGUST, "duplicate", "general", "reporting", 2, 9)
    _count(db, AUGUST, "cooling_off", "general", "reporting", 30, 3)
    result = skipped_rows(db, group_by=["reason"], period_from="2026-07", period_to="2026-08")
    assert _cell(result, reason="duplicate").suppressed  # type: ignore[attr-defined]
    by_month = skipped_rows(
        db, group_by=["reason", "month"], period_from="2026-07", period_to="2026-08"
    )
    july = _cell(by_month, reason="duplicate", month="2026-07")
    assert july.skipped == perturb(30, 1)  # type: ignore[attr-defined]
    assert result.disclosure.max_adjustment == 4


def test_the_api_answers_json_and_csv_for_analysts_only(client: TestClient, db: Session) -> None:
    _count(db, JULY, "stage_allocation", "general", "outcome", 25, 40)
    analyst = api_headers(db, Role.analyst)
    response = client.get(
        URL,
        params={"group_by": "reason,touchpoint", "from": "2026-07", "to": "2026-07"},
        headers=analyst,
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["disclosure"] == {"method": "cell_key", "min_cell": 10, "max_adjustment": 2}
    cell = next(
        c
        for c in body["cells"]
        if c["group"] == {"reason": "stage_allocation", "touchpoint": "outcome"}
    )
    assert cell["skipped"] == perturb(25, 40) and cell["low_base"] is True
    as_csv = client.get(
        URL,
        params={"group_by": "reason", "from": "2026-07", "to": "2026-07", "format": "csv"},
        headers=analyst,
    )
    table = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {row["reason"] for row in table} >= {"stage_allocation", "under_18"}
    assert "max_adjustment" in table[0]
    bad = client.get(URL, params={"group_by": "area"}, headers=analyst)
    assert bad.status_code == 422 and bad.headers["content-type"].startswith(
        "application/problem+json"
    )
    assert client.get(URL, headers=api_headers(db, Role.uploader)).status_code == 403
