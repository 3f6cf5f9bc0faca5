"""The action log over the API: the new fields, PATCH, the effect under disclosure control, and
problem+json for every bad field with nothing written."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.banks.models import BankVersion
from app.enums import Role
from app.reporting.actions import publish_action
from app.reporting.models import PublishedAction
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

URL = "/api/v1/actions"
TODAY = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
FULL: dict[str, Any] = {
    "crime_group": "general",
    "text": "Officers now call every two weeks, even when there is no news.",
    "rights": [6, 4],
    "metrics": ["satisfaction.overall"],
    "finding": "Fewer than half felt kept informed in the summer.",
    "owner": "Investigation standards team",
    "agency": "police",
    "status": "in_progress",
    "due_date": "2027-03-31",
    "before_from": "2026-07",
    "before_to": "2026-07",
    "after_from": "2026-10",
}


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("app.clock.now", lambda: TODAY)


def _fill(
    db: Session, month: date, satisfied: int, other: int, crime_group: str = "general"
) -> None:
    version = db.exec(
        select(BankVersion).where(BankVersion.document["slug"].as_string() == crime_group)
    ).first() or create_bank_version(db, small_bank(crime_group), slug=crime_group)
    codes = ["very_satisfied"] * satisfied + ["neither"] * other
    for code in codes:
        submit_response(
            db, version, {"sat_overall": code}, crime_group=crime_group, month=month, commit=False
        )
    db.commit()


def _rows(db: Session) -> tuple[list[Any], list[Any]]:
    db.expire_all()
    actions = [a.model_dump() for a in db.exec(select(PublishedAction)).all()]
    events = [
        e.id for e in db.exec(select(AuditEvent).where(AuditEvent.action.startswith("actions")))
    ]  # type: ignore[attr-defined]
    db.rollback()
    return actions, events


def test_an_action_records_the_log_fields_and_any_staff_reads_them(
    client: TestClient, db: Session
) -> None:
    created = client.post(URL, json=FULL, headers=api_headers(db, Role.approver))

    assert created.status_code == 201, created.text
    body = created.json()
    for name in ("crime_group", "text", "finding", "owner", "agency", "status", "due_date"):
        assert body[name] == FULL[name]
    assert body["rights"] == [4, 6]  # sorted
    assert body["metrics"] == ["satisfaction.overall"]
    assert (body["before_from"], body["before_to"]) == ("2026-07", "2026-07")
    assert (body["after_from"], body["after_to"]) == ("2026-10", "2026-10")  # to defaults
    for role in (Role.uploader, Role.editor, Role.analyst, Role.victims_team):
        [listed] = client.get(URL, headers=api_headers(db, role, banks=["general"])).json()
        assert listed["id"] == body["id"] and listed["owner"] == FULL["owner"]


def test_the_effect_is_the_aggregates_apis_own_cell_before_and_after(
    client: TestClient, db: Session
) -> None:
    _fill(db, date(2026, 7, 1), satisfied=20, other=40)
    _fill(db, date(2026, 10, 1), satisfied=45, other=15)
    _fill(db, date(2026, 10, 1), satisfied=30, other=30, crime_group="rasso")  # not this group
    client.post(URL, json=FULL, headers=api_headers(db, Role.approver))
    analyst = api_headers(db, Role.analyst)

    [action] = client.get(URL, headers=api_headers(db, Role.uploader)).json()

    [effect] = action["effect"]
    assert effect["metric"] == "satisfaction.overall" and effect["title"]
    for side, period in (("before", "2026-07"), ("after", "2026-10")):
        aggregate = client.get(
            "/api/v1/aggregates/satisfaction.overall",
            params={"from": period, "to": period, "crime_group": "general"},
            headers=analyst,
        ).json()
        [cell] = aggregate["cells"]
        figure = effect[side]
        assert figure["from"] == figure["to"] == period and figure["ended"] is True
        for name in ("n", "positive", "rate", "ci_low", "ci_high", "suppressed", "low_base"):
            assert figure[name] == cell[name], (side, name)
        assert figure["suppressed"] is False and figure["n"] is not None
    assert effect["after"]["rate"] > effect["before"]["rate"]
    disclosure = action["disclosure"]
    assert disclosure["method"] == "cell_key" and disclosure["min_cell"] == 10
    assert disclosure["max_adjustment"] == aggregate["disclosure"]["max_adjustment"] > 0


def test_a_small_or_unfinished_period_publishes_no_figure(client: TestClient, db: Session) -> None:
    _fill(db, date(2026, 7, 1), satisfied=2, other=1)
    action = {**FULL, "after_from": "2026-12", "after_to": "2027-01"}
    client.post(URL, json=action, headers=api_headers(db, Role.approver))

    [listed] = client.get(URL, headers=api_headers(db, Role.analyst)).json()

    [effect] = listed["effect"]
    assert effect["before"]["suppressed"] is True
    assert effect["before"]["n"] is None and effect["before"]["rate"] is None
    assert effect["after"] == {
        "from": "2026-12",
        "to": "2027-01",
        "ended": False,
        "n": None,
        "positive": None,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
        "suppressed": None,
        "low_base": None,
        "withheld": False,
    }


def test_an_action_without_periods_or_metrics_has_no_effect(
    client: TestClient, db: Session
) -> None:
    client.post(
        URL, json={"text": "We rewrote the letters."}, headers=api_headers(db, Role.approver)
    )
    client.post(
        URL,
        json={"text": "Linked, no periods yet.", "metrics": ["confidence"], "status": "planned"},
        headers=api_headers(db, Role.approver),
    )

    linked, plain = client.get(URL, headers=api_headers(db, Role.analyst)).json()

    assert plain["effect"] == [] and plain["status"] == "done"
    assert plain["disclosure"] == {"method": "cell_key", "min_cell": 10, "max_adjustment": 0}
    assert linked["effect"][0]["before"] is None and linked["effect"][0]["after"] is None
    assert linked["status"] == "planned"


def test_status_filter(client: TestClient, db: Session) -> None:
    approver = api_headers(db, Role.approver)
    for status in ("planned", "in_progress", "done"):
        client.post(URL, json={"text": status, "status": status}, headers=approver)

    planned = client.get(URL, params={"status": "planned"}, headers=approver).json()

    assert [item["text"] for item in planned] == ["planned"]
    assert client.get(URL, params={"status": "cancelled"}, headers=approver).status_code == 422


def test_an_approver_changes_an_action_and_the_audit_names_fields_not_text(
    client: TestClient, db: Session
) -> None:
    approver = api_headers(db, Role.approver)
    action_id = client.post(URL, json=FULL, headers=approver).json()["id"]

    changed = client.patch(
        f"{URL}/{action_id}",
        json={
            "status": "done",
            "after_to": "2026-11",
            "owner": "Victim care unit",
            "due_date": None,
        },
        headers=approver,
    )

    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["status"] == "done" and body["owner"] == "Victim care unit"
    assert (body["after_from"], body["after_to"]) == ("2026-10", "2026-11")
    assert body["due_date"] is None
    assert body["text"] == FULL["text"] and body["rights"] == [4, 6]  # untouched
    assert body["updated_by"].startswith("key:") and body["updated_at"]
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "actions.update")).one()
    assert event.detail["changed"] == ["after_to", "due_date", "owner", "status"]
    assert event.detail["status"] == "done" and event.detail["after_to"] == "2026-11"
    assert "Victim care unit" not in str(event.detail) and "two weeks" not in str(event.detail)


def test_only_approvers_change_actions(client: TestClient, db: Session) -> None:
    action_id = client.post(URL, json=FULL, headers=api_headers(db, Role.approver)).json()["id"]
    before = _rows(db)

    for role in (Role.analyst, Role.uploader, Role.editor, Role.victims_team):
        refused = client.patch(
            f"{URL}/{action_id}", json={"status": "done"}, headers=api_headers(db, role)
        )
        assert refused.status_code == 403
    assert client.patch(f"{URL}/{action_id}", json={"status": "done"}).status_code == 401
    assert _rows(db) == before
    missing = client.patch(
        f"{URL}/99999", json={"status": "done"}, headers=api_headers(db, Role.approver)
    )
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


BAD_FIELDS = [
    ("rights", [13], "rights"),
    ("rights", [0], "rights"),
    ("rights", ["6"], "rights"),
    ("rights", [True], "rights"),
    ("rights", "6", "rights"),
    ("metrics", ["no.such.metric"], "metrics"),
    ("metrics", [f"victims_code.right_{n}" for n in range(1, 13)] + ["confidence"], "metrics"),
    ("agency", "the council", "agency"),
    ("status", "cancelled", "status"),
    ("status", None, "status"),
    ("due_date", "2027-02-30", "due_date"),
    ("due_date", "1066-10-14", "due_date"),
    ("due_date", "2999-01-01", "due_date"),
    ("before_from", "2026-13", "before_from"),
    ("before_from", "Q3 2026", "before_from"),
    ("before_to", "2019-Q1", "before_to"),  # before its start
    ("after_from", "2026-06", "after_from"),  # before the period before ends
    ("after_to", "2033-01", "after_to"),  # more than five financial years
    ("owner", "Jo Bloggs jo.bloggs@example.org", "owner"),
    ("owner", "Call 07911 123456", "owner"),
    ("owner", "x" * 121, "owner"),
    ("finding", "x" * 1001, "finding"),
    ("text", "x" * 1001, "text"),
    ("text", "   ", "text"),
    ("crime_group", "burglary", "crime_group"),
]


@pytest.mark.parametrize(("field", "value", "where"), BAD_FIELDS, ids=lambda v: str(v)[:30])
def test_a_bad_field_is_a_422_naming_it_and_nothing_is_written(
    client: TestClient, db: Session, field: str, value: Any, where: str
) -> None:
    approver = api_headers(db, Role.approver)
    action_id = client.post(URL, json=FULL, headers=approver).json()["id"]
    before = _rows(db)

    created = client.post(URL, json={**FULL, field: value}, headers=approver)
    patched = client.patch(
        f"{URL}/{action_id}", json={"status": "done", field: value}, headers=approver
    )

    for response in (created, patched):
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        locs = [error["loc"] for error in response.json()["errors"]]
        assert ["body", where] in [loc[:2] for loc in locs], locs
    assert _rows(db) == before  # neither the new action nor the valid status change


def test_a_misspelt_field_is_refused_not_ignored(client: TestClient, db: Session) -> None:
    approver = api_headers(db, Role.approver)
    action_id = client.post(URL, json=FULL, headers=approver).json()["id"]

    response = client.patch(f"{URL}/{action_id}", json={"stauts": "done"}, headers=approver)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "stauts"]


def test_a_nul_in_any_text_field_is_refused(client: TestClient, db: Session) -> None:
    approver = api_headers(db, Role.approver)
    before = _rows(db)
    for field in ("text", "finding", "owner"):
        response = client.post(URL, json={**FULL, field: "bad\x00text"}, headers=approver)
        assert response.status_code == 422
    assert _rows(db) == before


def test_a_metric_retired_from_the_registry_leaves_the_log_readable(
    client: TestClient, db: Session
) -> None:
    db.add(
        PublishedAction(
            text="Linked to a metric since retired",
            metrics=["retired.metric", "confidence"],
            before_from="2026-07",
            before_to="2026-07",
            published_by="user:1",
        )
    )
    db.commit()

    response = client.get(URL, headers=api_headers(db, Role.analyst))

    assert response.status_code == 200
    [action] = response.json()
    assert [item["metric"] for item in action["effect"]] == ["confidence"]


def test_a_partner_reads_the_figures_of_their_own_crime_groups_only(
    client: TestClient, db: Session
) -> None:
    _fill(db, date(2026, 7, 1), satisfied=20, other=40)
    _fill(db, date(2026, 7, 1), satisfied=30, other=30, crime_group="rasso")
    approver = api_headers(db, Role.approver)
    for group in (None, "general", "rasso"):
        client.post(URL, json={**FULL, "crime_group": group}, headers=approver)
    rasso_editor = api_headers(db, Role.editor, banks=["rasso"])
    analyst = api_headers(db, Role.analyst)

    as_partner = {a["crime_group"]: a for a in client.get(URL, headers=rasso_editor).json()}
    as_analyst = {a["crime_group"]: a for a in client.get(URL, headers=analyst).json()}

    shown = as_partner["rasso"]["effect"][0]["before"]
    assert shown == as_analyst["rasso"]["effect"][0]["before"] and shown["n"] is not None
    for group in (None, "general"):  # force level, and another group's
        before = as_partner[group]["effect"][0]["before"]
        assert before["withheld"] is True and before["ended"] is True
        assert before["n"] is None and before["rate"] is None and before["suppressed"] is None
        assert as_partner[group]["disclosure"]["max_adjustment"] == 0
        assert as_analyst[group]["effect"][0]["before"]["n"] is not None


def test_the_log_lists_the_newest_hundred_unless_a_limit_says(
    client: TestClient, db: Session
) -> None:
    for index in range(101):
        publish_action(db, text=f"Action {index}", crime_group=None, actor="key:t")
    db.commit()
    headers = api_headers(db, Role.analyst)
    listed = client.get("/api/v1/actions", headers=headers).json()
    assert len(listed) == 100 and listed[0]["text"] == "Action 100"
    assert len(client.get("/api/v1/actions?limit=101", headers=headers).json()) == 101
    assert client.get("/api/v1/actions?limit=0", headers=headers).status_code == 422
