"""Self-assessments and the Victims' Code view: victims' rate, the force's rate, the gap."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.models import SelfAssessment
from app.reporting.stats import wilson_interval
from app.reporting.victims_code import victims_code_view
from tests.auth_helpers import api_headers
from tests.reporting.factories import create_bank_version, submit_response


def test_uploader_puts_a_self_assessment_and_can_replace_it(
    client: TestClient, db: Session
) -> None:
    headers = api_headers(db, Role.uploader)
    first = client.put(
        "/api/v1/self-assessments/2026-Q3", json={"rights": {"1": 0.92, "3": 1}}, headers=headers
    )
    assert first.status_code == 200
    assert first.json() == {"period": "2026-Q3", "rights": {"1": 0.92, "3": 1.0}}
    second = client.put(
        "/api/v1/self-assessments/2026-Q3", json={"rights": {"1": 0.5}}, headers=headers
    )
    assert second.json() == {"period": "2026-Q3", "rights": {"1": 0.5, "3": 1.0}}
    db.expire_all()
    rows = db.exec(select(SelfAssessment).order_by(SelfAssessment.right)).all()  # type: ignore[arg-type]
    assert [(r.period, r.right, r.rate) for r in rows] == [("2026-Q3", 1, 0.5), ("2026-Q3", 3, 1.0)]
    assert rows[0].uploaded_by.startswith("key:")
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "self_assessment.upload")).all()
    assert [event.detail for event in events] == [
        {"period": "2026-Q3", "rights": [1, 3]},
        {"period": "2026-Q3", "rights": [1]},
    ]
    db.rollback()  # end the read transaction: SQLite transactions here take the write lock
    read = client.get("/api/v1/self-assessments/2026-Q3", headers=headers)
    assert read.json() == second.json()


@pytest.mark.parametrize(
    ("period", "body", "loc"),
    [
        ("2026-Q5", {"rights": {"1": 0.5}}, ["path", "period"]),
        ("2026-07", {"rights": {"1": 0.5}}, ["path", "period"]),
        ("2026-Q1", {"rights": {"13": 0.5}}, ["body", "rights", "13"]),
        ("2026-Q1", {"rights": {"0": 0.5}}, ["body", "rights", "0"]),
        ("2026-Q1", {"rights": {"2": 1.5}}, ["body", "rights", "2"]),
        ("2026-Q1", {"rights": {"2": -0.1}}, ["body", "rights", "2"]),
        ("2026-Q1", {"rights": {"2": "high"}}, ["body", "rights", "2"]),
        ("2026-Q1", {"rights": {"2": True}}, ["body", "rights", "2"]),
        ("2026-Q1", {"rights": {}}, ["body", "rights"]),
    ],
)
def test_bad_self_assessments_are_422(
    client: TestClient, db: Session, period: str, body: dict[str, object], loc: list[str]
) -> None:
    response = client.put(
        f"/api/v1/self-assessments/{period}", json=body, headers=api_headers(db, Role.uploader)
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert loc in [error["loc"] for error in response.json()["errors"]]
    assert db.exec(select(SelfAssessment)).all() == []


def test_only_uploaders_put_self_assessments(client: TestClient, db: Session) -> None:
    for role in (Role.analyst, Role.editor):
        response = client.put(
            "/api/v1/self-assessments/2026-Q3",
            json={"rights": {"1": 0.5}},
            headers=api_headers(db, role),
        )
        assert response.status_code == 403


def _fill(db: Session) -> None:
    version = create_bank_version(db)
    # Right 1 at reporting: Q3 has 8 yes, 4 no, 2 don't know; Q4 has 6 yes, 6 no.
    # Right 3 (reporting only): 3 answers, below the minimum.
    answers = [("yes", "yes")] * 3 + [("yes", None)] * 5 + [("no", None)] * 4
    answers += [("dont_know", None)] * 2
    for right_1, right_3 in answers:
        submit_response(
            db,
            version,
            {"right_understood": right_1, "right_information": right_3},
            month=date(2026, 8, 1),
            commit=False,
        )
    for code in ["yes"] * 6 + ["no"] * 6:
        submit_response(
            db, version, {"right_understood": code}, month=date(2026, 11, 1), commit=False
        )
    db.add_all(
        [
            SelfAssessment(period="2026-Q3", right=1, rate=0.9, uploaded_by="test"),
            SelfAssessment(period="2026-Q4", right=1, rate=0.7, uploaded_by="test"),
            SelfAssessment(period="2026-Q3", right=3, rate=0.95, uploaded_by="test"),
            SelfAssessment(period="2027-Q1", right=1, rate=0.1, uploaded_by="test"),
        ]
    )
    db.commit()


def test_the_gap_is_the_victims_rate_less_the_forces_mean_rate(db: Session) -> None:
    _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q4", min_cell=10)
    assert [row.right for row in view.rights] == list(range(1, 13))
    assert view.quarters == ["2026-Q3", "2026-Q4"]
    right_1, right_3 = view.rights[0], view.rights[2]
    assert right_1.title == "To be able to understand and to be understood"
    assert (right_1.n, right_1.positive, right_1.suppressed) == (24, 14, False)
    assert right_1.rate == pytest.approx(14 / 24)
    assert (right_1.ci_low, right_1.ci_high) == pytest.approx(wilson_interval(14, 24))
    assert right_1.force_rate == pytest.approx(0.8)
    assert right_1.gap == pytest.approx(14 / 24 - 0.8)
    # Too few answers: suppressed, and so no gap, but the force's own rate still shows.
    assert right_3.suppressed and right_3.n is None and right_3.rate is None
    assert right_3.force_rate == pytest.approx(0.95) and right_3.gap is None
    # Nothing asked about right 2 and nothing self-assessed.
    assert view.rights[1].suppressed and view.rights[1].force_rate is None

    one_quarter = victims_code_view(db, "2026-Q3", "2026-Q3", min_cell=10)
    assert one_quarter.rights[0].n == 12 and one_quarter.rights[0].force_rate == 0.9
    assert one_quarter.rights[0].gap == pytest.approx(8 / 12 - 0.9)


def test_victims_code_endpoint(client: TestClient, db: Session) -> None:
    _fill(db)
    headers = api_headers(db, Role.analyst)
    body = client.get("/api/v1/aggregates/victims-code?from=2026-07&to=2026-12", headers=headers)
    assert body.status_code == 200
    data = body.json()
    assert data["min_cell"] == 10 and len(data["rights"]) == 12
    assert set(data["rights"][0]) >= {
        "right",
        "title",
        "n",
        "positive",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "force_rate",
        "gap",
    }
    assert data["rights"][0]["gap"] == pytest.approx(14 / 24 - 0.8)
    csv_body = client.get("/api/v1/aggregates/victims-code?format=csv", headers=headers).text
    header, first = csv_body.splitlines()[:2]
    assert header == "right,title,n,positive,rate,ci_low,ci_high,suppressed,force_rate,gap"
    assert first.startswith("1,To be able to understand and to be understood,24,14,")
    bad = client.get("/api/v1/aggregates/victims-code?from=2026-Q9", headers=headers)
    assert bad.status_code == 422


def test_reading_a_self_assessment_without_the_role_is_refused_and_audited(
    client: TestClient, db: Session
) -> None:
    response = client.get("/api/v1/self-assessments/2026-Q3", headers=api_headers(db, Role.editor))

    assert response.status_code == 403
    db.expire_all()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert event.object_id == "/self-assessments/{period}"
    assert event.detail["required_roles"] == ["analyst", "uploader"]
    db.rollback()
    analyst = client.get("/api/v1/self-assessments/2026-Q3", headers=api_headers(db, Role.analyst))
    assert analyst.json() == {"period": "2026-Q3", "rights": {}}
