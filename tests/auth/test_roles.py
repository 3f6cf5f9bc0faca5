"""Roles as dependencies: 401 without a caller, 403 (audited) outside the roles, admin all."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.auth.deps import Caller, require_roles
from app.enums import Role
from tests.auth_helpers import api_headers, signed_in_client


def test_no_caller_is_401(role_client: TestClient) -> None:
    response = role_client.get("/api/v1/test-only/reports")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_a_caller_with_the_role_passes(role_client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    response = role_client.get("/api/v1/test-only/reports", headers=headers)
    assert response.status_code == 200
    assert response.json()["actor"].startswith("key:")


def test_any_listed_role_is_enough(role_client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.approver)
    assert role_client.get("/api/v1/test-only/reports", headers=headers).status_code == 200


def test_a_role_mismatch_is_403_and_audited_without_personal_data(
    role_client: TestClient, db: Session
) -> None:
    headers = api_headers(db, Role.analyst)
    prefix = headers["Authorization"].split("_")[1]
    response = role_client.get("/api/v1/test-only/banks/rasso", headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert event.actor == f"key:{prefix}"
    assert event.detail == {
        "method": "GET",
        "path": "/api/v1/test-only/banks/{slug}",  # the template, not the address called
        "required_roles": ["editor"],
    }
    assert "rasso" not in str(event.model_dump())


def test_several_roles_add_up(role_client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst, Role.uploader)
    assert role_client.get("/api/v1/test-only/reports", headers=headers).status_code == 200
    assert role_client.post("/api/v1/test-only/batches", headers=headers).status_code == 200
    assert role_client.get("/api/v1/test-only/banks/general", headers=headers).status_code == 403


def test_admin_holds_every_role(role_client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.admin)
    assert role_client.get("/api/v1/test-only/reports", headers=headers).status_code == 200
    assert role_client.post("/api/v1/test-only/batches", headers=headers).status_code == 200
    response = role_client.get("/api/v1/test-only/banks/general", headers=headers)
    assert response.json()["may_edit"] is True


def test_an_editor_may_edit_only_the_banks_in_scope(role_client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.editor, banks=["rasso"])
    mine = role_client.get("/api/v1/test-only/banks/rasso", headers=headers)
    other = role_client.get("/api/v1/test-only/banks/vawg", headers=headers)
    assert mine.json()["may_edit"] is True and other.json()["may_edit"] is False


def test_a_signed_in_user_outside_the_role_gets_403_and_an_audit_event(
    role_client: TestClient, db: Session
) -> None:
    staff = signed_in_client(role_client, db, [Role.victims_team])
    response = staff.get("/api/v1/test-only/reports")
    assert response.status_code == 403
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).one()
    assert event.actor == "user:1"
    assert event.detail["path"] == "/api/v1/test-only/reports"


def test_caller_helpers() -> None:
    editor = Caller(actor="user:1", roles=frozenset({Role.editor}), bank_scopes=frozenset({"a"}))
    assert editor.has_any(Role.editor) and not editor.has_any(Role.analyst)
    assert editor.may_edit("a") and not editor.may_edit("b")
    admin = Caller(actor="user:2", roles=frozenset({Role.admin}))
    assert admin.has_any(Role.victims_team) and admin.may_edit("anything")


def test_require_roles_needs_a_role() -> None:
    with pytest.raises(ValueError, match="require_staff"):
        require_roles()
