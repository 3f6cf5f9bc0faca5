"""Attack pass on issue 14's additions: odd input is a clear 4xx, never a 500."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.reporting.models import SelfAssessment, SelfAssessmentEntry
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.test_compliance_entries import entry
from tests.reporting.test_crosstab import METRIC, _population, isva_bank

CROSSTAB = "/api/v1/aggregates/crosstab"
SELF = "/api/v1/self-assessments/2026-Q3"
REVIEWS = "/api/v1/compliance/reviews"
BASE = {"metric": METRIC, "by": "isva_offered", "from": "2026-Q3", "to": "2026-Q3"}


@pytest.mark.parametrize(
    "extra",
    [
        {"by": "isva\u0000offered"},
        {"metric": "sat\u0000"},
        {"by": "x" * 5000},
        {"from": "9999-Q4", "to": "9999-Q4"},
        {"from": "0000-Q1"},
        {"from": "2026-Q3\u0000"},
        {"crime_group": "\u0000"},
        {"mode": "x" * 10000},
        {"touchpoint": "nope"},
        {"group_by": "\u0000"},
        {"from": "2026-Q4", "to": "2026-Q1"},
        {"from": "99999999999999999999-Q1"},
        {"group_by": "answer"},
        {"group_by": "by_code"},
        {"group_by": "ethnicity"},
        {"sex": "female"},
        {"from": "2026-07", "to": "2026-08"},
        {"from": "2010-Q1", "to": "2026-Q4", "group_by": "quarter"},
    ],
)
def test_crosstab_odd_input_is_a_clear_refusal(
    client: TestClient, db: Session, extra: dict[str, Any]
) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4), "no": (5, 8)})
    answer = client.get(CROSSTAB, params={**BASE, **extra}, headers=api_headers(db, Role.analyst))
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_crosstab_repeated_params(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4), "no": (5, 8)})
    query = f"metric={METRIC}&by=isva_offered&by=sat_overall&from=2026-Q3&to=2026-Q3"
    query += "&group_by=mode&group_by=mode&group_by=crime_group"
    answer = client.get(f"{CROSSTAB}?{query}", headers=api_headers(db, Role.analyst))
    assert answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    "changes",
    [
        {"numerator": 300, "denominator": 200},
        {"numerator": -1},
        {"denominator": -5, "numerator": -10},
        {"numerator": 1.5},
        {"numerator": True},
        {"denominator": True, "numerator": True},
        {"numerator": 2**63, "denominator": 2**63 + 1},
        {"numerator": 2**70, "denominator": 2**70},
        {"denominator": 10**30},
        {"narrative": "a\u0000b"},
        {"definition": "a\u0000b"},
        {"method": "\u0000"},
        {"narrative": "x" * 1_000_000},
        {"agency": "mi5"},
        {"numerator": 2**31, "denominator": 2**31},
        {"agency": "\u0000"},
        {"right": 2**70},
        {"right": True},
        {"crime_group": "\u0000"},
        {"crime_group": "nope"},
        {"rag": "\u0000"},
    ],
)
def test_self_assessment_odd_entries_are_422_and_nothing_written(
    client: TestClient, db: Session, changes: dict[str, Any]
) -> None:
    body = {"entries": [entry(**changes)]}
    answer = client.put(SELF, json=body, headers=api_headers(db, Role.uploader))
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert db.exec(select(SelfAssessmentEntry)).all() == []
    assert db.exec(select(SelfAssessment)).all() == []


@pytest.mark.parametrize(
    "rights",
    [{"6": 2**70}, {"6": "nan"}, {"6": float("inf")}, {"6": -0.1}, {"6": True}, {"\u0000": 0.5}],
)
def test_self_assessment_odd_rights_are_422(
    client: TestClient, db: Session, rights: dict[str, Any]
) -> None:
    import json

    answer = client.put(
        SELF,
        content=json.dumps({"rights": rights}),
        headers={**api_headers(db, Role.uploader), "content-type": "application/json"},
    )
    assert answer.status_code == 422, answer.text


@pytest.mark.parametrize(
    "change",
    [
        {"held_on": "0001-01-01"},
        {"held_on": "9999-12-31"},
        {"held_on": "2026-02-30"},
        {"held_on": "\u0000"},
        {"other_bodies": "\u0000"},
        {"decisions": "x" * 1_000_000},
        {"rights": [2**70]},
        {"rights": list(range(1, 13)) * 1000},
        {"bodies": ["police"] * 10000},
    ],
)
def test_review_odd_input(client: TestClient, db: Session, change: dict[str, Any]) -> None:
    good = {
        "held_on": "2026-11-30",
        "bodies": ["cps", "police"],
        "other_bodies": "",
        "decisions": "Decided.",
        "rights": [8],
    }
    answer = client.post(REVIEWS, json={**good, **change}, headers=api_headers(db, Role.approver))
    assert answer.status_code < 500, answer.text


def _stepping_back_bank() -> dict[str, Any]:
    document = isva_bank()
    document["sections"][0]["questions"].append(
        {
            "id": "stepping_back",
            "type": "yes_no",
            "text": "Did you think about stepping back from the investigation?",
            "measures": ["attrition"],
            "options": [{"code": code, "label": code} for code in ("yes", "no")],
        }
    )
    return document


def test_a_sensitive_question_cannot_split_a_crosstab(db: Session) -> None:
    """Attack: 12 victims, every one thought about stepping back. The attrition figure hides
    that (too few answered either way), but satisfaction *by* the stepping-back answer showed
    a cell of 12 beside the plain satisfaction count of 12: all of them, with certainty."""
    from app.errors import InvalidInput
    from app.reporting.aggregates import aggregate_metric
    from app.reporting.crosstabs import crosstab
    from tests.reporting.factories import submit_response

    version = create_bank_version(db, _stepping_back_bank())
    for index in range(12):
        submit_response(
            db,
            version,
            {
                "sat_overall": "very_satisfied" if index % 2 else "very_dissatisfied",
                "stepping_back": "yes",
            },
            month=date(2026, 7, 1),
            commit=False,
        )
    db.commit()
    plain = aggregate_metric(db, "attrition", [], {}, "2026-Q3", "2026-Q3")
    assert all(cell.suppressed for cell in plain.cells)
    with pytest.raises(InvalidInput):
        crosstab(db, METRIC, "stepping_back", [], {}, "2026-Q3", "2026-Q3")


@pytest.mark.parametrize(
    ("by", "text"),
    [("stepping_back", "does not feed a sensitive measure"), ("isva\u0000", "Error")],
)
def test_the_page_refuses_a_sensitive_or_odd_by_question(
    client: TestClient, db: Session, by: str, text: str
) -> None:
    from tests.auth_helpers import signed_in_client

    create_bank_version(db, _stepping_back_bank())
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get("/staff/crosstab", params={**BASE, "by": by})
    assert page.status_code == 422
    assert text in page.text


@pytest.mark.parametrize(
    "changes",
    [
        {"numerator": "9" * 5000},  # past Python's int() digit limit
        {"denominator": "9" * 20, "numerator": "9" * 19},
        {"numerator": "٣"},  # a non-ASCII digit
        {"narrative": "x" * 100_000},
        {"period": "9999-Q4"},
        {"right": "9" * 5000},
    ],
)
def test_the_self_assessment_page_refuses_odd_numbers(
    client: TestClient, db: Session, changes: dict[str, str]
) -> None:
    from tests.auth_helpers import signed_in_client
    from tests.reporting.test_compliance_pages import URL, _form

    staff = signed_in_client(client, db, [Role.uploader])
    staff.get(URL)
    response = staff.post(URL, data=_form(staff, **changes), follow_redirects=False)
    assert response.status_code in (303, 413, 422), response.text[:300]
    if response.status_code != 303:
        assert db.exec(select(SelfAssessmentEntry)).all() == []


@pytest.mark.parametrize("period", ["9999-Q4", "0001-Q1", "2026-Q3\u0000", "x" * 5000, "2026-Q5"])
@pytest.mark.parametrize("path", ["/reports/quarterly", "/reports/quarterly.zip"])
def test_report_odd_period_is_not_a_500(
    client: TestClient, db: Session, period: str, path: str
) -> None:
    from tests.auth_helpers import signed_in_client

    staff = signed_in_client(client, db, [Role.analyst])
    response = staff.get(path, params={"period": period})
    assert response.status_code in (200, 404, 422), response.text[:300]


@pytest.mark.parametrize(
    "params",
    [
        {"from": "9999-Q4", "to": "9999-Q4"},
        {"from": "0001-Q1"},
        {"crime_group": "\u0000"},
        {"crime_group": "x" * 5000},
        {"from": "2026-Q3", "to": "2026-Q1"},
        {"format": "xml"},
    ],
)
def test_moj_metrics_odd_params(client: TestClient, db: Session, params: dict[str, str]) -> None:
    answer = client.get(
        "/api/v1/compliance/moj-metrics", params=params, headers=api_headers(db, Role.analyst)
    )
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "params",
    [
        {"crime_group": "\u0000"},
        {"touchpoint": "x" * 5000},
        {"touchpoint": "court", "crime_group": "nope"},
        {"from": "9999-Q4", "to": "9999-Q4"},
        {"from": "2026-07", "to": "2026-07", "group_by": "area"},
    ],
)
def test_victims_code_odd_params(client: TestClient, db: Session, params: dict[str, str]) -> None:
    answer = client.get(
        "/api/v1/aggregates/victims-code", params=params, headers=api_headers(db, Role.analyst)
    )
    assert answer.status_code < 500, answer.text


@pytest.mark.parametrize("period", ["2026-Q3%00", "9999-Q4", "x" * 5000, "%C0%80"])
def test_self_assessment_get_odd_period(client: TestClient, db: Session, period: str) -> None:
    answer = client.get(
        f"/api/v1/self-assessments/{period}", headers=api_headers(db, Role.uploader)
    )
    assert answer.status_code < 500, answer.text


@pytest.mark.parametrize(
    "content",
    [
        "[]",
        "null",
        '"x"',
        '{"entries": "x"}',
        '{"entries": {"0": {}}}',
        '{"entries": [null]}',
        '{"entries": [[1, 2]]}',
        '{"rights": [0.5]}',
        '{"rights": {"6": 0.5}, "entries": [{"right": "6", "agency": ["police"]}]}',
        "{" * 10000,
        '{"entries": [' + ",".join(['{"right": 6}'] * 5000) + "]}",
    ],
)
def test_self_assessment_odd_bodies(client: TestClient, db: Session, content: str) -> None:
    answer = client.put(
        SELF,
        content=content,
        headers={**api_headers(db, Role.uploader), "content-type": "application/json"},
    )
    assert answer.status_code in (413, 422), answer.text[:300]
    assert db.exec(select(SelfAssessmentEntry)).all() == []


@pytest.mark.parametrize("where", ["question", "section"])
def test_a_question_marked_sensitive_cannot_split_a_crosstab(db: Session, where: str) -> None:
    """A sensitive question that feeds no measure (how safe do you feel at home?) split the
    same way; the bank's own `sensitive` flag, on the question or its section, refuses it."""
    from app.errors import InvalidInput
    from app.reporting.crosstabs import crosstab

    document = isva_bank()
    question = {
        "id": "safe_at_home",
        "type": "yes_no",
        "text": "Do you feel safe at home?",
        "options": [{"code": code, "label": code} for code in ("yes", "no")],
    }
    if where == "question":
        question["sensitive"] = True
        document["sections"][0]["questions"].append(question)
    else:
        document["sections"].append({"id": "feelings", "sensitive": True, "questions": [question]})
    version = create_bank_version(db, document)
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4)})
    with pytest.raises(InvalidInput):
        crosstab(db, METRIC, "safe_at_home", [], {}, "2026-Q3", "2026-Q3")


@pytest.mark.parametrize(
    "change",
    [
        {"held_on": "0001-01-01"},
        {"held_on": "2026-02-30"},
        {"held_on": "9999-12-31"},
        {"decisions": "a\u0000b"},
        {"other_bodies": "\u0000"},
        {"rights": ["9" * 5000]},
        {"rights": ["\u0661"]},
        {"bodies": ["\u0000"]},
    ],
)
def test_the_review_page_refuses_odd_input(
    client: TestClient, db: Session, change: dict[str, Any]
) -> None:
    from app.reporting.review_models import ComplianceReview
    from tests.auth_helpers import signed_in_client, staff_csrf_token

    staff = signed_in_client(client, db, [Role.approver])
    staff.get("/staff/compliance/reviews")
    data = {
        "held_on": "2026-11-30",
        "bodies": ["police", "cps"],
        "decisions": "Review right 6 updates next quarter.",
        "rights": ["6"],
        "csrf_token": staff_csrf_token(staff),
        **change,
    }
    page = staff.post("/staff/compliance/reviews", data=data)
    assert page.status_code == 422, page.text[:300]
    assert db.exec(select(ComplianceReview)).all() == []
