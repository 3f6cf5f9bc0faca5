"""The `support_worker` role (issue 12): scoped to support services, and nothing else."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.api_keys import create_api_key
from app.auth.models import ApiKey, StaffUser
from app.auth.service import create_user
from app.cli import app as cli
from app.enums import Role
from app.errors import InvalidInput
from tests.auth_helpers import PASSWORD, sign_in

runner = CliRunner()


def _create_user(*args: str) -> object:
    return runner.invoke(cli, ["users", "create", *args, "--password-stdin"], input=f"{PASSWORD}\n")


def test_a_support_worker_is_created_with_their_services(db: Session) -> None:
    result = _create_user(
        "--email",
        "isva@example.org",
        "--role",
        "support_worker",
        "--support-service",
        "victim_support",
        "--support-service",
        "samaritans",
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    user = db.exec(select(StaffUser)).one()
    assert user.roles == ["support_worker"]
    assert user.support_scopes == ["samaritans", "victim_support"]


def test_a_support_worker_without_a_service_is_refused(db: Session) -> None:
    result = _create_user("--email", "isva@example.org", "--role", "support_worker")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "--support-service" in result.output  # type: ignore[attr-defined]
    assert db.exec(select(StaffUser)).first() is None


def test_an_unknown_service_is_refused(db: Session) -> None:
    result = _create_user(
        "--email", "isva@example.org", "--role", "support_worker", "--support-service", "nobody"
    )
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "nobody" in result.output  # type: ignore[attr-defined]
    assert db.exec(select(StaffUser)).first() is None


def test_a_service_is_only_for_a_support_worker(db: Session) -> None:
    result = _create_user(
        "--email", "a@example.org", "--role", "analyst", "--support-service", "victim_support"
    )
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert db.exec(select(StaffUser)).first() is None


def test_api_keys_take_support_services_the_same_way(db: Session) -> None:
    ok = runner.invoke(
        cli,
        [
            "api-keys",
            "create",
            "--name",
            "isva tablet",
            "--role",
            "support_worker",
            "--support-service",
            "victim_support",
        ],
    )
    assert ok.exit_code == 0, ok.output
    assert db.exec(select(ApiKey)).one().support_scopes == ["victim_support"]
    for extra in ([], ["--support-service", "nobody"]):
        refused = runner.invoke(
            cli, ["api-keys", "create", "--name", "k", "--role", "support_worker", *extra]
        )
        assert refused.exit_code == 1, refused.output
    db.expire_all()
    assert len(db.exec(select(ApiKey)).all()) == 1


def test_the_service_layer_refuses_the_same(db: Session) -> None:
    for services in ([], ["nobody"]):
        try:
            create_api_key(db, name="k", roles=[Role.support_worker], support_scopes=services)
        except InvalidInput:
            continue
        raise AssertionError(f"accepted {services}")


def test_a_support_worker_has_no_other_powers(client: TestClient, db: Session) -> None:
    plain, _key = create_api_key(
        db, name="isva", roles=[Role.support_worker], support_scopes=["victim_support"]
    )
    db.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    for path in ("/api/v1/me", "/api/v1/banks", "/api/v1/actions", "/api/v1/metrics"):
        assert client.get(path, headers=headers).status_code == 403, path


def test_a_signed_in_support_worker_reaches_home_and_nothing_else(
    client: TestClient, db: Session
) -> None:
    create_user(
        db,
        email="isva@example.org",
        password=PASSWORD,
        roles=[Role.support_worker],
        support_scopes=["victim_support"],
        actor="test",
    )
    db.commit()
    sign_in(client, db, "isva@example.org")
    home = client.get("/staff/")
    assert home.status_code == 200
    assert "/staff/support/" in home.text
    for path in ("/staff/banks", "/staff/actions", "/staff/dashboard", "/staff/contact-requests"):
        assert client.get(path).status_code == 403, path
