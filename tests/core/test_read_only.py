"""Attacks on `app.db.read_only`: a staff read that fails must leave nothing behind.

The read sets SQLite's `PRAGMA query_only=ON` on the connection. With a pool of one
connection, the very next request (a victim's save) gets the connection the failed read had:
it must still be able to write, and a failed read must write nothing half-done.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.pool import QueuePool
from sqlmodel import Session, create_engine

from app.db import _configure_sqlite, read_only


class ReadFailed(RuntimeError):
    pass


def one_connection_engine(path: Path) -> object:
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=1,
        max_overflow=0,
        connect_args={"check_same_thread": False},
    )
    _configure_sqlite(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE saved (value TEXT)")
    return engine


@pytest.mark.parametrize("failure", ["raises", "writes inside the read"])
def test_a_victims_save_works_on_the_connection_a_failed_read_used(
    tmp_path: Path, failure: str
) -> None:
    engine = one_connection_engine(tmp_path / "one.db")
    with pytest.raises(Exception), Session(engine) as staff:  # noqa: B017, PT011
        staff.execute(text("INSERT INTO saved VALUES ('before the read')"))
        with read_only(staff):
            staff.execute(text("SELECT count(*) FROM saved")).one()
            if failure == "raises":
                raise ReadFailed
            staff.execute(text("INSERT INTO saved VALUES ('inside the read')"))

    with Session(engine) as victim:
        assert victim.connection().exec_driver_sql("PRAGMA query_only").scalar() == 0
        victim.execute(text("INSERT INTO saved VALUES ('answer')"))
        victim.commit()
    with Session(engine) as check:
        values = [row[0] for row in check.execute(text("SELECT value FROM saved"))]
    # What the request wrote before its read is committed by read_only; nothing inside it is.
    assert sorted(values) == ["answer", "before the read"]
    engine.dispose()  # type: ignore[attr-defined]


def test_a_read_after_a_failed_read_on_the_same_session_is_read_only_again(
    tmp_path: Path,
) -> None:
    engine = one_connection_engine(tmp_path / "one.db")
    with Session(engine) as staff:
        with pytest.raises(ReadFailed), read_only(staff):
            raise ReadFailed
        staff.execute(text("INSERT INTO saved VALUES ('audit')"))  # the audit event, after
        with read_only(staff):
            assert staff.connection().exec_driver_sql("PRAGMA query_only").scalar() == 1
        staff.commit()
    engine.dispose()  # type: ignore[attr-defined]
