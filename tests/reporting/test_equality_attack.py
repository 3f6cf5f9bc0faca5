"""Attacks on the equality dimensions over HTTP (issue 13): odd combinations are answered or
refused (422), never a 500, and every answer that uses a characteristic carries 2 × min_cell."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import aspect_bank, submit_response

BASE = "/api/v1/aggregates/{metric}?from=2026-07&to=2026-07"


@pytest.mark.parametrize(
    "query",
    [
        "&group_by=age_band&age_band=25_to_34",
        "&group_by=age_band,age_band",
        "&age_band=",
        "&group_by=age_band&crime_group=general&touchpoint=outcome&mode=self&format=csv",
        "&sex=female&mode=self&group_by=month",
        "&sex=female&group_by=quarter,crime_group",
        "&group_by=sex&age_band=25_to_34",
        "&group_by=AGE_BAND",
        "&age_band=under_18&format=csv",
        "&sex=female%00",
        "&group_by=disability,touchpoint,crime_group",
    ],
)
@pytest.mark.parametrize("metric", ["satisfaction.overall", "victims_code.right_6"])
def test_odd_equality_queries_are_answered_or_refused(
    client: TestClient, db: Session, query: str, metric: str
) -> None:
    version = create_bank_version(db, aspect_bank("general"))
    for age in ("25_to_34", "under_18", "65_or_over"):
        submit_response(
            db,
            version,
            {"sat_overall": "neither", "decision_told": "yes", "equality_gate": "yes",
             "age_band": age, "sex": "female"},
            touchpoint="outcome",
            commit=False,
        )  # fmt: skip
    db.commit()
    answer = client.get(BASE.format(metric=metric) + query, headers=api_headers(db, Role.analyst))
    assert answer.status_code in (200, 400, 422), answer.text[:300]
    assert "under_18" not in answer.text or answer.status_code != 200
    if answer.status_code == 200 and "format=csv" not in query:
        body = answer.json()
        # Every query here uses a characteristic but the blank filter (no filter: min_cell).
        uses = query != "&age_band="
        assert body["min_cell"] == (20 if uses else 10)
        assert all(cell["suppressed"] for cell in body["cells"])
