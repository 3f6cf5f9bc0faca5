"""Migration 0023 gives the action log its fields: a statement published before it is `done`
(it was shown to victims as something done) with nothing linked, and it comes down again
(SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from app.migrate import downgrade, upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture

BEFORE = "0022"  # the revision 0023 follows (the lead re-chains at merge if needed)


def test_an_older_statement_becomes_a_done_action_with_nothing_linked(
    fresh_database_url: str,  # noqa: F811
) -> None:
    upgrade(fresh_database_url, BEFORE)
    engine = create_engine(fresh_database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO published_action (crime_group, text, published_by, "
                    "published_at) VALUES (NULL, 'We rewrote the letters', 'user:1', "
                    "'2026-11-01 10:00:00+00:00')"
                )
            )
        upgrade(fresh_database_url, "0023")
        with engine.connect() as connection:
            row = connection.execute(
                text(
                    "SELECT status, rights, metrics, finding, owner, agency, due_date, "
                    "before_from, after_from FROM published_action"
                )
            ).one()
        assert row.status == "done" and row.finding == "" and row.owner == ""
        assert str(row.rights) == str(row.metrics) == "[]"  # a string on SQLite, a list on PG
        assert (row.agency, row.due_date, row.before_from, row.after_from) == (None,) * 4

        downgrade(fresh_database_url, BEFORE)
        columns = {c["name"] for c in inspect(engine).get_columns("published_action")}
        assert "status" not in columns and "rights" not in columns
        with engine.connect() as connection:
            kept = connection.execute(text("SELECT text FROM published_action")).scalar_one()
        assert kept == "We rewrote the letters"
    finally:
        engine.dispose()
