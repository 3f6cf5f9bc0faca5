"""Models and migrations agree, on SQLite and PostgreSQL; the history is linear and reversible."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import app.models  # noqa: F401
from app.db import metadata
from app.migrate import alembic_config, downgrade, upgrade


@pytest.fixture
def fresh_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the kind under test, apart from the suite's shared one."""
    base = os.environ.get("VV_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = make_url(base)
    name = f"{url.database}_mig_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    from app.db import dispose_engines

    dispose_engines()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _pending_diff(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "render_as_batch": True}
            )
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_to_head_leaves_no_autogenerate_diff(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    assert _pending_diff(fresh_database_url) == []
    assert _tables(fresh_database_url) == set(metadata.tables)


def test_downgrade_to_base_and_up_again(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    downgrade(fresh_database_url, "base")
    assert _tables(fresh_database_url) == set()
    upgrade(fresh_database_url)
    assert _pending_diff(fresh_database_url) == []


def test_migration_history_is_linear() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, f"several heads: {heads}"
    for revision in script.walk_revisions():
        down = revision.down_revision
        assert down is None or isinstance(down, str), f"{revision.revision} merges branches"


def test_every_foreign_key_is_indexed() -> None:
    for table in metadata.tables.values():
        indexed = {tuple(column.name for column in index.columns) for index in table.indexes} | {
            tuple(column.name for column in constraint.columns)
            for constraint in table.constraints
            if constraint.__class__.__name__ in {"UniqueConstraint", "PrimaryKeyConstraint"}
        }
        for fk in table.foreign_keys:
            column = fk.parent.name
            assert any(cols[0] == column for cols in indexed), f"{table.name}.{column} not indexed"


def test_audit_events_are_append_only_on_postgresql(fresh_database_url: str) -> None:
    if not fresh_database_url.startswith("postgresql"):
        pytest.skip("the append-only trigger is PostgreSQL's")
    from sqlalchemy.exc import DBAPIError

    upgrade(fresh_database_url)
    engine = create_engine(fresh_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO audit_event (occurred_at, actor, action, object_type, "
                    "object_id, detail) VALUES (now(), 'cli', 'test', '', '', '{}')"
                )
            )
        for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
                connection.execute(text(statement))
        with engine.connect() as connection:
            assert connection.execute(text("SELECT action FROM audit_event")).scalar() == "test"
    finally:
        engine.dispose()


def test_foreign_keys_are_enforced_again_after_migrating_sqlite(fresh_database_url: str) -> None:
    """Migrations turn SQLite's foreign keys off while they copy tables; the pooled connection
    the service then uses must have them back on."""
    if not fresh_database_url.startswith("sqlite"):
        pytest.skip("SQLite only")
    from app.db import get_engine

    upgrade(fresh_database_url)
    downgrade(fresh_database_url, "0002")
    upgrade(fresh_database_url)
    with get_engine(fresh_database_url).connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
