"""CLI commands of the reporting domain, registered by app/cli.py."""

from __future__ import annotations

import time

import typer

rollups_app = typer.Typer(no_args_is_help=True)


@rollups_app.command("rebuild")
def rebuild_command() -> None:
    """Recompute the rollup counts from the stored answers (one transaction).

    Only months at or after the retention cutoff (VV_RETENTION_MONTHS before this month) are
    recomputed. Older months keep their counts as they are: purge has erased their responses,
    and published figures keep their history.
    """
    from app.db import session_scope
    from app.reporting import rollups

    started = time.perf_counter()
    since = rollups.rebuild_cutoff()
    with session_scope() as session:
        answers = rollups.count_answers(session, since=since)
        typer.echo(
            f"Rebuilding rollup counts from {since:%B %Y} on, from {answers:,} answers "
            "(counts of earlier months are kept)…"
        )
        rows = rollups.rebuild(session, since=since)
    elapsed = time.perf_counter() - started
    typer.echo(f"Rebuilt in {elapsed:.1f}s: {rows:,} rollup rows in all.")
