"""The `victim-voice` command line: one small function per command, calling services."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True, add_completion=False, help="Victim Voice service")
db_app = typer.Typer(no_args_is_help=True, help="Database schema")
app.add_typer(db_app, name="db")


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
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        server_header=False,
        access_log=False,  # access logs would hold survey tokens in their paths
    )


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
