"""One domain error, two faces: problem+json field errors on the API, a GOV.UK error summary
on the page. Both come from the same `FieldError`s the service raised."""

from __future__ import annotations

import html
import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app import errors
from app.enums import Role
from app.errors import InvalidInput
from app.reporting import actions, parameters, report, self_assessments
from app.reporting.page_texts import ACTION_TEXTS
from tests.auth_helpers import api_headers, signed_in_client, staff_csrf_token


def _summary(page: str) -> list[dict[str, str]]:
    """The error summary's items as the page shows them: link target and text."""
    block = page.split("govuk-error-summary__list", 1)[1].split("</ul>", 1)[0]
    return [
        {"text": html.unescape(re.sub(r"\s+", " ", text)).strip(), "href": href}
        for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', block, re.S)
    ]


def test_an_action_error_is_the_same_on_the_api_and_the_page(
    client: TestClient, db: Session
) -> None:
    with pytest.raises(InvalidInput) as raised:
        actions.clean_action(text="   ", crime_group=None)
    raised_errors = raised.value.field_errors

    api = client.post(
        "/api/v1/actions", json={"text": "   "}, headers=api_headers(db, Role.approver)
    )
    staff = signed_in_client(client, db, [Role.approver])
    page = staff.post("/staff/actions", data={"text": "   ", "csrf_token": staff_csrf_token(staff)})

    assert api.status_code == 422 and page.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["errors"] == errors.problem_errors(raised_errors)
    assert api.json()["errors"] == [{"loc": ["body", "text"], "msg": "Enter the text."}]
    assert _summary(page.text) == errors.error_summary(raised_errors, ACTION_TEXTS)
    assert _summary(page.text) == [{"text": "Enter what was done", "href": "#text"}]


def test_the_page_shows_every_problem_the_service_finds(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])

    page = staff.post(
        "/staff/actions",
        data={"text": "x" * 1001, "crime_group": "burglary", "csrf_token": staff_csrf_token(staff)},
    )

    assert page.status_code == 422
    assert _summary(page.text) == [
        {"text": "What was done must be 1000 characters or fewer", "href": "#text"},
        {"text": "Choose who this is for", "href": "#crime_group"},
    ]


def test_a_page_without_words_for_an_error_names_where_it_is() -> None:
    error = errors.FieldError(("query", "period"), "Use YYYY-Qn.", "format")

    assert errors.error_summary([error], {}) == [{"text": "query period: Use YYYY-Qn."}]
    assert errors.error_summary([error], {("period", "format"): ("Enter a quarter", "q")}) == [
        {"text": "Enter a quarter", "href": "#q"}
    ]
    assert errors.problem_errors([error]) == [{"loc": ["query", "period"], "msg": "Use YYYY-Qn."}]


def test_a_quarter_is_parsed_once_for_the_report_and_the_self_assessment() -> None:
    assert parameters.parse_quarter(" 2026-Q3 ") == "2026-Q3"
    problem = parameters.parse_quarter("2026-Q5")
    assert isinstance(problem, parameters.Problem) and problem.kind == parameters.Kind.FORMAT

    with pytest.raises(InvalidInput) as report_error:
        report.parse_report_period("2026-Q5", date(2026, 12, 1))
    with pytest.raises(InvalidInput) as saved_error:
        self_assessments.parse_self_assessment("2026-Q5", {"1": 0.5})

    assert report_error.value.errors == [problem.api_error("query")]
    assert saved_error.value.errors == [problem.api_error("path")]


def test_the_comment_page_words_every_period_problem_once(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst])

    both_wrong = staff.get("/staff/comments", params={"from": "2026-13", "to": "soon"})
    backwards = staff.get("/staff/comments", params={"from": "2026-09", "to": "2026-01"})

    period = {"text": "Enter months like 2026-07 or quarters like 2026-Q3", "href": "#from"}
    assert both_wrong.status_code == 200 and _summary(both_wrong.text) == [period]
    assert backwards.status_code == 200 and _summary(backwards.text) == [period]
