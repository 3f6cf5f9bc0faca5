"""CLI commands of the auth domain (users, api-keys), registered by app/cli.py.

Exit codes follow the contract: 0 ok, 1 a problem in the input (printed), 2 usage (Typer's own,
e.g. an unknown role name or a missing option).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

from app.enums import Role
from app.errors import AppError

if TYPE_CHECKING:
    from app.auth.models import StaffUser

users_app = typer.Typer(no_args_is_help=True)
api_keys_app = typer.Typer(no_args_is_help=True)

CLI_ACTOR = "cli"

RoleOption = typer.Option(
    ..., "--role", help="A role to grant; repeat for several (they add up).", show_default=False
)
BankOption = typer.Option(
    [], "--bank", help="A question bank slug an editor may draft; repeat for several."
)
LanguageOption = typer.Option(
    [],
    "--language",
    help="A language (BCP 47 tag, e.g. ur) whose translations the user may approve; "
    "repeat for several.",
)
SupportServiceOption = typer.Option(
    [],
    "--support-service",
    help="A support service (a key of support_services.yaml) a support worker acts for; "
    "repeat for several. Required for --role support_worker, refused for any other role.",
)
KeyUserOption = typer.Option(
    None,
    "--user",
    help="Bind the key to this staff user (their email): it acts for them, may hold only "
    "their roles, and is revoked when they are disabled. Only a bound key can approve.",
    show_default=False,
)


def _fail(message: str) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        # One line; the newline that `echo` or a file adds is not part of the password.
        return sys.stdin.readline().rstrip("\r\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt="Repeat the password"))


def _change_user(change: Callable[..., StaffUser], email: str) -> int | None:
    """Run a service change on the user with this email in its own transaction; their id."""
    from app.db import session_scope

    try:
        with session_scope() as session:
            return change(session, email=email, actor=CLI_ACTOR).id
    except AppError as exc:
        _fail(exc.detail)
    return None


@users_app.command("create")
def create_user(
    email: str = typer.Option(..., "--email", help="The user's email address (their sign-in)."),
    role: list[Role] = RoleOption,
    bank: list[str] = BankOption,
    language: list[str] = LanguageOption,
    support_service: list[str] = SupportServiceOption,
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create a staff user; roles add up. They set up their authenticator app at first sign-in."""
    from app.auth import passwords, service
    from app.db import session_scope

    try:
        service.checked_email(email)
        service.checked_language_scopes(language)
        service.checked_support_scopes([r.value for r in role], support_service)
    except AppError as exc:
        _fail(exc.detail)
    password = _read_password(password_stdin)
    try:
        passwords.check_password_rules(password)
    except passwords.WeakPassword as exc:
        _fail(str(exc))
    try:
        with session_scope() as session:
            user = service.create_user(
                session,
                email=email,
                password=password,
                roles=role,
                bank_scopes=bank,
                language_scopes=language,
                support_scopes=support_service,
                actor=CLI_ACTOR,
            )
            user_id, roles, languages = user.id, user.roles, user.language_scopes
    except AppError as exc:
        _fail(exc.detail)
    typer.echo(f"Created staff user {user_id} with roles: {', '.join(roles)}.")
    if languages:
        typer.echo(f"They may approve translations in: {', '.join(languages)}.")


@users_app.command("disable")
def disable_user(
    email: str = typer.Option(..., "--email", help="The email address of the user to disable."),
) -> None:
    """Disable a user, end their sessions and revoke the API keys bound to them, at once."""
    from app.auth import service

    user_id = _change_user(service.disable_user, email)
    typer.echo(
        f"Disabled staff user {user_id}; their sessions have ended "
        "and the API keys bound to them are revoked."
    )


@users_app.command("reset-2fa")
def reset_second_factor(
    email: str = typer.Option(..., "--email", help="The email address of the user."),
) -> None:
    """Forget a user's authenticator app (e.g. a lost phone) and end their sessions."""
    from app.auth import service

    user_id = _change_user(service.reset_second_factor, email)
    typer.echo(
        f"Reset the second factor of staff user {user_id}; "
        "they set up an authenticator app again at their next sign-in."
    )


@users_app.command("list")
def list_users() -> None:
    """List staff users: id, email, roles, banks, languages and whether they can sign in."""
    from sqlmodel import col, select

    from app.auth.models import StaffUser
    from app.db import session_scope

    with session_scope() as session:
        users = session.exec(select(StaffUser).order_by(col(StaffUser.id))).all()
        rows = [
            (
                str(user.id),
                user.email,
                ",".join(user.roles),
                ",".join(user.bank_scopes) or "-",
                ",".join(user.language_scopes) or "-",
                "disabled" if user.disabled_at else "active",
                "2fa set up" if user.totp_confirmed_at else "2fa not set up",
            )
            for user in users
        ]
    for row in rows:
        typer.echo("\t".join(row))
    if not rows:
        typer.echo("No staff users yet.")


@api_keys_app.command("create")
def create_key(
    name: str = typer.Option(..., "--name", help="What the key is for, e.g. 'records system'."),
    role: list[Role] = RoleOption,
    bank: list[str] = BankOption,
    support_service: list[str] = SupportServiceOption,
    user: str | None = KeyUserOption,
) -> None:
    """Create an API key and print it once, alone on the last line."""
    from app.auth.api_keys import create_api_key
    from app.db import session_scope

    try:
        with session_scope() as session:
            plain, key = create_api_key(
                session,
                name=name,
                roles=role,
                bank_scopes=bank,
                support_scopes=support_service,
                user_email=user,
                actor=CLI_ACTOR,
            )
            prefix, roles, user_id = key.prefix, key.roles, key.user_id
    except AppError as exc:
        _fail(exc.detail)
    bound = f", bound to staff user {user_id}" if user_id is not None else ", bound to nobody"
    typer.echo(f"Created API key {prefix} with roles: {', '.join(roles)}{bound}.")
    typer.echo("It is shown only now: store it in a secret store. Revoke it with its prefix.")
    typer.echo(plain)


@api_keys_app.command("revoke")
def revoke_key(
    prefix: str = typer.Argument(..., help="The prefix shown when the key was created."),
) -> None:
    """Revoke an API key by its prefix; it stops working at once."""
    from app.auth.api_keys import revoke_api_key
    from app.db import session_scope

    try:
        with session_scope() as session:
            key = revoke_api_key(session, prefix=prefix, actor=CLI_ACTOR)
            key_prefix = key.prefix
    except AppError as exc:
        _fail(exc.detail)
    typer.echo(f"Revoked API key {key_prefix}.")


@api_keys_app.command("list")
def list_keys() -> None:
    """List API keys by prefix (never the keys themselves), with roles, user and last use."""
    from sqlmodel import col, select

    from app.auth.models import ApiKey
    from app.db import session_scope

    with session_scope() as session:
        keys = session.exec(select(ApiKey).order_by(col(ApiKey.id))).all()
        rows = [
            (
                key.prefix,
                key.name,
                ",".join(key.roles),
                ",".join(key.bank_scopes) or "-",
                f"user {key.user_id}" if key.user_id is not None else "unbound",
                f"last used {key.last_used_at:%Y-%m-%d %H:%M}"
                if key.last_used_at
                else "never used",
                "revoked" if key.revoked_at else "active",
            )
            for key in keys
        ]
    for row in rows:
        typer.echo("\t".join(row))
    if not rows:
        typer.echo("No API keys yet.")
