"""Checks made before the service or a worker starts."""

from __future__ import annotations

import typer
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from app.db import session_scope
from app.settings import SettingsError, get_settings
from app.system import HashKeyMismatch, check_hash_key


def check_startup() -> None:
    """Refuse to start with unsafe settings or a changed hash key; exits with a clear message."""
    try:
        settings = get_settings()
        try:
            with session_scope() as session:
                check_hash_key(session, settings.hash_key)
        except IntegrityError:
            # Another process stored the fingerprint at the same moment: compare with it.
            with session_scope() as session:
                check_hash_key(session, settings.hash_key)
    except (SettingsError, HashKeyMismatch) as exc:
        typer.echo(f"Cannot start: {exc}", err=True)
        raise typer.Exit(1) from exc
    except (OperationalError, ProgrammingError) as exc:
        typer.echo(
            "Cannot start: the database is not reachable or not set up. "
            "Check VV_DATABASE_URL, then run `victim-voice db upgrade`.",
            err=True,
        )
        raise typer.Exit(1) from exc
