"""Joint compliance review meeting records: API, pages, audit, bad input."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.review_models import ComplianceReview
from tests.auth_helpers import api_headers, signed_in_client, staff_csrf_token

URL = "/api/v1/compliance/reviews"
GOOD: dict[str, Any] = {
    "held_on": "2026-11-30",
    "bodies": ["cps", "police", "opcc"],
    "other_bodies": "Local ISVA service",
    "decisions": "Witness care to call every victim within 2 days of a trial date.",
    "rights": [8, 6, 8],
}


def test_an_approver_records_and_readers_list(client: TestClient, db: Session) -> None:
    created = client.post(URL, json=GOOD, headers=api_headers(db, Role.approver))
    assert created.status_code == 201
    body = created.json()
    assert body["bodies"] == ["police", "cps", "opcc"]  # the fixed list's order
    assert body["rights"] == [6, 8]
    assert body["recorded_by"].startswith("key:")
    client.post(
        URL,
        json={**GOOD, "held_on": "2026-10-01", "rights": [1]},
        headers=api_headers(db, Role.uploader),
    )
    for role in (Role.analyst, Role.uploader, Role.approver):
        listed = client.get(URL, headers=api_headers(db, role)).json()
        assert [item["held_on"] for item in listed] == ["2026-11-30", "2026-10-01"]
    only_8 = client.get(URL, params={"right": 8}, headers=api_headers(db, Role.analyst)).json()
    assert [item["held_on"] for item in only_8] == ["2026-11-30"]


def test_recording_is_audited_without_the_text(client: TestClient, db: Session) -> None:
    client.post(URL, json=GOOD, headers=api_headers(db, Role.approver))
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "compliance_review.record")).one()
    assert event.detail == {
        "held_on": "2026-11-30",
        "bodies": ["police", "cps", "opcc"],
        "rights": [6, 8],
    }
    assert "Witness" not in str(event.detail) and "ISVA" not in str(event.detail)


def test_other_roles_cannot_record(client: TestClient, db: Session) -> None:
    for role in (Role.analyst, Role.editor, Role.victims_team):
        assert client.post(URL, json=GOOD, headers=api_headers(db, role)).status_code == 403
    assert client.get(URL, headers=api_headers(db, Role.editor)).status_code == 403
    assert client.post(URL, json=GOOD).status_code == 401
    assert db.exec(select(ComplianceReview)).all() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"held_on": "30/11/2026"}, "held_on"),
        ({"held_on": "2999-01-01"}, "held_on"),
        ({"held_on": ""}, "held_on"),
        ({"bodies": []}, "bodies"),
        ({"bodies": ["police", "mi5"]}, "bodies"),
        ({"decisions": "   "}, "decisions"),
        ({"decisions": "x" * 5001}, "decisions"),
        ({"other_bodies": "x" * 201}, "other_bodies"),
        ({"rights": [0]}, "rights"),
        ({"rights": [13]}, "rights"),
        ({"rights": "all"}, "rights"),
        ({"rights": [True]}, "rights"),
        ({"rights": ["3"]}, "rights"),
        ({"held_on": 20261130}, "held_on"),
        ({"decisions": "a\u0000b"}, "decisions"),
        ({"bodies": "police"}, "bodies"),
    ],
)
def test_bad_input_is_problem_json(
    client: TestClient, db: Session, change: dict[str, Any], field: str
) -> None:
    answer = client.post(URL, json={**GOOD, **change}, headers=api_headers(db, Role.approver))
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert field in str(answer.json()["errors"])
    assert db.exec(select(ComplianceReview)).all() == []


def test_not_json_is_refused(client: TestClient, db: Session) -> None:
    answer = client.post(
        URL,
        content=b"\xff\xfe",
        headers={**api_headers(db, Role.approver), "content-type": "application/json"},
    )
    assert answer.status_code == 422


def test_the_pages_record_a_meeting(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    form = staff.get("/staff/compliance/reviews")
    assert form.status_code == 200 and 'action="/staff/compliance/reviews"' in form.text
    done = staff.post(
        "/staff/compliance/reviews",
        data={
            "held_on": "2026-11-30",
            "bodies": ["police", "cps"],
            "decisions": "Review right 6 updates next quarter.",
            "rights": ["6"],
            "csrf_token": staff_csrf_token(staff),
        },
    )
    assert done.status_code == 200 and done.url.path == "/staff/compliance/reviews"
    assert "Review right 6 updates next quarter." in done.text
    [row] = db.exec(select(ComplianceReview)).all()
    assert row.bodies == ["police", "cps"] and row.rights == [6]


def test_the_page_shows_errors_and_keeps_input(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.uploader])
    page = staff.post(
        "/staff/compliance/reviews",
        data={
            "held_on": "nonsense",
            "decisions": "Kept text",
            "csrf_token": staff_csrf_token(staff),
        },
    )
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert 'href="#held_on"' in page.text and 'href="#bodies"' in page.text
    assert "Kept text" in page.text
    assert db.exec(select(ComplianceReview)).all() == []


def test_an_analyst_reads_the_page_without_the_form(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get("/staff/compliance/reviews")
    assert page.status_code == 200 and 'action="/staff/compliance/reviews"' not in page.text
    refused = staff.post(
        "/staff/compliance/reviews",
        data={"held_on": "2026-11-30", "csrf_token": staff_csrf_token(staff)},
    )
    assert refused.status_code == 403
