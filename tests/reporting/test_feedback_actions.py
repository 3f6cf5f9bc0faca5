"""GET and POST /api/v1/actions: "you said, we did"."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.actions import list_actions
from app.reporting.models import PublishedAction
from tests.auth_helpers import api_headers

URL = "/api/v1/actions"


def test_an_approver_publishes_and_any_staff_reads(client: TestClient, db: Session) -> None:
    approver = api_headers(db, Role.approver)

    created = client.post(
        URL,
        json={"crime_group": "vawg", "text": "  You said updates were rare; we now call weekly. "},
        headers=approver,
    )

    assert created.status_code == 201
    body = created.json()
    assert body["crime_group"] == "vawg"
    assert body["text"] == "You said updates were rare; we now call weekly."
    assert body["published_by"].startswith("key:")
    for role in (Role.uploader, Role.editor, Role.analyst, Role.victims_team):
        listed = client.get(URL, headers=api_headers(db, role))
        assert listed.status_code == 200
        assert [item["id"] for item in listed.json()] == [body["id"]]


def test_publishing_is_audited(client: TestClient, db: Session) -> None:
    client.post(
        URL, json={"text": "We added evening callbacks."}, headers=api_headers(db, Role.approver)
    )

    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "actions.publish")).one()
    # The action log's linked fields, never its free text (text, finding, owner).
    assert event.detail == {
        "crime_group": None,
        "status": "done",
        "agency": None,
        "rights": [],
        "metrics": [],
        "before_from": None,
        "before_to": None,
        "after_from": None,
        "after_to": None,
    }
    assert event.object_type == "published_action"


def test_only_approvers_publish(client: TestClient, db: Session) -> None:
    for role in (Role.analyst, Role.uploader, Role.editor, Role.victims_team):
        response = client.post(URL, json={"text": "No"}, headers=api_headers(db, role))
        assert response.status_code == 403
    assert client.post(URL, json={"text": "No"}).status_code == 401
    assert db.exec(select(PublishedAction)).all() == []


def test_text_must_be_1_to_1000_characters(client: TestClient, db: Session) -> None:
    approver = api_headers(db, Role.approver)

    assert client.post(URL, json={"text": ""}, headers=approver).status_code == 422
    assert client.post(URL, json={"text": "   "}, headers=approver).status_code == 422
    assert client.post(URL, json={"text": "x" * 1001}, headers=approver).status_code == 422
    assert client.post(URL, json={"text": "x" * 1000}, headers=approver).status_code == 201
    bad_group = client.post(URL, json={"text": "ok", "crime_group": "burglary"}, headers=approver)
    assert bad_group.status_code == 422


def test_newest_first_and_a_crime_group_sees_general_ones_too(
    client: TestClient, db: Session
) -> None:
    approver = api_headers(db, Role.approver)
    for group, text in [(None, "one"), ("rasso", "two"), ("vawg", "three"), ("rasso", "four")]:
        client.post(URL, json={"crime_group": group, "text": text}, headers=approver)

    everything = client.get(URL, headers=approver).json()
    rasso = client.get(URL, params={"crime_group": "rasso"}, headers=approver).json()

    assert [item["text"] for item in everything] == ["four", "three", "two", "one"]
    assert [item["text"] for item in rasso] == ["four", "two", "one"]
    db.expire_all()
    assert [a.text for a in list_actions(db, crime_group="vawg", limit=1)] == ["three"]
