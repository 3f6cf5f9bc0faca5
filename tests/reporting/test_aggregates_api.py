"""The aggregates API: roles, shapes, CSV, errors, audit, and never a figure about one person."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from tests.auth_helpers import api_headers
from tests.reporting.factories import (
    create_bank_version,
    create_invitation,
    submit_response,
)

CODES = ["very_satisfied"] * 8 + ["neither"] * 4


@pytest.fixture
def filled(db: Session) -> None:
    """B1: 12 answers in July; B2: 12; C3: 3 (small); "=cmd" area: 12."""
    version = create_bank_version(db)
    for area, codes in [("B1", CODES), ("B2", CODES), ("C3", CODES[:3]), ("=cmd", CODES)]:
        for code in codes:
            submit_response(db, version, {"sat_overall": code}, area=area, commit=False)
    db.commit()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/metrics",
        "/api/v1/aggregates/satisfaction.overall",
        "/api/v1/aggregates/victims-code",
        "/api/v1/aggregates/funnel",
    ],
)
def test_roles(client: TestClient, db: Session, path: str) -> None:
    assert client.get(path).status_code == 401
    for role in (Role.uploader, Role.editor, Role.victims_team, Role.approver):
        response = client.get(path, headers=api_headers(db, role, banks=["general"]))
        assert response.status_code == 403, role
    for role in (Role.analyst, Role.admin):
        assert client.get(path, headers=api_headers(db, role)).status_code == 200


def test_aggregate_shape_and_suppression(client: TestClient, db: Session, filled: None) -> None:
    headers = api_headers(db, Role.analyst)
    body = client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=area", headers=headers
    ).json()
    assert body["metric"] == "satisfaction.overall" and body["min_cell"] == 10
    cells = {cell["group"]["area"]: cell for cell in body["cells"]}
    assert list(cells) == ["=cmd", "B1", "B2", "C3"]
    assert cells["B1"] == {
        "group": {"area": "B1"},
        "n": 12,
        "positive": 8,
        "rate": pytest.approx(8 / 12),
        "ci_low": pytest.approx(0.3906, abs=1e-4),
        "ci_high": pytest.approx(0.8619, abs=1e-4),
        "suppressed": False,
    }
    # C3 is below 10; "=cmd", the smallest other cell (ties go to the first), hides with it.
    for area in ("C3", "=cmd"):
        assert cells[area] == {
            "group": {"area": area},
            "n": None,
            "positive": None,
            "rate": None,
            "ci_low": None,
            "ci_high": None,
            "suppressed": True,
        }


def test_csv_by_accept_header_and_by_format(client: TestClient, db: Session, filled: None) -> None:
    headers = api_headers(db, Role.analyst)
    url = "/api/v1/aggregates/satisfaction.overall?group_by=area,month"
    by_header = client.get(url, headers={**headers, "Accept": "text/csv"})
    by_format = client.get(url + "&format=csv", headers=headers)
    assert by_header.status_code == by_format.status_code == 200
    assert by_header.headers["content-type"].startswith("text/csv")
    assert by_header.text == by_format.text
    rows = list(csv.reader(io.StringIO(by_header.text)))
    assert rows[0] == ["area", "month", "n", "positive", "rate", "ci_low", "ci_high", "suppressed"]
    assert rows[1] == ["'=cmd", "2026-07", "", "", "", "", "", "true"]
    assert rows[2][:4] == ["B1", "2026-07", "12", "8"] and rows[2][-1] == "false"
    assert len(rows) == 5


def test_errors_are_problem_json(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    missing = client.get("/api/v1/aggregates/no.such.metric", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=postcode&from=2026-13", headers=headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [error["loc"] for error in bad.json()["errors"]] == [["query", "group_by"]]
    period = client.get(
        "/api/v1/aggregates/satisfaction.overall?from=2026-13&to=2026-Q9", headers=headers
    )
    assert [error["loc"] for error in period.json()["errors"]] == [
        ["query", "from"],
        ["query", "to"],
    ]
    fmt = client.get("/api/v1/aggregates/satisfaction.overall?format=xml", headers=headers)
    assert fmt.status_code == 422


def test_every_read_is_audited_without_personal_data(
    client: TestClient, db: Session, filled: None
) -> None:
    headers = api_headers(db, Role.analyst)
    client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=quarter&from=2026-Q1&crime_group=general",
        headers=headers,
    )
    client.get("/api/v1/aggregates/victims-code?format=csv", headers=headers)
    client.get("/api/v1/aggregates/funnel?group_by=touchpoint", headers=headers)
    db.expire_all()
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "aggregates.read").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [event.object_id for event in events] == [
        "satisfaction.overall",
        "victims-code",
        "funnel",
    ]
    first = events[0]
    assert first.actor.startswith("key:")
    assert first.detail == {
        "metric": "satisfaction.overall",
        "params": {
            "group_by": ["quarter"],
            "from": "2026-Q1",
            "crime_group": "general",
            "format": "json",
        },
    }
    assert events[1].detail["params"] == {"format": "csv"}


def test_metrics_endpoint(client: TestClient, db: Session, filled: None) -> None:
    body = client.get("/api/v1/metrics", headers=api_headers(db, Role.analyst)).json()
    overall = next(metric for metric in body if metric["id"] == "satisfaction.overall")
    assert set(overall) >= {
        "id",
        "title",
        "description",
        "question_ids",
        "positive_codes",
        "excluded_codes",
    }
    assert overall["question_ids"] == ["sat_overall"]
    assert "very_satisfied" in overall["positive_codes"]
    assert "dont_know" in overall["excluded_codes"]
    assert {metric["id"] for metric in body} >= {f"victims_code.right_{n}" for n in range(1, 13)}


def test_no_endpoint_ever_shows_one_response(client: TestClient, db: Session) -> None:
    version = create_bank_version(db)
    submit_response(
        db,
        version,
        {"sat_overall": "very_satisfied", "right_understood": "yes", "right_information": "no"},
        month=date(2026, 8, 1),
    )
    invitation = create_invitation(db, status="completed", touchpoint_date=date(2026, 8, 3))
    db.commit()
    assert invitation.id
    headers = api_headers(db, Role.analyst)
    dimensions = ["crime_group", "touchpoint", "area", "month", "quarter", "financial_year"]
    urls = [f"/api/v1/aggregates/satisfaction.overall?group_by={d}" for d in dimensions]
    urls += ["/api/v1/aggregates/victims_code.right_1", "/api/v1/aggregates/satisfaction.overall"]
    urls += [f"/api/v1/aggregates/funnel?group_by={d}" for d in dimensions]
    urls += ["/api/v1/aggregates/funnel", "/api/v1/aggregates/victims-code"]
    urls += ["/api/v1/aggregates/dropoff?bank=general"]
    for url in urls:
        body = client.get(url, headers=headers).json()
        rows = body.get("cells") or body.get("rights") or body.get("questions")
        assert rows, url
        for row in rows:
            assert row["suppressed"] is True, url
            figures = {k: v for k, v in row.items() if k not in ("group", "suppressed", "right")}
            assert all(
                value is None or isinstance(value, str) or value == 0 for value in figures.values()
            ), (url, row)


def test_group_by_repeated_in_the_query(client: TestClient, db: Session, filled: None) -> None:
    body = client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=month&group_by=quarter,financial_year",
        headers=api_headers(db, Role.analyst),
    ).json()
    assert [cell["group"] for cell in body["cells"]] == [
        {"month": "2026-07", "quarter": "2026-Q3", "financial_year": "2026-27"}
    ]
    assert body["cells"][0]["n"] == 39
