"""CLI commands of the invitations domain, registered by app/cli.py.

`app` holds `invitations import`; `top_level_commands` become `victim-voice dispatch` and
`victim-voice purge`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

app = typer.Typer(no_args_is_help=True)
top_level_commands: list[Callable[..., Any]] = []
