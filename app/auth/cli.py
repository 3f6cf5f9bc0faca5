"""CLI commands of the auth domain (users, api-keys), registered by app/cli.py."""

from __future__ import annotations

import typer

users_app = typer.Typer(no_args_is_help=True)
api_keys_app = typer.Typer(no_args_is_help=True)
