"""The question bank API: reading banks and versions, partner drafts, review and approval."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.enums import Role
from tests.auth_helpers import api_headers, create_staff_user
from tests.banks.conftest import create_loaded_version, find_question, fixture_document


def _bound(db: Session, *roles: Role, banks: list[str] | None = None) -> dict[str, str]:
    """A key bound to a new user holding the same roles (only a bound key can approve)."""
    user = create_staff_user(db, *roles, banks=banks or [])
    return api_headers(db, *roles, banks=banks or [], user=user)


def _approve(client: TestClient, headers: dict[str, str], version: int) -> Any:
    """Approve a version as reviewed now: its content hash read first, as a reviewer would."""
    shown = client.get(f"/api/v1/banks/general/versions/{version}", headers=headers).json()
    return client.post(
        f"/api/v1/banks/general/drafts/{version}/approve",
        json={"content_hash": shown["content_hash"]},
        headers=headers,
    )


def _draft(client: TestClient, headers: dict[str, str], document: dict[str, Any]) -> int:
    response = client.post(
        "/api/v1/banks/general/drafts",
        json={"document": document, "change_note": "Plainer wording"},
        headers=headers,
    )
    assert response.status_code == 201, response.text
    return int(response.json()["version"])


def test_staff_read_banks_and_versions(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    headers = api_headers(db, Role.analyst)
    assert client.get("/api/v1/banks", headers=headers).json() == [
        {"slug": "general", "title": "Your experience with the police", "published_version": 1}
    ]
    bank = client.get("/api/v1/banks/general", headers=headers).json()
    assert (bank["slug"], bank["version"], bank["status"]) == ("general", 1, "published")
    assert bank["document"]["sections"][0]["questions"][0]["id"] == "sat_ease_of_contact"
    versions = client.get("/api/v1/banks/general/versions", headers=headers).json()
    assert [(v["version"], v["status"], v["created_by"]) for v in versions] == [
        (1, "published", "cli")
    ]
    assert set(versions[0]) >= {"version", "status", "created_by", "created_at", "change_note"}
    one = client.get("/api/v1/banks/general/versions/1", headers=headers).json()
    assert one == bank


def test_reads_need_a_staff_caller_and_unknown_banks_are_404(
    client: TestClient, db: Session
) -> None:
    assert client.get("/api/v1/banks").status_code == 401
    headers = api_headers(db, Role.uploader)
    missing = client.get("/api/v1/banks/rasso", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert client.get("/api/v1/banks/rasso/versions", headers=headers).status_code == 404
    assert client.get("/api/v1/banks/general/versions/3", headers=headers).status_code == 404


def test_editor_drafts_submits_and_another_approver_publishes(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    editor = _bound(db, Role.editor, banks=["general"])
    approver = _bound(db, Role.approver)
    document = fixture_document()
    find_question(document, "comments")["text"]["en"] = "Anything else you want to tell us?"
    response = client.post(
        "/api/v1/banks/general/drafts",
        json={"document": document, "change_note": "Shorter"},
        headers=editor,
    )
    assert response.status_code == 201
    assert response.json() == {"version": 2, "status": "draft", "warnings": []}

    submitted = client.post("/api/v1/banks/general/drafts/2/submit", headers=editor)
    assert submitted.json() == {"version": 2, "status": "in_review"}
    approved = _approve(client, approver, 2)
    assert approved.status_code == 200, approved.text
    assert approved.json() == {"version": 2, "status": "published"}

    versions = client.get("/api/v1/banks/general/versions", headers=approver).json()
    assert [(v["version"], v["status"], v["source"]) for v in versions] == [
        (2, "published", "service"),
        (1, "retired", "file"),
    ]
    diff = client.get("/api/v1/banks/general/diff?from=1&to=2", headers=approver).json()
    assert diff == {
        "slug": "general",
        "from": 1,
        "to": 2,
        "changes": [
            {
                "question_id": "comments",
                "change": "changed",
                "fields": ["text"],
                "measures": [],
                "breaks_comparability": False,
            }
        ],
        "breaks_comparability": False,
        "measures_affected": [],
    }
    db.expire_all()
    events = db.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    bank_events = [(e.action, e.object_id) for e in events if e.action.startswith("bank.")]
    assert bank_events[-4:] == [
        ("bank.draft_create", "general:2"),
        ("bank.submit", "general:2"),
        ("bank.approve", "general:2"),
        ("bank.publish", "general:2"),
    ]
    actors = {e.action: e.actor for e in events}
    assert actors["bank.draft_create"].startswith("key:")
    assert actors["bank.publish"] != actors["bank.draft_create"]


def test_invalid_draft_is_422_with_the_lint_errors(client: TestClient, db: Session) -> None:
    editor = _bound(db, Role.editor, banks=["general"])
    document = fixture_document()
    find_question(document, "comments")["text"]["en"] = "Please describe what happened."
    response = client.post(
        "/api/v1/banks/general/drafts", json={"document": document}, headers=editor
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {
            "loc": ["document", "comments"],
            "msg": "the question asks the victim to describe the offence, the offender or "
            "injuries ('what happened'): ask about the service instead, or add a waiver for "
            "rule asks_what_happened with a written reason",
        }
    ]


def test_draft_with_schema_errors_and_wrong_slug(client: TestClient, db: Session) -> None:
    editor = _bound(db, Role.admin)
    document = fixture_document()
    find_question(document, "comments")["colour"] = "red"
    response = client.post(
        "/api/v1/banks/general/drafts", json={"document": document}, headers=editor
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "loc": ["document", "comments"],
            "msg": "colour: unknown field (check the spelling; see docs/question-banks.md)",
        }
    ]
    wrong = client.post(
        "/api/v1/banks/rasso/drafts", json={"document": fixture_document()}, headers=editor
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"] == [{"loc": ["document", "slug"], "msg": "must be 'rasso'"}]


def test_warnings_are_returned_with_the_draft(client: TestClient, db: Session) -> None:
    editor = _bound(db, Role.editor, banks=["general"])
    document = fixture_document()
    find_question(document, "comments")["waivers"] = [{"rule": "blames", "reason": "Just in case"}]
    response = client.post(
        "/api/v1/banks/general/drafts", json={"document": document}, headers=editor
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "comments: the waiver for rule blames is not needed: remove it"
    ]


def test_editor_of_another_bank_gets_403(client: TestClient, db: Session) -> None:
    rasso_editor = api_headers(db, Role.editor, banks=["rasso"])
    response = client.post(
        "/api/v1/banks/general/drafts", json={"document": fixture_document()}, headers=rasso_editor
    )
    assert response.status_code == 403
    analyst = api_headers(db, Role.analyst)
    denied = client.post(
        "/api/v1/banks/general/drafts", json={"document": fixture_document()}, headers=analyst
    )
    assert denied.status_code == 403
    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert len(events) == 2
    assert {e.detail.get("reason") for e in events} >= {"not_bank_editor"}


def test_every_refusal_records_the_same_details(client: TestClient, db: Session) -> None:
    """One deny(): a refusal for the bank's scope and one for the role record the method and
    the route's template (never the address called, nor anything about a person)."""
    path = "/api/v1/banks/general/drafts"
    rasso_editor = api_headers(db, Role.editor, banks=["rasso"])
    analyst = api_headers(db, Role.analyst)
    for headers in (rasso_editor, analyst):
        response = client.post(path, json={"document": fixture_document()}, headers=headers)
        assert response.status_code == 403
    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    [template] = {event.object_id for event in events}
    assert template.endswith("/banks/{slug}/drafts")
    assert sorted((event.detail for event in events), key=str) == sorted(
        [
            {"method": "POST", "path": template, "reason": "not_bank_editor"},
            {"method": "POST", "path": template, "required_roles": ["editor"]},
        ],
        key=str,
    )
    assert path not in str([event.detail for event in events])


def test_approver_cannot_approve_their_own_draft(client: TestClient, db: Session) -> None:
    both = _bound(db, Role.editor, Role.approver, banks=["general"])
    version = _draft(client, both, fixture_document())
    client.post(f"/api/v1/banks/general/drafts/{version}/submit", headers=both)
    response = _approve(client, both, version)
    assert response.status_code == 403
    assert "another approver" in response.json()["detail"]
    editor = _bound(db, Role.editor, banks=["general"])
    assert _approve(client, editor, version).status_code == 403


def test_approver_who_last_edited_cannot_approve(client: TestClient, db: Session) -> None:
    author = _bound(db, Role.editor, banks=["general"])
    editing_approver = _bound(db, Role.editor, Role.approver, banks=["general"])
    version = _draft(client, author, fixture_document())
    document = fixture_document()
    find_question(document, "comments")["hint"] = "No names, please."
    put = client.put(
        f"/api/v1/banks/general/drafts/{version}",
        json={"document": document, "change_note": "hint"},
        headers=editing_approver,
    )
    assert put.status_code == 200
    assert put.json() == {"version": version, "status": "draft", "warnings": []}
    client.post(f"/api/v1/banks/general/drafts/{version}/submit", headers=author)
    refused = _approve(client, editing_approver, version)
    assert refused.status_code == 403
    assert "another approver" in refused.json()["detail"]


def test_draft_must_be_in_review_to_approve_and_published_never_changes(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    editor = _bound(db, Role.editor, banks=["general"])
    approver = _bound(db, Role.approver)
    version = _draft(client, editor, fixture_document())
    early = _approve(client, approver, version)
    assert early.status_code == 409
    assert "must be submitted for review first" in early.json()["detail"]
    published = client.put(
        "/api/v1/banks/general/drafts/1", json={"document": fixture_document()}, headers=editor
    )
    assert published.status_code == 409
    assert client.post("/api/v1/banks/general/drafts/1/submit", headers=editor).status_code == 409


def test_editing_a_draft_in_review_sends_it_back_to_draft(client: TestClient, db: Session) -> None:
    editor = _bound(db, Role.editor, banks=["general"])
    version = _draft(client, editor, fixture_document())
    client.post(f"/api/v1/banks/general/drafts/{version}/submit", headers=editor)
    again = client.put(
        f"/api/v1/banks/general/drafts/{version}",
        json={"document": fixture_document()},
        headers=editor,
    )
    assert again.json()["status"] == "draft"


def test_diff_of_unknown_versions_is_404(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    headers = api_headers(db, Role.analyst)
    assert client.get("/api/v1/banks/general/diff?from=1&to=5", headers=headers).status_code == 404
    assert client.get("/api/v1/banks/general/diff?from=1", headers=headers).status_code == 422
