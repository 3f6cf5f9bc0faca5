"""API keys: shown once, work at once, stop at revocation, never stored in plain."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import String, Text, select
from sqlmodel import Session
from typer.testing import CliRunner

import app.models  # noqa: F401  (every table, for the scan)
from app.audit import AuditEvent
from app.auth.models import ApiKey
from app.cli import app as cli
from app.db import metadata
from tests.auth_helpers import api_headers

runner = CliRunner()


def _create_key(*args: str) -> str:
    result = runner.invoke(cli, ["api-keys", "create", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def _every_text_value(db: Session) -> list[str]:
    values: list[str] = []
    for table in metadata.sorted_tables:
        for row in db.execute(select(table)).all():
            for column, value in zip(table.columns, row, strict=True):
                if isinstance(column.type, String | Text) or isinstance(value, dict | list):
                    values.append(str(value))
    return values


def test_a_created_key_works_and_is_stored_only_as_a_hash(client: TestClient, db: Session) -> None:
    plain = _create_key("--name", "records system", "--role", "uploader", "--role", "analyst")
    assert plain.startswith("vv_") and len(plain) >= 3 + 8 + 1 + 43
    prefix = plain.split("_")[1]

    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert response.status_code == 200
    assert response.json() == {
        "actor": f"key:{prefix}",
        "roles": ["analyst", "uploader"],
        "bank_scopes": [],
    }

    key = db.exec(select(ApiKey)).scalar_one()  # type: ignore[call-overload]
    assert key.prefix == prefix and key.name == "records system"
    assert key.last_used_at is not None and key.revoked_at is None
    secret_part = plain.split("_", 2)[2]
    for value in _every_text_value(db):
        assert plain not in value and secret_part not in value
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "api_key.created")).scalar_one()  # type: ignore[call-overload]
    assert event.actor == "cli" and event.object_id == prefix


def test_a_revoked_key_stops_working(client: TestClient, db: Session) -> None:
    plain = _create_key("--name", "analyst script", "--role", "analyst")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    prefix = plain.split("_")[1]

    result = runner.invoke(cli, ["api-keys", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert prefix in result.stdout

    response = client.get("/api/v1/me", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    assert plain not in response.text
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "api_key.revoked")).scalar_one()  # type: ignore[call-overload]
    assert event.actor == "cli" and event.object_id == prefix


def test_revoking_an_unknown_prefix_is_an_input_problem() -> None:
    result = runner.invoke(cli, ["api-keys", "revoke", "deadbeef"])
    assert result.exit_code == 1
    assert "No API key has this prefix" in result.output


def test_a_key_with_an_unknown_role_is_a_usage_error() -> None:
    result = runner.invoke(cli, ["api-keys", "create", "--name", "x", "--role", "superuser"])
    assert result.exit_code == 2
    assert "superuser" in result.output


def test_a_key_carries_its_bank_scopes(client: TestClient) -> None:
    plain = _create_key("--name", "charity", "--role", "editor", "--bank", "rasso")
    body = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"}).json()
    assert body["roles"] == ["editor"] and body["bank_scopes"] == ["rasso"]


def test_forged_or_malformed_keys_are_refused(client: TestClient, db: Session) -> None:
    good = api_headers(db, "analyst")["Authorization"]
    forged = good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB")
    for header in [forged, "Bearer vv_nothing", "Bearer", "Basic dXNlcjpwYXNz", "Bearer x_y_z"]:
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401, header


def test_no_credentials_is_401_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["title"] == "Not signed in"


def test_api_keys_list_shows_prefixes_never_keys() -> None:
    plain = _create_key("--name", "records system", "--role", "uploader")
    prefix = plain.split("_")[1]
    runner.invoke(cli, ["api-keys", "revoke", prefix])
    result = runner.invoke(cli, ["api-keys", "list"])
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"{prefix}\trecords system\tuploader\t-\tunbound\tnever used\trevoked"
    ]
    assert plain not in result.stdout
