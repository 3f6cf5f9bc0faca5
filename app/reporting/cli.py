"""CLI commands of the reporting domain, registered by app/cli.py."""

from __future__ import annotations

import time

import typer

rollups_app = typer.Typer(no_args_is_help=True)


@rollups_app.command("rebuild")
def rebuild_command() -> None:
    """Recompute every rollup count from the stored answers (one transaction)."""
    from app.db import session_scope
    from app.reporting import rollups

    started = time.perf_counter()
    with session_scope() as session:
        answers = rollups.count_answers(session)
        typer.echo(f"Rebuilding rollup counts from {answers:,} answers…")
        rows = rollups.rebuild(session)
    elapsed = time.perf_counter() - started
    typer.echo(f"Rebuilt {rows:,} rollup rows in {elapsed:.1f}s.")
