"""Migration 0022 adds the rows of each agency's part of a right where one question alone feeds
it at a shared touchpoint, from the rollup rows (months past retention included), the same rows
submit counts; and comes down again (SQLite and PostgreSQL)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, text
from sqlmodel import Session, col

from app.migrate import downgrade, upgrade
from app.reporting.models import RollupCount
from tests.core.test_migrations import fresh_database_url  # noqa: F401 - a fixture
from tests.factories import create_bank_version
from tests.reporting.factories import rollup_snapshot, submit_response
from tests.reporting.test_victims_code_parts import CPS, WITNESS_CARE, court_bank

NOW = "2026-11-01 10:00:00+00:00"
MIGRATION = (
    Path(__file__).resolve().parents[2]
    / "migrations"
    / "versions"
    / "20261202_0022_agency_parts.py"
)
# (question, code, month) → (count, key sum), both levels alike; 2022-03 is past retention.
COURT_ROWS = {
    ("cps_met", "yes", "2026-07-01"): (3, 30),
    ("cps_met", "no", "2026-07-01"): (1, 5),
    ("cps_met", "dont_know", "2026-07-01"): (2, 9),  # right 8 is an information right
    ("cps_met", "not_applicable", "2026-07-01"): (1, 1),
    ("cps_met", "", "2026-07-01"): (1, 1),  # skipped
    ("cps_met", "yes", "2022-03-01"): (4, 77),
    ("court_info", "yes", "2026-07-01"): (5, 50),
    ("trial_date", "no", "2026-07-01"): (2, 20),
}


def _migration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("migration_0022", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _court_only_info(slug: str) -> dict[str, Any]:
    """court_bank without the trial date question: witness care has one question at court."""
    document = court_bank(slug)
    section = document["sections"][0]
    section["questions"] = [q for q in section["questions"] if q["id"] != "trial_date"]
    return document


@pytest.fixture
def at_0020(fresh_database_url: str) -> Iterator[str]:  # noqa: F811
    upgrade(fresh_database_url, "0020")
    engine = create_engine(fresh_database_url)
    with engine.begin() as connection:
        run = connection.execute
        for version_id, document in ((1, court_bank("general")), (2, _court_only_info("vawg"))):
            slug = document["slug"]
            run(
                text(
                    "INSERT INTO question_bank (id, slug, title, created_at) "
                    f"VALUES ({version_id}, '{slug}', 'G', '{NOW}')"
                )
            )
            run(
                text(
                    "INSERT INTO bank_version (id, bank_id, version, status, document, "
                    "content_hash, source, change_note, created_by, last_edited_by, created_at, "
                    f"updated_at) VALUES ({version_id}, {version_id}, 1, 'published', :document, "
                    f"'h', 'file', '', 't', 't', '{NOW}', '{NOW}')"
                ),
                {"document": json.dumps(document)},
            )
            for (question, code, month), (count, key_sum) in COURT_ROWS.items():
                for area, language in (("B1", "en"), ("*", "*")):
                    run(
                        text(
                            "INSERT INTO rollup_count (question_id, code, bank_version_id, "
                            "crime_group, touchpoint, area, month, language, mode, count, "
                            f"key_sum) VALUES ('{question}', '{code}', {version_id}, '{slug}', "
                            f"'court', '{area}', '{month}', '{language}', 'self', {count}, "
                            f"{key_sum})"
                        )
                    )
    engine.dispose()
    yield fresh_database_url


def _parts(url: str) -> dict[tuple[Any, ...], tuple[int, int]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = connection.execute(
            text(
                "SELECT bank_version_id, question_id, code, area, month, count, key_sum "
                "FROM rollup_count WHERE question_id LIKE 'victims_code.right%.%'"
            )
        ).all()
    engine.dispose()
    return {(row[0], row[1], row[2], row[3], str(row[4])[:10]): (row[5], row[6]) for row in found}


def test_parts_fed_by_one_question_are_derived_from_its_rows(at_0020: str) -> None:
    upgrade(at_0020, "0022")
    parts = _parts(at_0020)
    for version_id in (1, 2):
        for area in ("B1", "*"):
            assert parts[(version_id, CPS, "yes", area, "2026-07-01")] == (3, 30)
            assert parts[(version_id, CPS, "no", area, "2026-07-01")] == (1, 5)
            assert parts[(version_id, CPS, "dont_know", area, "2026-07-01")] == (2, 9)
            assert parts[(version_id, CPS, "yes", area, "2022-03-01")] == (4, 77)
    # Version 2 asks witness care one question at court: derived. Version 1 asks two: the
    # rebuild counts it from the answers, so nothing is guessed here.
    for area in ("B1", "*"):
        assert parts[(2, WITNESS_CARE, "yes", area, "2026-07-01")] == (5, 50)
    assert not [key for key in parts if key[:2] == (1, WITNESS_CARE)]
    assert len(parts) == 2 * (4 + 4 + 1)

    downgrade(at_0020, "0020")
    assert _parts(at_0020) == {}
    engine = create_engine(at_0020)
    with engine.connect() as connection:
        left = connection.execute(text("SELECT count(*) FROM rollup_count")).scalar_one()
    engine.dispose()
    assert left == 2 * 2 * len(COURT_ROWS)


def test_the_migration_derives_what_submit_counts(db: Session) -> None:
    """On a version where each part has one question, the derived rows equal submit's."""
    version = create_bank_version(db, _court_only_info("general"))
    codes = ["yes", "no", "dont_know", "not_applicable", "prefer_not_to_say", None]
    for index in range(60):
        submit_response(
            db,
            version,
            {"court_info": codes[index % 6], "cps_met": codes[(index // 6) % 6]},
            touchpoint="court",
            area=("B1", None)[index % 2],
            assisted=index % 5 == 0,
            commit=False,
        )
    db.commit()
    counted = {k: v for k, v in rollup_snapshot(db).items() if k[0] in (CPS, WITNESS_CARE)}
    assert {key[0] for key in counted} == {CPS, WITNESS_CARE}
    db.execute(delete(RollupCount).where(col(RollupCount.question_id).in_([CPS, WITNESS_CARE])))
    _migration().derive_part_rows(db.connection())
    db.commit()
    assert {k: v for k, v in rollup_snapshot(db).items() if k[0] in (CPS, WITNESS_CARE)} == counted
