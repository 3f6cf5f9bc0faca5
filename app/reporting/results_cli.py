"""`victim-voice results freeze`: store the figures of every closed quarter not yet frozen."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)


@app.command("freeze")
def freeze_command() -> None:
    """Freeze the public results of every quarter that has closed (idempotent: a frozen
    quarter is never computed again)."""
    from app.db import session_scope
    from app.reporting.results_freeze import freeze_closed_quarters
    from app.startup import check_startup

    check_startup()
    with session_scope() as session:
        stored = freeze_closed_quarters(session, actor="cli")
    if stored:
        typer.echo(f"Froze {len(stored)} quarter(s): {', '.join(stored)}.")
    else:
        typer.echo("No quarter to freeze: every closed quarter is frozen already.")
