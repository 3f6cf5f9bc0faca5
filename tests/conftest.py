"""Test harness: a real database (SQLite, or PostgreSQL when VV_TEST_DATABASE_URL is set)
migrated with the real migrations once per run, emptied after every test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Table, create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

TEST_SECRET_KEY = "test-signing-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEST_HASH_KEY = "test-hash-key-0123456789abcdefghijklmnopqrstuvwxyz"
TEST_FERNET_KEY = Fernet.generate_key().decode()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The PostgreSQL leg of CI skips tests that touch no database: they give the same answer
    on either leg, and the disclosure attacks among them take minutes."""
    if not os.environ.get("VV_TEST_DATABASE_URL"):
        return
    skip = pytest.mark.skip(reason="in memory: run on the SQLite leg")
    for item in items:
        if item.get_closest_marker("in_memory"):
            item.add_marker(skip)


def _worker_id() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _postgres_url_for_worker(base_url: str) -> str:
    """Each xdist worker gets its own database on the server named by the base URL."""
    url = make_url(base_url)
    name = f"{url.database}_{_worker_id()}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_postgres_database(url_text: str) -> None:
    url = make_url(url_text)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("VV_TEST_DATABASE_URL")
    if base:
        url = _postgres_url_for_worker(base)
        yield url
        from app.db import dispose_engines

        dispose_engines()
        _drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture(scope="session", autouse=True)
def _test_environment(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """Settings for the whole run, set before the app reads them; the schema via migrations."""
    work = tmp_path_factory.mktemp("work")
    values = {
        "VV_DATABASE_URL": database_url,
        "VV_SECRET_KEYS": TEST_SECRET_KEY,
        "VV_ENCRYPTION_KEYS": TEST_FERNET_KEY,
        "VV_HASH_KEY": TEST_HASH_KEY,
        "VV_ENV": "test",
        "VV_OUTBOX_PATH": str(work / "outbox.jsonl"),
        "VV_BASE_URL": "http://testserver",
        "VV_QUIET_HOURS": "none",
    }
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    os.chdir(work)  # a stray development secret file or SQLite file lands here, not in the repo
    from app.migrate import upgrade
    from app.settings import get_settings

    get_settings.cache_clear()
    upgrade(database_url)
    yield
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    get_settings.cache_clear()


@pytest.fixture(autouse=True)
def _clean_database(database_url: str, request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts from an empty (migrated) database."""
    yield
    if request.node.get_closest_marker("in_memory"):
        return
    import app.models  # noqa: F401
    from app.db import get_engine, metadata

    engine = get_engine(database_url)
    tables = list(reversed(metadata.sorted_tables))
    with engine.begin() as connection:
        if is_postgres(database_url):
            _empty_postgres_tables(connection, tables)
        else:
            for table in tables:
                connection.execute(table.delete())


# Append-only on PostgreSQL (a trigger refuses DELETE): emptied by TRUNCATE, which skips it.
_TRUNCATED = frozenset({"audit_event"})


def _empty_postgres_tables(connection: Connection, tables: list[Table]) -> None:
    """Empty only the tables a test wrote to, and restart their id sequences as TRUNCATE …
    RESTART IDENTITY would. One TRUNCATE of every table took 0.44 s per test (a new file per
    table), about ten minutes of the PostgreSQL leg; a DELETE of a few small tables takes ms."""
    probe = " UNION ALL ".join(
        f"(SELECT '{table.name}' FROM \"{table.name}\" LIMIT 1)" for table in tables
    )
    used = set(connection.execute(text(probe)).scalars())
    for table in tables:  # dependants first
        if table.name not in used:
            continue
        if table.name in _TRUNCATED:
            connection.execute(text(f'TRUNCATE "{table.name}" RESTART IDENTITY'))
            continue
        connection.execute(table.delete())
        column = table.autoincrement_column
        if column is not None:
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, :column), 1, false)"),
                {"table": f'"{table.name}"', "column": column.name},
            )


@pytest.fixture
def settings_override(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """Call with VV_ names and values to change settings for one test."""
    from app.settings import get_settings

    def override(**values: str) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        get_settings.cache_clear()

    yield override
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture
def db(database_url: str) -> Iterator[Session]:
    """A session for arranging and checking data; commit explicitly when the app must see it."""
    from app.db import get_engine

    with Session(get_engine(database_url), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client() -> Iterator[TestClient]:
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as test_client:
        yield test_client


REPO_ROOT = Path(__file__).resolve().parent.parent
