"""Benchmark: a two-dimension aggregate over 1,000,000 responses, rollups against raw SQL.

    .venv/bin/python bench/aggregates_1m.py                       # SQLite file in a temp dir
    .venv/bin/python bench/aggregates_1m.py --responses 200000    # smaller
    .venv/bin/python bench/aggregates_1m.py --database-url postgresql+psycopg://postgres@127.0.0.1/vv_bench

Fills Response and Answer rows in bulk (two answers per response), builds the rollups with
`rollups.rebuild` (the `victim-voice rollups rebuild` code path), then times
satisfaction.overall by crime_group × quarter through `aggregate_metric` (what the API calls)
and the same figures by a raw SQL GROUP BY over Answer ⨝ Response (counts and record-key sums,
put through the same perturbation table), checks that both agree, and prints both times and
their ratio. The database must be empty (a fresh one is made for
SQLite; for PostgreSQL, name a new database: it is migrated here).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.banks.metrics import AGREEMENT_SCALE, SATISFACTION_SCALE  # noqa: E402
from bench.machine import describe_machine  # noqa: E402

SATISFACTION = [*SATISFACTION_SCALE, "dont_know"]
AGREEMENT = [*AGREEMENT_SCALE, "dont_know"]
CRIME_GROUPS = ["general", "rasso", "vawg"]
TOUCHPOINTS = ["reporting", "investigation", "outcome", "court"]
AREAS = [f"A{number:02d}" for number in range(20)]
LANGUAGES = ["en"] * 18 + ["ur", "pl"]
# Three financial years of touchpoint months: April 2024 to March 2027.
MONTHS = [date(2024 + (m + 3) // 12, (m + 3) % 12 + 1, 1) for m in range(36)]
CHUNK = 50_000


def bank_document(slug: str) -> dict[str, Any]:
    def options(codes: list[str]) -> list[dict[str, str]]:
        return [{"code": code, "label": code} for code in codes]

    return {
        "slug": slug,
        "title": f"Benchmark bank {slug}",
        "crime_group": slug,
        "questions": [
            {
                "id": "sat_overall",
                "type": "scale",
                "text": "Overall satisfaction",
                "measures": ["satisfaction.overall"],
                "options": options(SATISFACTION),
            },
            {
                "id": "confidence",
                "type": "scale",
                "text": "Confidence in the local police",
                "measures": ["confidence"],
                "options": options(AGREEMENT),
            },
        ],
    }


def create_banks(session: Any) -> dict[str, int]:
    from app.banks.models import BankVersion, QuestionBank

    versions: dict[str, int] = {}
    for slug in CRIME_GROUPS:
        bank = QuestionBank(slug=slug, title=slug)
        session.add(bank)
        session.flush()
        document = bank_document(slug)
        version = BankVersion(
            bank_id=bank.id,
            version=1,
            status="published",
            document=document,
            content_hash=hashlib.sha256(json.dumps(document).encode()).hexdigest(),
            source="file",
            created_by="bench",
            last_edited_by="bench",
            created_at=datetime.now(UTC),
            updated_at=datetime.now(UTC),
            published_at=datetime.now(UTC),
        )
        session.add(version)
        session.flush()
        assert version.id is not None
        versions[slug] = version.id
    session.commit()
    return versions


def fill(engine: Any, versions: dict[str, int], total: int, seed: int) -> None:
    from app.reporting.rollups import answer_table, response_table

    rng = random.Random(seed)
    # Satisfaction leans positive, as in police user surveys.
    weights = [14, 22, 24, 12, 9, 7, 6, 6]
    done = 0
    started = time.perf_counter()
    while done < total:
        size = min(CHUNK, total - done)
        responses: list[dict[str, Any]] = []
        answers: list[dict[str, Any]] = []
        for _ in range(size):
            response_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            group = rng.choice(CRIME_GROUPS)
            responses.append(
                {
                    "id": response_id,
                    "bank_version_id": versions[group],
                    "bank_slug": group,
                    "crime_group": group,
                    "touchpoint": rng.choice(TOUCHPOINTS),
                    "area": rng.choice(AREAS),
                    "month": rng.choice(MONTHS),
                    "language": rng.choice(LANGUAGES),
                    "assisted": False,
                }
            )
            overall = rng.choices(SATISFACTION, weights)[0] if rng.random() > 0.05 else None
            answers.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "response_id": response_id,
                    "question_id": "sat_overall",
                    "code": overall,
                }
            )
            answers.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "response_id": response_id,
                    "question_id": "confidence",
                    "code": rng.choice([*AGREEMENT, None]),
                }
            )
        with engine.begin() as connection:
            connection.execute(response_table.insert(), responses)
            connection.execute(answer_table.insert(), answers)
        done += size
        elapsed = time.perf_counter() - started
        print(f"\r  {done:>9,} responses ({elapsed:5.0f}s)", end="", flush=True)
    print()


def raw_sql(
    engine: Any, positive: list[str], excluded: list[str]
) -> dict[tuple[str, str], tuple[int, int]]:
    """satisfaction.overall by crime_group × quarter, straight from the answers: the published
    (n, positive) of each cell, its positive and not-positive tallies perturbed as the service
    does (each quarter is one piece of the period)."""
    from sqlalchemy import text

    from app.cell_key import perturb

    if engine.dialect.name == "postgresql":
        quarter = "to_char(r.month, 'YYYY') || '-Q' || extract(quarter from r.month)::int"
    else:
        quarter = (
            "strftime('%Y', r.month) || '-Q' || "
            "((CAST(strftime('%m', r.month) AS INTEGER) + 2) / 3)"
        )
    positive_list = ", ".join(f"'{code}'" for code in positive)
    excluded_list = ", ".join(f"'{code}'" for code in excluded)
    statement = text(
        f"""
        SELECT r.crime_group, {quarter} AS quarter,
               SUM(CASE WHEN a.code IN ({positive_list}) THEN 1 ELSE 0 END) AS positive,
               SUM(CASE WHEN a.code IN ({positive_list}) THEN r.record_key ELSE 0 END),
               SUM(CASE WHEN a.code IS NOT NULL AND a.code NOT IN ({excluded_list})
                         AND a.code NOT IN ({positive_list}) THEN 1 ELSE 0 END) AS negative,
               SUM(CASE WHEN a.code IS NOT NULL AND a.code NOT IN ({excluded_list})
                         AND a.code NOT IN ({positive_list}) THEN r.record_key ELSE 0 END)
        FROM answer a JOIN response r ON r.id = a.response_id
        WHERE a.question_id = 'sat_overall'
        GROUP BY r.crime_group, {quarter}
        """
    )
    with engine.connect() as connection:
        cells: dict[tuple[str, str], tuple[int, int]] = {}
        for group, q, pos, pos_key, neg, neg_key in connection.execute(statement).all():
            published = perturb(int(pos), int(pos_key) % 256)
            cells[(str(group), str(q))] = (
                published + perturb(int(neg), int(neg_key) % 256),
                published,
            )
        return cells


def timed(function: Any, repeat: int) -> tuple[float, list[float], Any]:
    times: list[float] = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=20, help="timed runs of the aggregate")
    parser.add_argument("--raw-repeat", type=int, default=3, help="timed runs of the raw SQL")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--existing",
        action="store_true",
        help="reuse a database filled by an earlier run (--database-url): rebuild and time only",
    )
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="vv-bench-")
    url = args.database_url or f"sqlite:///{workdir}/bench.db"
    os.environ["VV_DATABASE_URL"] = url
    os.environ.setdefault("VV_SECRET_KEYS", "bench-signing-key-0123456789abcdefghijklmnop")
    os.environ.setdefault("VV_HASH_KEY", "bench-hash-key-0123456789abcdefghijklmnopqrstu")
    os.chdir(workdir)

    from sqlalchemy import func, select
    from sqlmodel import Session

    from app.banks.metrics import get_metric
    from app.db import get_engine
    from app.migrate import upgrade
    from app.reporting import rollups
    from app.reporting.aggregates import aggregate_metric
    from app.reporting.rollups import rollup_table

    engine = get_engine(url)
    print(f"database: {engine.dialect.name} ({url if args.database_url else workdir})")
    fill_seconds = 0.0
    if not args.existing:
        upgrade(url)
        with Session(engine) as session:
            versions = create_banks(session)
        print(f"filling {args.responses:,} responses, 2 answers each …")
        started = time.perf_counter()
        fill(engine, versions, args.responses, args.seed)
        fill_seconds = time.perf_counter() - started
    with engine.connect() as connection:
        args.responses = connection.execute(
            select(func.count()).select_from(rollups.response_table)
        ).scalar_one()

    print("rollups rebuild …")
    started = time.perf_counter()
    with Session(engine) as session:
        rollup_rows = rollups.rebuild(session)
        session.commit()
    rebuild_seconds = time.perf_counter() - started
    # Fresh statistics, as autovacuum (PostgreSQL) or `PRAGMA optimize` (SQLite) would keep.
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    with engine.connect() as connection:
        sat_rows = connection.execute(
            select(func.count())
            .select_from(rollup_table)
            .where(rollup_table.c.question_id == "sat_overall")
        ).scalar_one()

    metric = get_metric("satisfaction.overall")
    assert metric is not None
    group_by = ["crime_group", "quarter"]

    def service() -> Any:
        with Session(engine) as session:
            return aggregate_metric(
                session,
                "satisfaction.overall",
                group_by=group_by,
                period_from=MONTHS[0].strftime("%Y-%m"),
                period_to=MONTHS[-1].strftime("%Y-%m"),
            )

    cold_started = time.perf_counter()
    service()
    cold_seconds = time.perf_counter() - cold_started
    service_median, service_times, result = timed(service, args.repeat)
    raw_median, raw_times, raw = timed(
        lambda: raw_sql(engine, sorted(metric.positive_codes), sorted(metric.excluded_codes)),
        args.raw_repeat,
    )

    # Both ways must give the same figures.
    from_service = {
        (cell.group["crime_group"], cell.group["quarter"]): (cell.n, cell.positive)
        for cell in result.cells
        if cell.n is not None
    }
    assert from_service == raw, "rollups and raw SQL disagree"
    totals: dict[str, int] = defaultdict(int)
    for (group, _quarter), (n, _p) in raw.items():
        totals[group] += n

    ratio = raw_median / service_median
    print()
    print(f"responses:               {args.responses:,} ({2 * args.responses:,} answers)")
    print(f"fill:                    {fill_seconds:,.1f} s")
    print(f"rollups rebuild:         {rebuild_seconds:,.1f} s -> {rollup_rows:,} rows")
    print(f"  of them sat_overall:   {sat_rows:,}")
    print(f"cells:                   {len(result.cells)} (crime_group x quarter)")
    print(f"aggregate_metric cold:   {cold_seconds * 1000:,.1f} ms")
    print(
        f"aggregate_metric median: {service_median * 1000:,.1f} ms "
        f"(min {min(service_times) * 1000:,.1f}, {args.repeat} runs)"
    )
    print(
        f"raw SQL GROUP BY median: {raw_median * 1000:,.1f} ms "
        f"(min {min(raw_times) * 1000:,.1f}, {args.raw_repeat} runs)"
    )
    print(f"ratio raw / rollups:     {ratio:,.0f}x")
    print(f"machine:                 {describe_machine()}")
    print(f"python:                  {platform.python_version()}, {platform.platform()}")
    print(f"date:                    {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


if __name__ == "__main__":
    main()
