"""Migration 0018 adds the characteristic rollups and derives each right's rows from the rollup
rows of the one question that tagged it (versions before issue 13), months past retention
included; and comes down again (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text

from app.migrate import downgrade, upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture
from tests.reporting.factories import small_bank

NOW = "2026-11-01 10:00:00+00:00"
# (question, code, month) → (count, key sum), both levels alike; 2022-03 is past retention.
OLD_ROWS = {
    ("right_understood", "yes", "2026-07-01"): (3, 30),
    ("right_understood", "no", "2026-07-01"): (1, 5),
    ("right_understood", "dont_know", "2026-07-01"): (2, 9),  # right 1: ignored
    ("right_understood", "", "2026-07-01"): (1, 1),  # skipped
    ("right_information", "dont_know", "2026-07-01"): (2, 200),  # right 3: counted
    ("right_information", "not_applicable", "2026-07-01"): (1, 4),
    ("right_information", "no", "2026-07-01"): (1, 100),
    ("right_understood", "yes", "2022-03-01"): (4, 77),
    ("sat_overall", "neither", "2026-07-01"): (5, 50),
}


@pytest.fixture
def at_0016(fresh_database_url: str) -> Iterator[str]:  # noqa: F811
    upgrade(fresh_database_url, "0016")
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
                f"(1, 1, 1, 'published', :document, 'h', 'file', '', 't', 't', '{NOW}', "
                f"'{NOW}')"
            ),
            {"document": json.dumps(small_bank("general"))},
        )
        for (question, code, month), (count, key_sum) in OLD_ROWS.items():
            for area, language in (("B1", "en"), ("*", "*")):
                run(
                    text(
                        "INSERT INTO rollup_count (question_id, code, bank_version_id, "
                        "crime_group, touchpoint, area, month, language, mode, count, key_sum) "
                        f"VALUES ('{question}', '{code}', 1, 'general', 'reporting', '{area}', "
                        f"'{month}', '{language}', 'self', {count}, {key_sum})"
                    )
                )
    engine.dispose()
    yield fresh_database_url


def _derived(url: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT question_id, code, area, month, count, key_sum FROM rollup_count "
                "WHERE question_id LIKE 'victims_code.%'"
            )
        ).all()
    engine.dispose()
    return {(row[0], row[1], row[2], str(row[3])[:10]): (row[4], row[5]) for row in found}


def test_rights_rows_are_derived_from_the_rows_of_their_question(at_0016: str) -> None:
    upgrade(at_0016)
    derived = _derived(at_0016)
    for area in ("B1", "*"):
        assert derived[("victims_code.right_1", "yes", area, "2026-07-01")] == (3, 30)
        assert derived[("victims_code.right_1", "no", area, "2026-07-01")] == (1, 5)
        assert derived[("victims_code.right_1", "yes", area, "2022-03-01")] == (4, 77)
        assert derived[("victims_code.right_3", "dont_know", area, "2026-07-01")] == (2, 200)
        assert derived[("victims_code.right_3", "no", area, "2026-07-01")] == (1, 100)
    assert len(derived) == 10  # no don't know for right 1, nothing skipped or not applicable
    engine = create_engine(at_0016)
    assert "rollup_characteristic" in inspect(engine).get_table_names()
    engine.dispose()

    downgrade(at_0016, "0016")
    assert _derived(at_0016) == {}
    engine = create_engine(at_0016)
    assert "rollup_characteristic" not in inspect(engine).get_table_names()
    engine.dispose()
