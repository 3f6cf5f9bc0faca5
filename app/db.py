"""Database engine, constraint naming, and one transaction per request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, SQLModel, create_engine

from app import clock

# Named constraints make migrations reproducible on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION
metadata: MetaData = SQLModel.metadata

_engines: dict[str, Engine] = {}
# Execution option of a connection whose transaction only reads (see read_only).
READ_ONLY = "vv_read_only"


def utcnow() -> datetime:
    """Aware UTC now, from the service's one clock (`app.clock`), so that freezing
    `app.clock.now` in a test freezes every domain; kept for the modules that bind it."""
    return clock.now()


def as_utc(value: datetime) -> datetime:
    """`value` as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def new_uuid() -> str:
    """A random (version 4) id, never a sequence that could be lined up with another table."""
    return str(uuid.uuid4())


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A read (see read_only): WAL lets writers go on beside it, and query_only turns
            # a write slipped into it into an error instead of a lock taken mid-read.
            connection.exec_driver_sql("PRAGMA query_only=ON")
            connection.exec_driver_sql("BEGIN")
            return
        connection.exec_driver_sql("PRAGMA query_only=OFF")
        # Take the write lock up front: a deferred transaction that later writes can fail
        # with "database is locked" instead of waiting its turn.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """A new engine for `url`, with SQLite tuned for a concurrent web service."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def get_engine(url: str | None = None) -> Engine:
    """The shared engine for the configured (or given) database URL."""
    if url is None:
        from app.settings import get_settings

        url = get_settings().database_url
    if url not in _engines:
        _engines[url] = create_db_engine(url)
    return _engines[url]


def dispose_engines() -> None:
    for engine in _engines.values():
        engine.dispose()
    _engines.clear()


@contextmanager
def session_scope(url: str | None = None) -> Iterator[Session]:
    """One transaction: committed if the block succeeds, rolled back if it raises."""
    with Session(get_engine(url), expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_only(session: Session) -> Iterator[Session]:
    """Run the block in a transaction that only reads and holds no lock a writer waits for.

    On SQLite every other transaction takes the one write lock when it begins (see
    `_configure_sqlite`), so a staff read computing figures inside the request's transaction
    held it for as long as it computed, and a victim's save waited, then failed after the busy
    timeout. This commits what the session wrote so far (a sign-in's last-seen time, say),
    reads in a deferred, query-only transaction, and ends it; whatever the caller writes next
    (its audit event) takes the lock only for a short transaction of its own. Nested blocks
    share the outer one. On PostgreSQL readers never block writers; the block just reads in a
    transaction of its own.
    """
    if session.info.get(READ_ONLY):
        yield session
        return
    session.commit()
    session.connection(execution_options={READ_ONLY: True})
    session.info[READ_ONLY] = True
    try:
        yield session
    except BaseException:
        session.info.pop(READ_ONLY, None)
        session.rollback()
        raise
    session.info.pop(READ_ONLY, None)
    session.commit()  # ends the read; there is nothing to write


def get_session() -> Iterator[Session]:
    """FastAPI dependency: the request's one transaction, committed before the response."""
    with session_scope() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
