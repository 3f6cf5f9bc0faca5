"""Attack pass on issue 15's staff pages of the action log: hostile forms and ids are a GOV.UK
page (error summary or not found) with nothing written, never a 500; a partner's page of the log
shows no other group's figure."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.models import PublishedAction
from tests.auth_helpers import api_headers, signed_in_client, staff_csrf_token
from tests.reporting.test_actions_api import FULL, URL, _fill, _rows
from tests.reporting.test_actions_pages import FORM

HUGE_ID = "9" * 30


@pytest.mark.parametrize("action_id", [HUGE_ID, "2147483648", "-1"])
def test_an_odd_action_id_on_the_staff_pages_is_a_page_not_a_500(
    client: TestClient, db: Session, action_id: str
) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    token = staff_csrf_token(staff)

    shown = staff.get(f"/staff/actions/{action_id}")
    changed = staff.post(f"/staff/actions/{action_id}", data={**FORM, "csrf_token": token})

    for response in (shown, changed):
        assert 400 <= response.status_code < 500, response.text
        assert "text/html" in response.headers["content-type"]


HOSTILE_FORMS: list[dict[str, Any]] = [
    {"text": "x" * 100_000},
    {"rights": ["99"]},
    {"rights": ["1" * 5000]},
    {"rights": ["١"]},
    {"metrics": ["nope"]},
    {"due_date": "99999-12-31"},
    {"due_date": "2027-02-30"},
    {"before_from": "2026-07", "before_to": "2999-Q4"},
    {"after_from": "2026-06"},
    {"crime_group": "burglary"},
    {"status": "archived"},
    {"owner": "ring 020 7946 0000"},
]


@pytest.mark.parametrize("form", HOSTILE_FORMS, ids=lambda f: repr(f)[:40])
def test_hostile_action_forms_show_the_error_summary_and_write_nothing(
    client: TestClient, db: Session, form: dict[str, Any]
) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    token = staff_csrf_token(staff)
    staff.post("/staff/actions", data={**FORM, "csrf_token": token})
    [stored] = _rows(db)[0]
    before = _rows(db)

    created = staff.post("/staff/actions", data={**FORM, **form, "csrf_token": token})
    changed = staff.post(
        f"/staff/actions/{stored['id']}", data={**FORM, **form, "csrf_token": token}
    )

    for response in (created, changed):
        assert response.status_code == 422, response.text
        assert "govuk-error-summary" in response.text
    assert _rows(db) == before


def test_a_partners_log_page_shows_no_figure_of_another_group(
    client: TestClient, db: Session
) -> None:
    _fill(db, date(2026, 7, 1), satisfied=20, other=40)
    approver = api_headers(db, Role.approver)
    for group in (None, "general", "vawg"):
        client.post(URL, json={**FULL, "crime_group": group}, headers=approver)

    analyst_page = signed_in_client(client, db, [Role.analyst]).get("/staff/actions").text
    client.cookies.clear()
    editor_page = signed_in_client(client, db, [Role.editor], banks=["rasso"]).get("/staff/actions")

    assert editor_page.status_code == 200
    assert "responses" in analyst_page  # the figure's words (action_pages.figure_text_of)
    assert "responses" not in editor_page.text


FORMULAS = ('=HYPERLINK("http://example.invalid","click")', "+1+1", "-2+3", "@SUM(A1)")


@pytest.mark.parametrize("formula", FORMULAS)
def test_action_text_and_owner_open_as_text_in_the_report_packs_csv(
    client: TestClient, db: Session, formula: str
) -> None:
    db.add(
        PublishedAction(
            text=formula,
            owner=formula,
            status="done",
            published_by="user:1",
            published_at=datetime(2026, 8, 3, 12, tzinfo=UTC),
        )
    )
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    answer = staff.get("/reports/quarterly.zip", params={"period": "2026-Q3"})

    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    [name] = [n for n in archive.namelist() if n.endswith("you_said_we_did.csv")]
    [row] = csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
    assert row["text"] == row["owner"] == "'" + formula


MARKUP = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def test_action_text_finding_and_owner_are_shown_as_text_never_markup(
    client: TestClient, db: Session
) -> None:
    db.add(
        PublishedAction(
            text=MARKUP, finding=MARKUP, owner="<b>team</b>", status="done", published_by="user:1"
        )
    )
    db.commit()

    public = client.get("/results")
    staff = signed_in_client(client, db, [Role.approver]).get("/staff/actions")

    for page in (public, staff):
        assert page.status_code == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<script>alert(1)" not in page.text and 'onerror="alert' not in page.text
    assert "<b>team</b>" not in staff.text and "&lt;b&gt;team&lt;/b&gt;" in staff.text
