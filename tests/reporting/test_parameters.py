"""Periods, crime groups and touchpoints are checked in one place (issue 10): the aggregates
API shows the checks' problems as problem+json field errors, and the dashboard and comment
pages show the same problems as a GOV.UK error summary in their own words."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting import parameters
from app.reporting.dashboard_filters import PAGE_TEXTS
from tests.auth_helpers import api_headers, signed_in_client

REPORTING = Path(__file__).resolve().parents[2] / "app" / "reporting"
# Query → the problems both the API and the pages find in it.
BAD: list[tuple[dict[str, str], list[tuple[str, parameters.Kind]]]] = [
    ({"from": "2026-13", "to": "2026-Q9"}, [("from", "format"), ("to", "format")]),
    ({"from": "2026-Q4", "to": "2026-Q1"}, [("to", "order")]),
    ({"from": "2019-04", "to": "2026-03"}, [("to", "span")]),
    ({"from": "2026-Q1", "to": "2026-Q1", "crime_group": "burglary"}, [("crime_group", "choice")]),
    ({"from": "2026-Q1", "to": "2026-Q1", "touchpoint": "phone"}, [("touchpoint", "choice")]),
]


def _problems(query: dict[str, str]) -> list[parameters.Problem]:
    first, last, problems = parameters.parse_bounds(query.get("from"), query.get("to"))
    if first and last:
        problems += parameters.span_problems(first, last)
    return problems + parameters.parse_choices(query)[1]


@pytest.mark.parametrize("query,expected", BAD, ids=lambda value: str(value))
def test_the_api_and_the_dashboard_find_the_same_problems(
    client: TestClient, db: Session, query: dict[str, str], expected: list[Any]
) -> None:
    problems = _problems(query)
    assert [(problem.field, problem.kind) for problem in problems] == expected
    headers = api_headers(db, Role.analyst)
    staff = signed_in_client(client, db, [Role.analyst])

    api = client.get("/api/v1/aggregates/satisfaction.overall", params=query, headers=headers)
    page = staff.get("/staff/dashboard", params=query)

    assert api.status_code == 422
    assert api.json()["errors"] == [problem.api_error() for problem in problems]
    assert page.status_code == 200 and "There is a problem with the filters" in page.text
    for text, anchor in (PAGE_TEXTS[(p.field, p.kind)] for p in problems):
        assert text in page.text and f'href="#{anchor}"' in page.text


def test_the_comment_page_reports_a_crime_group_not_in_the_list(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get("/staff/comments", params={"crime_group": "burglary", "touchpoint": "x"})

    assert page.status_code == 200
    assert "Choose a crime group from the list" in page.text
    assert "Choose a touchpoint from the list" in page.text


@pytest.mark.parametrize(
    "path", sorted(set(REPORTING.glob("*.py")) - {REPORTING / "parameters.py"}), ids=str
)
def test_no_other_module_checks_crime_groups_or_touchpoints_itself(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert not re.search(r"(CrimeGroup|Touchpoint)\.__members__|in \{\w\.value for", source)
