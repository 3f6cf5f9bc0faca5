"""Rollup counts and key sums: incremental updates on submit and withdraw agree with a rebuild,
row for row."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from app.jobs.retention import purge
from app.reporting import rollups
from app.survey.models import Response
from tests.factories import create_bank_version
from tests.reporting.factories import (
    RIGHTS_OPTIONS,
    SATISFACTION,
    rollup_snapshot,
    small_bank,
    submit_response,
    withdraw_response,
)


def test_submit_counts_each_code_and_skips(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    satisfied, _, skipped = [
        submit_response(
            db, version, {"sat_overall": code, "contact_ways": ["phone", "email"]}, area=None
        )
        for code in ["very_satisfied", "very_satisfied", None]
    ]
    everyone = [satisfied, _, skipped]
    snapshot = rollup_snapshot(db)
    key = ("general", "reporting", "", date(2026, 7, 1), "en", "self")
    # Each count sits beside the sum of its responses' record keys, mod 256.
    assert snapshot[("sat_overall", "very_satisfied", version.id, *key)] == (
        2,
        (satisfied.record_key + _.record_key) % 256,
    )
    assert snapshot[("sat_overall", "", version.id, *key)] == (1, skipped.record_key)
    assert snapshot[("contact_ways", "phone", version.id, *key)] == (
        3,
        sum(r.record_key for r in everyone) % 256,
    )
    # The responses themselves are counted under the question id "*".
    assert (
        snapshot[("*", "", version.id, *key)]
        == snapshot[("contact_ways", "phone", version.id, *key)]
    )
    # Each count is kept twice: per area and language, and once more for all of them.
    coarse = ("general", "reporting", "*", date(2026, 7, 1), "*", "self")
    assert (
        snapshot[("sat_overall", "very_satisfied", version.id, *coarse)]
        == snapshot[("sat_overall", "very_satisfied", version.id, *key)]
    )
    assert len(snapshot) == 10


def test_withdraw_takes_the_response_out_and_leaves_no_zero_rows(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    keep = submit_response(db, version, {"sat_overall": "neither"})
    gone = submit_response(db, version, {"sat_overall": "very_satisfied"})
    withdraw_response(db, gone)
    snapshot = rollup_snapshot(db)
    # The withdrawn key is taken out of the sums as well as its count.
    assert list(snapshot.values()) == [(1, keep.record_key)] * 4
    assert {key[1] for key in snapshot} == {"neither", ""}
    withdraw_response(db, keep)
    assert rollup_snapshot(db) == {}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rebuild_equals_incremental_counts_after_random_submits_and_withdraws(
    db: Session, seed: int
) -> None:
    rng = random.Random(seed)
    versions = [
        create_bank_version(db, small_bank("general"), slug="general"),
        create_bank_version(db, small_bank("rasso"), slug="rasso"),
    ]
    live = []
    for _ in range(120):
        if live and rng.random() < 0.25:
            withdraw_response(db, live.pop(rng.randrange(len(live))), commit=False)
            continue
        version = rng.choice(versions)
        touchpoint = rng.choice(["reporting", "court", "outcome"])
        answers: dict[str, str | list[str] | None] = {
            "sat_overall": rng.choice([*SATISFACTION, None]),
            "contact_ways": rng.sample(["phone", "email", "letter"], rng.randint(0, 2)) or None,
        }
        if touchpoint in ("reporting", "court"):
            answers["right_understood"] = rng.choice([*RIGHTS_OPTIONS, None])
        live.append(
            submit_response(
                db,
                version,
                answers,
                crime_group=str(version.document["crime_group"]),
                touchpoint=touchpoint,
                area=rng.choice(["B1", "B2", None]),
                month=date(2026, rng.randint(1, 12), 1),
                language=rng.choice(["en", "ur"]),
                assisted=rng.random() < 0.3,
                commit=False,
            )
        )
    db.commit()
    incremental = rollup_snapshot(db)
    assert incremental and all(count > 0 for count, _ in incremental.values())
    assert {key[-1] for key in incremental} == {"self", "assisted"}
    rows = rollups.rebuild(db)
    db.commit()
    assert rows == len(incremental)
    assert rollup_snapshot(db) == incremental


def test_rebuild_command_reports_progress(db: Session) -> None:
    from app.cli import app

    version = create_bank_version(db, small_bank("general"))
    submit_response(db, version, {"sat_overall": "neither", "contact_ways": ["phone"]})
    before = rollup_snapshot(db)
    db.rollback()  # end the read transaction: SQLite transactions here take the write lock
    result = CliRunner().invoke(app, ["rollups", "rebuild"])
    assert result.exit_code == 0, result.output
    cutoff = rollups.rebuild_cutoff()
    assert f"Rebuilding rollup counts from {cutoff:%B %Y} on, from 2 answers" in result.output
    assert "counts of earlier months are kept" in result.output
    assert "6 rollup rows in all" in result.output
    db.expire_all()
    assert rollup_snapshot(db) == before


def test_rebuild_keeps_the_counts_of_months_past_retention(db: Session) -> None:
    # Retention is 36 months: on 15 November 2026 the oldest month kept is November 2023.
    at = datetime(2026, 11, 15, 3, 0, tzinfo=UTC)
    cutoff = rollups.rebuild_cutoff(at.date())
    assert cutoff == date(2023, 11, 1)
    version = create_bank_version(db, small_bank("general"))
    for month, codes in [
        (date(2022, 3, 1), ["very_satisfied", "neither"]),
        (date(2023, 10, 1), ["very_satisfied"]),  # the last month past retention
        (date(2023, 11, 1), ["neither"]),  # the first month kept
        (date(2026, 7, 1), ["very_satisfied", "very_satisfied", None]),
    ]:
        for code in codes:
            submit_response(db, version, {"sat_overall": code}, month=month, commit=False)
    db.commit()
    incremental = rollup_snapshot(db)

    report = purge(db, at=at)
    db.commit()
    assert report.responses_deleted == 3
    assert db.exec(select(func.min(Response.month))).one() == cutoff
    assert rollup_snapshot(db) == incremental  # purge leaves the counts alone

    rows = rollups.rebuild(db, since=cutoff)
    db.commit()

    rebuilt = rollup_snapshot(db)
    assert rows == len(incremental)
    assert rebuilt == incremental
    coarse = ("general", "reporting", "*")
    assert (
        rebuilt[
            ("sat_overall", "very_satisfied", version.id, *coarse, date(2022, 3, 1), "*", "self")
        ][0]
        == 1
    )
    assert (
        rebuilt[
            ("sat_overall", "very_satisfied", version.id, *coarse, date(2026, 7, 1), "*", "self")
        ][0]
        == 2
    )


def test_rebuild_recomputes_counts_from_the_cutoff_on(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    submit_response(db, version, {"sat_overall": "neither"}, month=date(2023, 10, 1))
    submit_response(db, version, {"sat_overall": "neither"}, month=date(2023, 11, 1))
    incremental = rollup_snapshot(db)
    for key in incremental:  # counts gone wrong in both months
        db.execute(
            rollups.rollup_table.update()
            .where(rollups.rollup_table.c.month == key[6])
            .values(count=99, key_sum=7)
        )
    db.commit()

    rollups.rebuild(db, since=date(2023, 11, 1))
    db.commit()

    rebuilt = rollup_snapshot(db)
    assert {key: count for key, count in rebuilt.items() if key[6] == date(2023, 11, 1)} == {
        key: count for key, count in incremental.items() if key[6] == date(2023, 11, 1)
    }
    # The older month is left as it was, even wrong: its answers may be purged.
    assert {count for key, count in rebuilt.items() if key[6] == date(2023, 10, 1)} == {(99, 7)}


def test_assisted_responses_are_counted_apart_at_both_levels(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    alone = submit_response(db, version, {"sat_overall": "very_satisfied"})
    helped = [
        submit_response(db, version, {"sat_overall": "very_satisfied"}, assisted=True)
        for _ in range(2)
    ]
    snapshot = rollup_snapshot(db)
    context = (version.id, "general", "reporting")
    for area, language in (("B1", "en"), ("*", "*")):  # fine and coarse rows alike
        where = (*context, area, date(2026, 7, 1), language)
        assert snapshot[("sat_overall", "very_satisfied", *where, "self")] == (
            1,
            alone.record_key,
        )
        assert snapshot[("sat_overall", "very_satisfied", *where, "assisted")] == (
            2,
            sum(r.record_key for r in helped) % 256,
        )
        assert snapshot[("*", "", *where, "assisted")][0] == 2
    # Withdrawing an assisted response takes it out of the assisted rows only.
    withdraw_response(db, helped[0])
    after = rollup_snapshot(db)
    coarse = (*context, "*", date(2026, 7, 1), "*")
    assert after[("sat_overall", "very_satisfied", *coarse, "assisted")] == (
        1,
        helped[1].record_key,
    )
    assert after[("sat_overall", "very_satisfied", *coarse, "self")] == (1, alone.record_key)
    rollups.rebuild(db)
    db.commit()
    assert rollup_snapshot(db) == after
