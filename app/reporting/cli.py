"""CLI commands of the reporting domain, registered by app/cli.py."""

from __future__ import annotations

import typer

rollups_app = typer.Typer(no_args_is_help=True)
