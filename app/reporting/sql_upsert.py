"""The dialect's INSERT … ON CONFLICT, for the rollup tables (SQLite and PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session


def dialect_insert(session: Session) -> Callable[[Table], Any]:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"rollups need SQLite or PostgreSQL, not {name}")
