"""Staff pages of the action log: approvers publish and change actions (GOV.UK form, error
summary, CSRF); any staff read the log with each action's effect."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.reporting import figure_text
from app.reporting.models import PublishedAction
from tests.auth_helpers import api_headers, signed_in_client, staff_csrf_token
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

FORM: dict[str, Any] = {
    "text": "Officers now call every two weeks.",
    "crime_group": "",
    "finding": "Fewer than half felt kept informed.",
    "owner": "Investigation standards team",
    "agency": "police",
    "status": "in_progress",
    "rights": ["6", "4"],
    "metrics": ["satisfaction.overall"],
    "due_date": "2027-03-31",
    "before_from": "2026-07",
    "before_to": "",
    "after_from": "2026-10",
    "after_to": "",
}


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _stored(db: Session) -> list[dict[str, Any]]:
    db.expire_all()
    rows = [row.model_dump() for row in db.exec(select(PublishedAction)).all()]
    db.rollback()  # end the read: SQLite's write lock would make the app wait
    return rows


def test_an_approver_publishes_an_action_with_the_log_fields(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.approver])

    done = staff.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(staff)})

    assert done.status_code == 200 and done.url.path == "/staff/actions"
    [action] = _stored(db)
    assert action["rights"] == [4, 6] and action["metrics"] == ["satisfaction.overall"]
    assert action["status"] == "in_progress" and action["agency"] == "police"
    assert action["due_date"] == date(2027, 3, 31) and action["crime_group"] is None
    assert (action["before_from"], action["before_to"]) == ("2026-07", "2026-07")
    text = _text(done.text)
    assert "In progress" in text and "Fewer than half felt kept informed." in text
    assert "Investigation standards team (Police)" in text
    assert "31 March 2027" in text


def test_the_log_shows_the_same_figures_as_the_aggregates_api(
    client: TestClient, db: Session
) -> None:
    version = create_bank_version(db, small_bank("general"))
    for month, satisfied in ((date(2026, 7, 1), 20), (date(2026, 10, 1), 45)):
        for index in range(60):
            code = "very_satisfied" if index < satisfied else "neither"
            submit_response(db, version, {"sat_overall": code}, month=month, commit=False)
    db.commit()
    staff = signed_in_client(client, db, [Role.approver])
    staff.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(staff)})
    reader = signed_in_client(TestClient(client.app), db, [Role.uploader])

    page = _text(reader.get("/staff/actions").text)

    for period in ("2026-07", "2026-10"):
        [cell] = client.get(
            "/api/v1/aggregates/satisfaction.overall",
            params={"from": period, "to": period},
            headers=api_headers(db, Role.analyst),
        ).json()["cells"]
        interval = figure_text.interval_text(cell["ci_low"], cell["ci_high"])
        expected = f"{period}: {figure_text.percent(cell['rate'])} ({interval}), {cell['n']:,}"
        assert expected in page


def test_a_wrong_form_shows_each_problem_and_writes_nothing(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    wrong = {**FORM, "owner": "Jo on 07911 123456", "before_from": "July", "status": "paused"}

    page = staff.post("/staff/actions", data={**wrong, "csrf_token": staff_csrf_token(staff)})

    assert page.status_code == 422
    assert "There is a problem" in page.text
    for anchor in ("#owner", "#before_from", "#status"):
        assert f'href="{anchor}"' in page.text
    assert "Name a team or role, not an email address or phone number" in page.text
    assert "Officers now call every two weeks.</textarea>" in page.text  # kept to correct
    assert _stored(db) == []


def test_an_approver_changes_an_action(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    staff.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(staff)})
    [action] = _stored(db)

    form = staff.get(f"/staff/actions/{action['id']}")
    changed = staff.post(
        f"/staff/actions/{action['id']}",
        data={
            **FORM,
            "status": "done",
            "after_to": "2026-11",
            "csrf_token": staff_csrf_token(staff),
        },
        follow_redirects=False,
    )

    assert form.status_code == 200
    assert 'value="Investigation standards team"' in form.text
    assert f'action="/staff/actions/{action["id"]}"' in form.text
    assert changed.status_code == 303
    [after] = _stored(db)
    assert after["status"] == "done" and after["after_to"] == "2026-11"
    assert after["updated_by"] and after["updated_by"].startswith("user:")


def test_a_wrong_change_is_refused_whole(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    staff.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(staff)})
    [action] = _stored(db)

    page = staff.post(
        f"/staff/actions/{action['id']}",
        data={
            **FORM,
            "status": "done",
            "after_from": "2026-06",
            "csrf_token": staff_csrf_token(staff),
        },
    )

    assert page.status_code == 422 and 'href="#after_from"' in page.text
    assert _stored(db) == [action]  # not even the valid status change


def test_other_staff_read_the_log_but_cannot_change_it(client: TestClient, db: Session) -> None:
    approver = signed_in_client(client, db, [Role.approver])
    approver.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(approver)})
    [action] = _stored(db)
    analyst = signed_in_client(TestClient(client.app), db, [Role.analyst])

    page = analyst.get("/staff/actions")
    edit = analyst.get(f"/staff/actions/{action['id']}")
    refused = analyst.post(
        f"/staff/actions/{action['id']}",
        data={**FORM, "status": "done", "csrf_token": staff_csrf_token(analyst)},
    )

    assert page.status_code == 200 and "Officers now call every two weeks." in page.text
    assert f'href="/staff/actions/{action["id"]}"' not in page.text
    assert edit.status_code == 403 and refused.status_code == 403
    assert _stored(db) == [action]


def test_a_change_without_the_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])
    staff.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(staff)})
    [action] = _stored(db)

    refused = staff.post(f"/staff/actions/{action['id']}", data={**FORM, "status": "done"})

    assert refused.status_code == 403
    assert _stored(db) == [action]


def test_an_unknown_action_is_a_404_page(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])

    assert staff.get("/staff/actions/4242").status_code == 404
    assert staff.get("/staff/actions/not-a-number").status_code in (404, 422)


def test_a_partner_sees_the_log_but_only_their_own_groups_figures(
    client: TestClient, db: Session
) -> None:
    version = create_bank_version(db, small_bank("general"))
    for index in range(60):
        code = "very_satisfied" if index < 20 else "neither"
        submit_response(db, version, {"sat_overall": code}, month=date(2026, 7, 1), commit=False)
    db.commit()
    approver = signed_in_client(client, db, [Role.approver])
    approver.post("/staff/actions", data={**FORM, "csrf_token": staff_csrf_token(approver)})
    partner = signed_in_client(TestClient(client.app), db, [Role.editor])  # no bank of "all"

    page = _text(partner.get("/staff/actions").text)
    full = _text(approver.get("/staff/actions").text)

    assert "Officers now call every two weeks." in page
    assert "2026-07: figures of your own crime groups only" in page
    assert "responses" in full and "responses" not in page
