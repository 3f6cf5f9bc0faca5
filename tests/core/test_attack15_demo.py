"""Attack (issue 15): the demo's staff accounts have a published password and a published
authenticator secret (app/demo.py). `victim-voice demo` refuses VV_ENV=production, but it runs
wherever VV_ENV is unset (it defaults to development): an operator's shell pointed at the real
database seeds a known admin. The service must then refuse to start in production."""

from __future__ import annotations

import pytest
from sqlmodel import Session
from typer.testing import CliRunner

from app.demo import DEMO_USERS
from app.enums import Role
from tests.auth_helpers import create_staff_user


@pytest.fixture
def production(settings_override: object, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    import uvicorn

    started: list[str] = []
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: started.append("serving"))
    settings_override(VV_ENV="production", VV_BASE_URL="https://vv.example.org")  # type: ignore[operator]
    return started


@pytest.mark.parametrize("email", [email for email, _roles, _banks in DEMO_USERS])
def test_serve_refuses_production_while_a_demo_account_exists(
    db: Session, production: list[str], email: str
) -> None:
    from app.cli import app

    create_staff_user(db, Role.analyst, email=email)

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 1, result.output
    assert "demo" in result.output and email in result.output
    assert production == []


def test_serve_starts_in_production_without_demo_accounts(
    db: Session, production: list[str]
) -> None:
    from app.cli import app

    create_staff_user(db, Role.admin, email="real.admin@force.example")

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 0, result.output
    assert production == ["serving"]


def test_serve_starts_in_production_once_the_demo_accounts_are_disabled(
    db: Session, production: list[str]
) -> None:
    from app.cli import app
    from app.db import utcnow

    for email, _roles, _banks in DEMO_USERS:
        user = create_staff_user(db, Role.analyst, email=email)
        user.disabled_at = utcnow()
        db.add(user)
    db.commit()

    result = CliRunner().invoke(app, ["serve"])

    assert result.exit_code == 0, result.output
    assert production == ["serving"]
