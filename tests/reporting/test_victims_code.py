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
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.csv_files import figures_text
from tests.reporting.factories import published, small_bank, submit_response


def test_uploader_puts_a_self_assessment_and_can_replace_it(
    client: TestClient, db: Session
) -> None:
    headers = api_headers(db, Role.uploader)
    first = client.put(
        "/api/v1/self-assessments/2026-Q3", json={"rights": {"1": 0.92, "3": 1}}, headers=headers
    )
    assert first.status_code == 200
    assert first.json() == {"period": "2026-Q3", "rights": {"1": 0.92, "3": 1.0}, "entries": []}
    second = client.put(
        "/api/v1/self-assessments/2026-Q3", json={"rights": {"1": 0.5}}, headers=headers
    )
    assert second.json() == {"period": "2026-Q3", "rights": {"1": 0.5, "3": 1.0}, "entries": []}
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
        # Digits of other scripts: "\u0663" is 3 to int(), and must not be taken as right 3.
        ("2026-Q1", {"rights": {"\u0663": 0.5}}, ["body", "rights", "\u0663"]),
        ("2026-Q1", {"rights": {"\u0661\u0662": 0.5}}, ["body", "rights", "\u0661\u0662"]),
        ("2026-Q1", {"rights": {"\uff13": 0.5}}, ["body", "rights", "\uff13"]),
        ("2026-Q1", {"rights": {" 3": 0.5}}, ["body", "rights", " 3"]),
        ("2026-Q1", {"rights": {"9" * 5000: 0.5}}, ["body", "rights", "9" * 5000]),
        ("\u0662\u0660\u0662\u0666-Q1", {"rights": {"3": 0.5}}, ["path", "period"]),
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


@pytest.mark.parametrize(
    "period",
    ["\u0662\u0660\u0662\u0666-Q3", "2026-Q\u0663", "2026-Q\uff13", "99999999999999999999-Q3"],
)
def test_a_period_in_other_digits_is_422_when_read(
    client: TestClient, db: Session, period: str
) -> None:
    headers = api_headers(db, Role.uploader)
    client.put("/api/v1/self-assessments/2026-Q3", json={"rights": {"3": 0.5}}, headers=headers)
    response = client.get(f"/api/v1/self-assessments/{period}", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert ["path", "period"] in [error["loc"] for error in response.json()["errors"]]


@pytest.mark.parametrize("spelling", ["%202026-Q3", "2026-Q3%20", "2026-Q3%0A"])
def test_a_period_is_read_as_it_is_saved_whatever_its_spaces(
    client: TestClient, db: Session, spelling: str
) -> None:
    """A PUT saves the quarter without its spaces, so a GET spelt the same way reads it back
    (not an empty self-assessment under a period nothing is stored as)."""
    headers = api_headers(db, Role.uploader)
    saved = client.put(
        f"/api/v1/self-assessments/{spelling}", json={"rights": {"3": 0.5}}, headers=headers
    )
    assert saved.json() == {"period": "2026-Q3", "rights": {"3": 0.5}, "entries": []}
    read = client.get(f"/api/v1/self-assessments/{spelling}", headers=headers)
    assert read.json() == saved.json()


def test_only_uploaders_put_self_assessments(client: TestClient, db: Session) -> None:
    for role in (Role.analyst, Role.editor):
        response = client.put(
            "/api/v1/self-assessments/2026-Q3",
            json={"rights": {"1": 0.5}},
            headers=api_headers(db, role),
        )
        assert response.status_code == 403


def _fill(db: Session) -> dict[str, list[Response]]:
    version = create_bank_version(db, small_bank("general"))
    # Right 1 at reporting: Q3 has 30 yes, 12 no, 2 don't know; Q4 has 20 yes, 20 no.
    # Right 3 (reporting only): 3 answers, below the minimum.
    made: dict[str, list[Response]] = {"q3_yes": [], "q3_no": [], "q4_yes": [], "q4_no": []}
    answers = [("yes", "yes")] * 3 + [("yes", None)] * 27 + [("no", None)] * 12
    answers += [("dont_know", None)] * 2
    for right_1, right_3 in answers:
        response = submit_response(
            db,
            version,
            {"right_understood": right_1, "right_information": right_3},
            month=date(2026, 8, 1),
            commit=False,
        )
        if right_1 in ("yes", "no"):
            made[f"q3_{right_1}"].append(response)
    for code in ["yes"] * 20 + ["no"] * 20:
        response = submit_response(
            db, version, {"right_understood": code}, month=date(2026, 11, 1), commit=False
        )
        made[f"q4_{code}"].append(response)
    db.add_all(
        [
            SelfAssessment(period="2026-Q3", right=1, rate=0.9, uploaded_by="test"),
            SelfAssessment(period="2026-Q4", right=1, rate=0.7, uploaded_by="test"),
            SelfAssessment(period="2026-Q3", right=3, rate=0.95, uploaded_by="test"),
            SelfAssessment(period="2027-Q1", right=1, rate=0.1, uploaded_by="test"),
        ]
    )
    db.commit()
    return made


def test_the_gap_is_the_victims_rate_less_the_forces_mean_rate(db: Session) -> None:
    made = _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q4")
    assert [row.right for row in view.rights] == list(range(1, 13))
    assert view.quarters == ["2026-Q3", "2026-Q4"]
    right_1, right_3 = view.rights[0], view.rights[2]
    assert right_1.title == "To be able to understand and to be understood"
    # Two quarters: two pieces, each with its yes and its no published once.
    positive = published(made["q3_yes"]) + published(made["q4_yes"])
    n = positive + published(made["q3_no"]) + published(made["q4_no"])
    assert (right_1.n, right_1.positive, right_1.suppressed) == (n, positive, False)
    assert right_1.rate == pytest.approx(positive / n)
    assert (right_1.ci_low, right_1.ci_high) == pytest.approx(wilson_interval(positive, n))
    assert right_1.force_rate == pytest.approx(0.8)
    assert right_1.low_base is False
    assert right_1.gap == pytest.approx(positive / n - 0.8)
    # Too few answers: suppressed, and so no gap, but the force's own rate still shows.
    assert right_3.suppressed and right_3.n is None and right_3.rate is None
    assert right_3.force_rate == pytest.approx(0.95) and right_3.gap is None
    # Nothing asked about right 2 and nothing self-assessed.
    assert view.rights[1].suppressed and view.rights[1].force_rate is None
    assert view.disclosure.max_adjustment == 8

    one_quarter = victims_code_view(db, "2026-Q3", "2026-Q3")
    q3 = one_quarter.rights[0]
    assert q3.n == published(made["q3_yes"]) + published(made["q3_no"])
    assert q3.force_rate == 0.9
    # 42 answers: low base, so no gap is given.
    assert q3.low_base is True and q3.gap is None
    assert one_quarter.disclosure.max_adjustment == 4


def test_victims_code_endpoint(client: TestClient, db: Session) -> None:
    _fill(db)
    headers = api_headers(db, Role.analyst)
    body = client.get("/api/v1/aggregates/victims-code?from=2026-07&to=2026-12", headers=headers)
    assert body.status_code == 200
    data = body.json()
    assert data["min_cell"] == 10 and len(data["rights"]) == 12
    assert data["disclosure"] == {"method": "cell_key", "min_cell": 10, "max_adjustment": 8}
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
        "low_base",
    }
    first = data["rights"][0]
    assert first["gap"] == pytest.approx(first["rate"] - 0.8)
    # The same cell as the aggregate of the right's metric, for the same period.
    metric = client.get(
        "/api/v1/aggregates/victims_code.right_1?from=2026-07&to=2026-12", headers=headers
    ).json()["cells"][0]
    assert (first["n"], first["positive"], first["rate"]) == (
        metric["n"],
        metric["positive"],
        metric["rate"],
    )
    csv_body = client.get(
        "/api/v1/aggregates/victims-code?from=2026-07&to=2026-12&format=csv", headers=headers
    ).text
    header, row = figures_text(csv_body).splitlines()[:2]
    assert header == (
        "right,title,n,positive,rate,ci_low,ci_high,suppressed,force_rate,gap,low_base,"
        "agency,dont_know,force_numerator,force_denominator,gap_call,gap_ci_low,gap_ci_high,"
        "part_of_right,disclosure_method,min_cell,max_adjustment"
    )
    assert row.startswith(
        f"1,To be able to understand and to be understood,{first['n']},{first['positive']},"
    )
    bad = client.get("/api/v1/aggregates/victims-code?from=2026-Q9", headers=headers)
    assert bad.status_code == 422
    too_long = client.get(
        "/api/v1/aggregates/victims-code?from=2020-01&to=2026-12", headers=headers
    )
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["loc"] == ["query", "to"]


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
    assert analyst.json() == {"period": "2026-Q3", "rights": {}, "entries": []}


@pytest.mark.parametrize(
    "parameter", ["area=E01", "language=ur", "group_by=area", "sex=female", "age_band=age_18_to_24"]
)
def test_the_view_refuses_a_split_it_cannot_make(
    client: TestClient, db: Session, parameter: str
) -> None:
    """Found by the issue 14 attack: `?area=` was ignored and the answer looked split."""
    headers = api_headers(db, Role.analyst)
    response = client.get(f"/api/v1/aggregates/victims-code?{parameter}", headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    name = parameter.split("=")[0]
    assert any(error["loc"][-1] == name for error in response.json()["errors"])
