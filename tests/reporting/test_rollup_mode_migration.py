"""Migration 0014 adds `mode` to the rollup key: existing rows are `self`; should a stored
response already be assisted, the months from its month on are recounted by mode; and it comes
down again, folding the assisted rows back in (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.migrate import downgrade, upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture

NOW = "2026-11-01 10:00:00+00:00"
# (response, month, assisted, record key, answer code)
RESPONSES = [
    ("r0", "2026-07-01", False, 10, "yes"),
    ("r1", "2026-07-01", True, 20, "yes"),
    ("r2", "2026-08-01", False, 30, "no"),
]
# Rollup rows as the code before 0014 kept them (no mode), both levels, and an older month
# whose responses are purged: (question, code, area, month, language) → (count, key sum).
OLD_ROWS = {
    ("q1", "yes", "B1", "2026-07-01", "en"): (2, 30),
    ("q1", "yes", "*", "2026-07-01", "*"): (2, 30),
    ("*", "", "B1", "2026-07-01", "en"): (2, 30),
    ("*", "", "*", "2026-07-01", "*"): (2, 30),
    ("q1", "no", "B1", "2026-08-01", "en"): (1, 30),
    ("q1", "no", "*", "2026-08-01", "*"): (1, 30),
    ("*", "", "B1", "2026-08-01", "en"): (1, 30),
    ("*", "", "*", "2026-08-01", "*"): (1, 30),
    ("q1", "yes", "B1", "2022-03-01", "en"): (4, 77),
    ("q1", "yes", "*", "2022-03-01", "*"): (4, 77),
}


@pytest.fixture
def at_0013(fresh_database_url: str) -> Iterator[str]:  # noqa: F811
    upgrade(fresh_database_url, "0013")
    engine = create_engine(fresh_database_url)
    with engine.begin() as connection:
        run = connection.execute
        run(
            text(
                "INSERT INTO question_bank (id, slug, title, created_at) "
                f"VALUES (1, 'general', 'G', '{NOW}')"
            )
        )
        run(
            text(
                "INSERT INTO bank_version (id, bank_id, version, status, document, content_hash, "
                "source, change_note, created_by, last_edited_by, created_at, updated_at) VALUES "
                f"(1, 1, 1, 'published', '{{}}', 'h', 'file', '', 't', 't', '{NOW}', '{NOW}')"
            )
        )
        for rid, month, assisted, key, code in RESPONSES:
            run(
                text(
                    "INSERT INTO response (id, bank_version_id, bank_slug, crime_group, "
                    "touchpoint, area, month, language, assisted, record_key) VALUES "
                    f"(:id, 1, 'general', 'general', 'reporting', 'B1', '{month}', 'en', "
                    f":assisted, {key})"
                ),
                {"id": rid, "assisted": assisted},
            )
            run(
                text(
                    "INSERT INTO answer (id, response_id, question_id, code) VALUES "
                    f"('a{rid}', '{rid}', 'q1', '{code}')"
                )
            )
        for (question, code, area, month, language), (count, key_sum) in OLD_ROWS.items():
            run(
                text(
                    "INSERT INTO rollup_count (question_id, code, bank_version_id, crime_group, "
                    "touchpoint, area, month, language, count, key_sum) VALUES "
                    f"('{question}', '{code}', 1, 'general', 'reporting', '{area}', '{month}', "
                    f"'{language}', {count}, {key_sum})"
                )
            )
    engine.dispose()
    yield fresh_database_url


def _rows(url: str, *, with_mode: bool) -> dict[tuple[Any, ...], tuple[int, int]]:
    engine = create_engine(url)
    mode = ", mode" if with_mode else ""
    with engine.connect() as connection:
        found = connection.execute(
            text(
                f"SELECT question_id, code, area, month, language{mode}, count, key_sum "
                "FROM rollup_count"
            )
        ).all()
    engine.dispose()
    return {
        (row[0], row[1], row[2], str(row[3])[:10], *row[4:-2]): (row[-2], row[-1]) for row in found
    }


def test_rows_are_recounted_by_mode_from_an_assisted_months_on(at_0013: str) -> None:
    upgrade(at_0013)
    rows = _rows(at_0013, with_mode=True)
    for area, language in (("B1", "en"), ("*", "*")):
        assert rows[("q1", "yes", area, "2026-07-01", language, "self")] == (1, 10)
        assert rows[("q1", "yes", area, "2026-07-01", language, "assisted")] == (1, 20)
        assert rows[("*", "", area, "2026-07-01", language, "assisted")] == (1, 20)
        assert rows[("q1", "no", area, "2026-08-01", language, "self")] == (1, 30)
    # The purged month keeps its counts, as `self`: nothing marked a response assisted then.
    assert rows[("q1", "yes", "B1", "2022-03-01", "en", "self")] == (4, 77)
    assert len(rows) == len(OLD_ROWS) + 4


def test_without_assisted_responses_every_row_is_self_and_unchanged(at_0013: str) -> None:
    engine = create_engine(at_0013)
    with engine.begin() as connection:
        connection.execute(text("UPDATE response SET assisted = :no"), {"no": False})
    engine.dispose()
    upgrade(at_0013)
    assert _rows(at_0013, with_mode=True) == {
        (*key, "self"): value for key, value in OLD_ROWS.items()
    }


def test_it_comes_down_again_folding_assisted_rows_in(at_0013: str) -> None:
    upgrade(at_0013)
    downgrade(at_0013, "0013")
    assert _rows(at_0013, with_mode=False) == OLD_ROWS
