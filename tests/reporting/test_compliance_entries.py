"""Self-assessment entries per right × agency × quarter (issue 14): the API's second format."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.models import SelfAssessment, SelfAssessmentEntry
from tests.auth_helpers import api_headers

URL = "/api/v1/self-assessments/2026-Q3"


def entry(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "right": 6,
        "agency": "police",
        "numerator": 180,
        "denominator": 200,
        "definition": "Victims updated at the agreed frequency",
        "method": "Audit of 200 crime records",
        "rag": "green",
        "narrative": "Updates are on track.",
    }
    base.update(changes)
    return base


def test_entries_are_saved_read_back_and_replaced(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.uploader)
    body = {
        "entries": [
            entry(),
            entry(
                right=8,
                agency="cps",
                numerator=30,
                denominator=60,
                rag="amber",
                crime_group="rasso",
            ),
            entry(right=8, agency="witness_care", crime_group=""),  # "": every crime group
        ]
    }
    saved = client.put(URL, json=body, headers=headers)
    assert saved.status_code == 200, saved.text
    data = saved.json()
    assert data["period"] == "2026-Q3" and data["rights"] == {}
    assert [(e["right"], e["agency"], e["crime_group"], e["rate"]) for e in data["entries"]] == [
        (6, "police", None, 0.9),
        (8, "cps", "rasso", 0.5),
        (8, "witness_care", None, 0.9),
    ]
    assert data["entries"][0]["definition"] == "Victims updated at the agreed frequency"
    # The old format beside the new, in one body or another: both stay.
    again = client.put(
        URL,
        json={"rights": {"1": 0.8}, "entries": [entry(numerator=150, rag="amber")]},
        headers=headers,
    )
    assert again.status_code == 200
    assert again.json()["rights"] == {"1": 0.8}
    assert [(e["right"], e["numerator"], e["rag"]) for e in again.json()["entries"]] == [
        (6, 150, "amber"),
        (8, 30, "amber"),
        (8, 180, "green"),
    ]
    db.expire_all()
    assert len(db.exec(select(SelfAssessmentEntry)).all()) == 3
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "self_assessment.upload")).all()
    assert events[-1].detail == {
        "period": "2026-Q3",
        "rights": [1],
        "entries": [[6, "police", None]],
    }
    db.rollback()
    read = client.get(URL, headers=api_headers(db, Role.analyst))
    assert read.json() == again.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"right": 13}, "right"),
        ({"right": True}, "right"),
        ({"agency": "courts"}, "agency"),  # right 6 is the police's alone
        ({"agency": "ministry"}, "agency"),
        ({"crime_group": "burglary"}, "crime_group"),
        ({"numerator": -1}, "numerator"),
        ({"numerator": 1.5}, "numerator"),
        ({"numerator": 201}, "numerator"),
        ({"denominator": 0}, "denominator"),
        ({"denominator": "200"}, "denominator"),
        ({"definition": " "}, "definition"),
        ({"method": None}, "method"),
        ({"narrative": "x" * 4001}, "narrative"),
        ({"rag": "blue"}, "rag"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_a_bad_entry_field_is_422_and_nothing_is_written(
    client: TestClient, db: Session, changes: dict[str, Any], field: str
) -> None:
    body = {"rights": {"1": 0.5}, "entries": [entry(right=1, agency="courts"), entry(**changes)]}
    response = client.put(URL, json=body, headers=api_headers(db, Role.uploader))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert ["body", "entries", 1, field] in [error["loc"] for error in response.json()["errors"]]
    assert db.exec(select(SelfAssessmentEntry)).all() == []
    assert db.exec(select(SelfAssessment)).all() == []


def test_every_bad_field_is_listed(client: TestClient, db: Session) -> None:
    body = {
        "rights": {"14": 0.5},
        "entries": [entry(rag="blue", denominator=0), entry(), entry(), "not an entry"],
    }
    response = client.put(
        "/api/v1/self-assessments/2026-Q9", json=body, headers=api_headers(db, Role.uploader)
    )
    locs = [error["loc"] for error in response.json()["errors"]]
    assert ["path", "period"] in locs and ["body", "rights", "14"] in locs
    assert ["body", "entries", 0, "rag"] in locs and ["body", "entries", 0, "denominator"] in locs
    assert ["body", "entries", 2] in locs  # the same right, agency and crime group twice
    assert ["body", "entries", 3] in locs


@pytest.mark.parametrize("body", [{}, {"entries": []}, {"rights": None, "entries": None}])
def test_a_body_without_rights_or_entries_is_422(
    client: TestClient, db: Session, body: dict[str, Any]
) -> None:
    response = client.put(URL, json=body, headers=api_headers(db, Role.uploader))
    assert response.status_code == 422


def test_only_uploaders_put_entries(client: TestClient, db: Session) -> None:
    response = client.put(URL, json={"entries": [entry()]}, headers=api_headers(db, Role.analyst))
    assert response.status_code == 403


def test_a_right_written_with_a_leading_zero_is_422(client: TestClient, db: Session) -> None:
    """Found by the issue 14 attack: "06" and "6" both meant right 6 and the last one won."""
    body = {"rights": {"6": 0.5, "06": 0.9}}
    response = client.put(URL, json=body, headers=api_headers(db, Role.uploader))
    assert response.status_code == 422
    assert ["body", "rights", "06"] in [error["loc"] for error in response.json()["errors"]]
    assert db.exec(select(SelfAssessment)).all() == []
