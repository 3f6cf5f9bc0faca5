"""The `victim-voice` command line: one small function per command, calling services."""

from __future__ import annotations

from typing import TypedDict

import typer

from app import models as _all_tables  # noqa: F401  (every table known, so foreign keys resolve)

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Victim Voice service")
db_app = typer.Typer(no_args_is_help=True, help="Database schema")
app.add_typer(db_app, name="db")


class UvicornOptions(TypedDict):
    proxy_headers: bool
    server_header: bool
    access_log: bool


# How `serve` runs uvicorn (the live-server tests run it the same way).
UVICORN_OPTIONS: UvicornOptions = {
    # uvicorn would otherwise take X-Forwarded-For from any local peer as the client address;
    # the app alone decides whom to believe (VV_TRUSTED_PROXIES, app/auth/client_address.py).
    "proxy_headers": False,
    "server_header": False,
    "access_log": False,  # access logs would hold survey tokens in their paths
}


def _register_domain_commands() -> None:
    from app.auth import cli as auth_cli
    from app.banks import cli as banks_cli
    from app.invitations import cli as invitations_cli
    from app.jobs import cli as jobs_cli
    from app.reporting import results_cli

    app.add_typer(auth_cli.users_app, name="users", help="Staff users")
    app.add_typer(auth_cli.api_keys_app, name="api-keys", help="API keys")
    app.add_typer(banks_cli.app, name="banks", help="Question banks")
    app.add_typer(invitations_cli.app, name="invitations", help="Invitation batches")
    app.add_typer(jobs_cli.rollups_app, name="rollups", help="Aggregate rollup counts")
    app.add_typer(results_cli.app, name="results", help="The public results page")
    app.command("dispatch")(jobs_cli.dispatch)
    app.command("purge")(jobs_cli.purge)
    # Every encrypted field of every domain; kept under `invitations` too, where it began.
    app.command("rotate-keys")(jobs_cli.rotate_keys)
    invitations_cli.app.command("rotate-keys")(jobs_cli.rotate_keys)


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on"),
    port: int = typer.Option(8000, help="Port to listen on"),
    workers: int = typer.Option(1, help="Worker processes"),
) -> None:
    """Run the web service (uvicorn)."""
    import uvicorn

    from app.startup import check_startup

    check_startup()
    _check_no_demo_accounts()
    _check_moj_mapping()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        **UVICORN_OPTIONS,
    )


def _check_no_demo_accounts() -> None:
    """`victim-voice demo` refuses VV_ENV=production, but VV_ENV defaults to development: a
    shell pointed at the real database without it seeds accounts whose password and
    authenticator secret are published. A production service never starts beside them."""
    from app.db import session_scope
    from app.demo import demo_accounts
    from app.settings import get_settings

    if get_settings().env != "production":
        return
    with session_scope() as session:
        found = demo_accounts(session)
    if found:
        typer.echo(
            "Cannot start: the database holds the demo's staff accounts, whose password is "
            f"published ({', '.join(found)}). Disable them (`victim-voice users disable`), "
            "then start.",
            err=True,
        )
        raise typer.Exit(1)


def _check_moj_mapping() -> None:
    """The MoJ key compliance metrics file is data an operator edits: a broken edit stops the
    start with a message naming the entry (app.reporting.moj_mapping)."""
    from app.reporting.moj_mapping import MojMappingError, shipped_mapping

    try:
        shipped_mapping()
    except MojMappingError as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(1) from exc


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply migrations to VV_DATABASE_URL (creates a SQLite file if needed)."""
    from app.migrate import upgrade
    from app.settings import get_settings

    upgrade(get_settings().database_url)
    typer.echo("Database is up to date.")


@app.command()
def demo() -> None:
    """Seed a demo (banks, staff users, a batch, dispatched links) and print how to try it."""
    from app.demo import seed_demo

    for line in seed_demo():
        typer.echo(line)


_register_domain_commands()
