"""`victim-voice users create|disable`: hashes, roles, clear errors, and at once effect."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.audit import AuditEvent
from app.auth.models import StaffSession, StaffUser
from app.auth.passwords import verify_password
from app.cli import app as cli
from app.enums import Role
from tests.auth_helpers import PASSWORD, signed_in_client

runner = CliRunner()


def _create(*args: str, password: str | None = PASSWORD) -> object:
    extra = ["--password-stdin"] if password is not None else []
    return runner.invoke(
        cli, ["users", "create", *args, *extra], input=f"{password}\n" if password else None
    )


def test_create_a_user_with_several_roles(db: Session) -> None:
    result = _create(
        "--email", "Analyst@Example.org", "--role", "analyst", "--role", "editor", "--bank", "rasso"
    )
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    user = db.exec(select(StaffUser)).one()
    assert user.email == "analyst@example.org"
    assert user.roles == ["analyst", "editor"] and user.bank_scopes == ["rasso"]
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, PASSWORD)
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.created")).one()
    assert event.actor == "cli" and event.object_id == str(user.id)
    assert "example.org" not in str(event.model_dump())
    assert "example.org" not in result.output  # type: ignore[attr-defined]


def test_without_stdin_the_password_is_asked_twice(db: Session) -> None:
    result = runner.invoke(
        cli,
        ["users", "create", "--email", "a@example.org", "--role", "uploader"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat the password" in result.output
    assert PASSWORD not in result.output  # hidden input is not echoed
    assert db.exec(select(StaffUser)).one().roles == ["uploader"]


def test_an_unknown_role_is_a_usage_error(db: Session) -> None:
    result = _create("--email", "a@example.org", "--role", "superuser")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert "superuser" in result.output  # type: ignore[attr-defined]
    assert db.exec(select(StaffUser)).first() is None


def test_an_invalid_email_is_an_input_problem() -> None:
    result = _create("--email", "not-an-email", "--role", "analyst")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "valid email address" in result.output  # type: ignore[attr-defined]


def test_a_short_password_is_an_input_problem() -> None:
    result = _create("--email", "a@example.org", "--role", "analyst", password="short")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "at least 12 characters" in result.output  # type: ignore[attr-defined]


def test_a_duplicate_email_is_an_input_problem() -> None:
    assert _create("--email", "a@example.org", "--role", "analyst").exit_code == 0  # type: ignore[attr-defined]
    result = _create("--email", "A@example.org", "--role", "admin")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert "already exists" in result.output  # type: ignore[attr-defined]


def test_disabling_an_unknown_user_is_an_input_problem() -> None:
    result = runner.invoke(cli, ["users", "disable", "--email", "nobody@example.org"])
    assert result.exit_code == 1
    assert "no staff user" in result.output


def test_disabling_a_user_ends_their_session_at_once(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst], email="leaver@example.org")
    assert staff.get("/api/v1/me").status_code == 200
    result = runner.invoke(cli, ["users", "disable", "--email", "leaver@example.org"])
    assert result.exit_code == 0, result.output
    assert staff.get("/api/v1/me").status_code == 401
    db.expire_all()
    assert all(s.ended_at is not None for s in db.exec(select(StaffSession)).all())
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.disabled")).one()
    assert event.actor == "cli" and event.detail == {"sessions_ended": 1, "keys_revoked": 0}


def test_a_disabled_flag_alone_stops_a_live_session(client: TestClient, db: Session) -> None:
    """The flag is checked on every request, whoever sets it."""
    staff = signed_in_client(client, db, [Role.analyst], email="leaver@example.org")
    user = db.exec(select(StaffUser)).one()
    user.disabled_at = user.created_at
    db.add(user)
    db.commit()
    assert staff.get("/api/v1/me").status_code == 401
    assert staff.get("/staff/").url.path == "/staff/login"


def test_outside_tests_passwords_use_the_rfc_9106_argon2id_cost(settings_override) -> None:  # type: ignore[no-untyped-def]
    from app.auth.passwords import hash_password

    settings_override(VV_ENV="development")
    assert hash_password(PASSWORD).startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_reset_2fa_makes_the_user_set_up_again(client: TestClient, db: Session) -> None:
    from tests.auth_helpers import post_login

    staff = signed_in_client(client, db, [Role.analyst], email="lost.phone@example.org")
    result = runner.invoke(cli, ["users", "reset-2fa", "--email", "lost.phone@example.org"])
    assert result.exit_code == 0, result.output
    assert staff.get("/api/v1/me").status_code == 401
    db.expire_all()
    user = db.exec(select(StaffUser)).one()
    assert user.totp_secret_encrypted is None and user.totp_confirmed_at is None
    db.rollback()
    assert post_login(staff, "lost.phone@example.org", PASSWORD).url.path == "/staff/2fa/setup"


def test_users_list_shows_roles_and_state(db: Session) -> None:
    _create("--email", "a@example.org", "--role", "analyst")
    runner.invoke(cli, ["users", "disable", "--email", "a@example.org"])
    result = runner.invoke(cli, ["users", "list"])
    assert result.exit_code == 0
    # id, email, roles, banks, languages, state, second factor
    assert result.stdout.splitlines() == [
        "1\ta@example.org\tanalyst\t-\t-\tdisabled\t2fa not set up"
    ]
