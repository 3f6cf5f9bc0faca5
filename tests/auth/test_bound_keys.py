"""Keys bound to a named user (`api-keys create --user`), and users' language scopes."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.audit import AuditEvent
from app.auth.models import ApiKey, StaffUser
from app.cli import app as cli
from app.enums import Role
from tests.auth_helpers import PASSWORD, api_headers, create_staff_user

runner = CliRunner()


def _invoke(*args: str, password: str | None = None) -> object:
    return runner.invoke(cli, list(args), input=f"{password}\n" if password else None)


def test_a_key_bound_to_a_user_acts_for_them(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.approver, Role.analyst, email="reviewer@example.org")
    db.rollback()
    result = runner.invoke(
        cli,
        ["api-keys", "create", "--name", "review script", "--role", "approver"]
        + ["--user", "Reviewer@Example.org"],
    )
    assert result.exit_code == 0, result.output
    assert f"bound to staff user {user.id}" in result.stdout
    assert "reviewer@example.org" not in result.stdout.lower()
    plain = result.stdout.strip().splitlines()[-1]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plain}"})
    assert me.json()["actor"].startswith("key:")  # audit names the key; the person is bound
    db.expire_all()
    key = db.exec(select(ApiKey)).one()
    assert key.user_id == user.id
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "api_key.created")).one()
    assert event.detail["user_id"] == user.id
    db.rollback()  # end the read: SQLite would otherwise keep the command waiting
    listed = runner.invoke(cli, ["api-keys", "list"]).stdout
    assert f"\tuser {user.id}\t" in listed


def test_a_bound_key_holds_no_more_than_its_user(db: Session) -> None:
    create_staff_user(db, Role.editor, email="editor@example.org", banks=["general"])
    db.rollback()
    base = ["api-keys", "create", "--name", "k", "--user", "editor@example.org"]
    more_roles = runner.invoke(cli, [*base, "--role", "approver"])
    assert more_roles.exit_code == 1
    assert "does not hold: approver" in more_roles.output
    other_bank = runner.invoke(cli, [*base, "--role", "editor", "--bank", "rasso"])
    assert other_bank.exit_code == 1
    assert "not: rasso" in other_bank.output
    nobody = runner.invoke(
        cli, ["api-keys", "create", "--name", "k", "--role", "editor", "--user", "x@example.org"]
    )
    assert nobody.exit_code == 1
    assert "no staff user with this email" in nobody.output
    db.expire_all()
    assert db.exec(select(ApiKey)).all() == []


def test_disabling_a_user_revokes_their_bound_keys_only(client: TestClient, db: Session) -> None:
    leaver = create_staff_user(db, Role.approver, email="leaver@example.org")
    bound = api_headers(db, Role.approver, user=leaver)
    unbound = api_headers(db, Role.approver)
    assert client.get("/api/v1/me", headers=bound).status_code == 200
    result = runner.invoke(cli, ["users", "disable", "--email", "leaver@example.org"])
    assert result.exit_code == 0, result.output
    assert "API keys bound to them are revoked" in result.stdout
    assert client.get("/api/v1/me", headers=bound).status_code == 401
    assert client.get("/api/v1/me", headers=unbound).status_code == 200
    db.expire_all()
    keys = db.exec(select(ApiKey).order_by(ApiKey.id)).all()  # type: ignore[arg-type]
    assert [key.revoked_at is not None for key in keys] == [True, False]
    disabled = db.exec(select(AuditEvent).where(AuditEvent.action == "user.disabled")).one()
    assert disabled.detail["keys_revoked"] == 1
    revoked = db.exec(select(AuditEvent).where(AuditEvent.action == "api_key.revoked")).one()
    assert revoked.detail == {"reason": "user_disabled"}


def test_a_bound_key_of_a_disabled_user_fails_even_if_not_revoked(
    client: TestClient, db: Session
) -> None:
    user = create_staff_user(db, Role.approver)
    headers = api_headers(db, Role.approver, user=user)
    user.disabled_at = user.created_at  # disabled by some other path than `users disable`
    db.add(user)
    db.commit()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_no_key_can_be_bound_to_a_disabled_user(db: Session) -> None:
    runner.invoke(
        cli,
        ["users", "create", "--email", "gone@example.org", "--role", "approver"]
        + ["--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    runner.invoke(cli, ["users", "disable", "--email", "gone@example.org"])
    result = runner.invoke(
        cli,
        ["api-keys", "create", "--name", "k", "--role", "approver", "--user", "gone@example.org"],
    )
    assert result.exit_code == 1
    assert "disabled" in result.output


def test_users_create_stores_and_shows_language_scopes(db: Session) -> None:
    result = runner.invoke(
        cli,
        ["users", "create", "--email", "partner@example.org", "--role", "editor"]
        + ["--language", "UR", "--language", "pa-IN", "--language", "ur", "--password-stdin"],
        input=f"{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "They may approve translations in: pa-IN, ur." in result.stdout
    user = db.exec(select(StaffUser)).one()
    assert user.language_scopes == ["pa-IN", "ur"]
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "user.created")).one()
    assert event.detail["language_scopes"] == ["pa-IN", "ur"]
    db.rollback()
    listed = runner.invoke(cli, ["users", "list"]).stdout
    assert "\tpa-IN,ur\t" in listed


def test_a_language_that_is_not_a_tag_is_an_input_problem(db: Session) -> None:
    for bad in ("urdu language", "u", "ur_PK", "ur\x00"):
        result = runner.invoke(
            cli,
            ["users", "create", "--email", "p@example.org", "--role", "editor"]
            + ["--language", bad, "--password-stdin"],
            input=f"{PASSWORD}\n",
        )
        assert result.exit_code == 1, bad
        assert "BCP 47 tag" in result.output
    assert db.exec(select(StaffUser)).all() == []


def test_a_password_with_a_nul_is_refused_at_creation(db: Session) -> None:
    result = runner.invoke(
        cli,
        ["users", "create", "--email", "p@example.org", "--role", "editor", "--password-stdin"],
        input="correct horse\x00battery staple\n",
    )
    assert result.exit_code == 1
    assert "null character" in result.output
    assert db.exec(select(StaffUser)).all() == []


def test_the_home_page_shows_a_users_languages(client: TestClient, db: Session) -> None:
    from app.auth.service import create_user
    from tests.auth_helpers import sign_in

    create_user(
        db,
        email="partner@example.org",
        password=PASSWORD,
        roles=[Role.editor],
        language_scopes=["ur"],
        actor="test",
    )
    db.commit()
    home = sign_in(client, db, "partner@example.org").get("/staff/")
    assert "Translations you may approve: ur." in home.text
