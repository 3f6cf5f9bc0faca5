"""Migration 0003 gives existing responses and invitations record keys, and existing rollup rows
key sums that agree with them (and response counts), on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from app.migrate import upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture

NOW = "2026-11-01 10:00:00+00:00"


@pytest.fixture
def at_0002(fresh_database_url: str) -> Iterator[str]:  # noqa: F811
    upgrade(fresh_database_url, "0002")
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
        for index, (month, code) in enumerate(
            [("2026-07-01", "yes"), ("2026-07-01", "no"), ("2026-08-01", "yes")]
        ):
            run(
                text(
                    "INSERT INTO response (id, bank_version_id, bank_slug, crime_group, "
                    "touchpoint, area, month, language, assisted) VALUES "
                    f"('r{index}', 1, 'general', 'general', 'reporting', 'B1', '{month}', 'en', "
                    "false)"
                )
            )
            run(
                text(
                    f"INSERT INTO answer (id, response_id, question_id, code) VALUES "
                    f"('a{index}', 'r{index}', 'q1', '{code}')"
                )
            )
        # Rollup rows as the old code kept them (no key sums), both levels, and an older,
        # purged month whose responses are gone.
        rows = [
            ("yes", "B1", "2026-07-01", "en", 1),
            ("no", "B1", "2026-07-01", "en", 1),
            ("yes", "B1", "2026-08-01", "en", 1),
            ("yes", "*", "2026-07-01", "*", 1),
            ("no", "*", "2026-07-01", "*", 1),
            ("yes", "*", "2026-08-01", "*", 1),
            ("yes", "B1", "2022-03-01", "en", 4),
            ("yes", "*", "2022-03-01", "*", 4),
        ]
        for code, area, month, language, count in rows:
            run(
                text(
                    "INSERT INTO rollup_count (question_id, code, bank_version_id, crime_group, "
                    "touchpoint, area, month, language, count) VALUES "
                    f"('q1', '{code}', 1, 'general', 'reporting', '{area}', '{month}', "
                    f"'{language}', {count})"
                )
            )
        run(
            text(
                "INSERT INTO invitation_batch (id, created_by, created_at, rows, accepted, "
                f"rejected, skipped) VALUES ('b', 't', '{NOW}', 0, 0, 0, 0)"
            )
        )
        for index in range(5):
            run(
                text(
                    "INSERT INTO invitation (id, batch_id, crime_group, touchpoint, "
                    "touchpoint_date, language, channel, status, created_at) VALUES "
                    f"('i{index}', 'b', 'general', 'reporting', '2026-07-10', 'en', 'sms', "
                    f"'pending', '{NOW}')"
                )
            )
    engine.dispose()
    yield fresh_database_url


def test_existing_records_get_keys_and_rollups_get_matching_key_sums(at_0002: str) -> None:
    upgrade(at_0002)
    engine = create_engine(at_0002)
    with engine.connect() as connection:
        keys = dict(connection.execute(text("SELECT id, record_key FROM response")).all())
        invitation_keys = [
            k for (k,) in connection.execute(text("SELECT record_key FROM invitation"))
        ]
        rows = {
            (q, code, area, str(month)[:10], language): (count, key_sum)
            for q, code, area, month, language, count, key_sum in connection.execute(
                text(
                    "SELECT question_id, code, area, month, language, count, key_sum "
                    "FROM rollup_count"
                )
            )
        }
    engine.dispose()
    assert all(0 <= key <= 255 for key in [*keys.values(), *invitation_keys])
    assert len(invitation_keys) == 5
    # Months with stored responses: counts as before, key sums from the responses' keys.
    assert rows[("q1", "yes", "B1", "2026-07-01", "en")] == (1, keys["r0"])
    assert rows[("q1", "no", "*", "2026-07-01", "*")] == (1, keys["r1"])
    assert rows[("*", "", "*", "2026-07-01", "*")] == (2, (keys["r0"] + keys["r1"]) % 256)
    assert rows[("*", "", "B1", "2026-08-01", "en")] == (1, keys["r2"])
    # A purged month keeps its counts; its coarse key sum is the sum of its fine ones, and
    # its responses are taken as the most answers any question had.
    fine = rows[("q1", "yes", "B1", "2022-03-01", "en")]
    assert fine[0] == 4 and rows[("q1", "yes", "*", "2022-03-01", "*")] == fine
    assert rows[("*", "", "B1", "2022-03-01", "en")][0] == 4
    assert rows[("*", "", "*", "2022-03-01", "*")] == rows[("*", "", "B1", "2022-03-01", "en")]


def test_it_comes_down_again(at_0002: str) -> None:
    from app.migrate import downgrade

    upgrade(at_0002)
    downgrade(at_0002, "0002")
    engine = create_engine(at_0002)
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM rollup_count")).scalar_one()
        purged = connection.execute(
            text("SELECT count(*) FROM rollup_count WHERE question_id = '*'")
        ).scalar_one()
    engine.dispose()
    assert purged == 0 and count == 8
    assert Path(__file__).exists()
