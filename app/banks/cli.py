"""CLI commands of the banks domain, registered by app/cli.py."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
