"""The dialect's INSERT … ON CONFLICT, for the rollup tables (SQLite and PostgreSQL only)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.cell_key import KEY_SPACE


def dialect_insert(session: Session) -> Callable[[Table], Any]:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"rollups need SQLite or PostgreSQL, not {name}")


# Rows per INSERT: a cross-tab submit can add hundreds, and SQLite caps bound parameters.
CHUNK = 1000


def add_counts(
    session: Session, table: Table, key: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> None:
    """Add each row's `count` and `key_sum` to the row of the same key (new rows inserted); key
    sums stay mod KEY_SPACE. Shared by every rollup table, so all count alike."""
    for start in range(0, len(rows), CHUNK):
        statement = dialect_insert(session)(table).values(list(rows[start : start + CHUNK]))
        statement = statement.on_conflict_do_update(
            index_elements=list(key),
            set_={
                "count": table.c.count + statement.excluded["count"],
                "key_sum": (table.c.key_sum + statement.excluded["key_sum"]) % KEY_SPACE,
            },
        )
        session.execute(statement)


def drop_emptied(session: Session, table: Table, match: Mapping[str, Any]) -> None:
    """Remove the rows of `match` whose count is back at zero, so the table equals a rebuild."""
    session.execute(
        delete(table).where(
            table.c.count <= 0, *(table.c[name] == value for name, value in match.items())
        )
    )
