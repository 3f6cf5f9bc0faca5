"""Benchmark: import a 100,000-row CSV through `victim-voice invitations import`.

Generates the CSV in a temporary directory, imports it with the real command (a separate
process, so its peak resident memory is its own), measures the Python heap peak of the same
import with tracemalloc at 10,000 and 100,000 rows (bounded memory: the two should be close),
and compares the rate with a ceiling measured in the same run: a raw `executemany` insert of
the same number of invitation rows, with no validation, hashing or encryption. While the
import runs, a probe makes a small write every 50 ms in its own transaction (as a victim's
saved answer would) and reports the slowest wait and any failure.

    .venv/bin/python bench/import_100k.py [--rows 100000] [--database-url URL]

Without --database-url a fresh SQLite file in the temporary directory is used.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.machine import describe_machine  # noqa: E402

HEADER = [
    "case_ref", "crime_group", "touchpoint", "touchpoint_date", "area", "channel", "phone",
    "email", "language", "safe_to_contact",
]  # fmt: skip
GROUPS = ["general", "rasso", "vawg"]
TOUCHPOINTS = ["reporting", "investigation", "outcome", "court"]


def write_csv(path: Path, rows: int) -> None:
    """A realistic batch: mostly SMS, some email, 2% not safe, 0.5% invalid numbers."""
    touchpoint_date = (date.today() - timedelta(days=5)).isoformat()
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for i in range(rows):
            email = i % 5 == 0
            phone = "" if email else f"07{911 + i // 900000}{100000 + i % 900000:06d}"
            if i % 200 == 7:
                phone = "07700 900123"  # not a real mobile: rejected
            writer.writerow([
                f"CR/{i:08d}", GROUPS[i % 3], TOUCHPOINTS[i % 4], touchpoint_date,
                f"AREA-{i % 12}", "email" if email else "sms", phone,
                f"person{i}@example.org" if email else "", "en",
                "false" if i % 50 == 3 else "true",
            ])  # fmt: skip


def environment(database_url: str, work: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "VV_DATABASE_URL": database_url,
            "VV_SECRET_KEYS": "bench-signing-key-" + "x" * 40,
            "VV_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "VV_HASH_KEY": "bench-hash-key-" + "y" * 40,
            "VV_ENV": "test",
            "VV_OUTBOX_PATH": str(work / "outbox.jsonl"),
        }
    )
    return env


def server_name(base_url: str, name: str) -> str:
    """The bench database's name on a shared server: after the URL's own database (unless it is
    `postgres`), so that two people benchmarking on one server never drop each other's."""
    from sqlalchemy.engine import make_url

    base = make_url(base_url).database
    return f"{base}_{name}" if base and base != "postgres" else name


def fresh_database(base_url: str | None, work: Path, name: str) -> str:
    if base_url is None:
        return f"sqlite:///{work / (name + '.db')}"
    name = server_name(base_url, name)
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(base_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


BENCH_DATABASES = ("vv_bench_cli", "vv_bench_heap_small", "vv_bench_heap_big", "vv_bench_ceiling")


def drop_databases(base_url: str, names: tuple[str, ...]) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = create_engine(make_url(base_url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            own = server_name(base_url, name)
            connection.execute(text(f'DROP DATABASE IF EXISTS "{own}" WITH (FORCE)'))
    admin.dispose()


def run_child(mode: str, env: dict[str, str], *args: str) -> dict[str, float]:
    output = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "--child", mode, *args],
        env=env, cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


class WriteProbe:
    """A small write every 50 ms in its own transaction while the import runs, as a victim's
    saved answer would be: how long the slowest waited, and how many failed."""

    def __init__(self, database_url: str) -> None:
        import threading

        from sqlalchemy import text

        from app.db import create_db_engine

        self.engine = create_db_engine(database_url)  # SQLite: same busy timeout, BEGIN IMMEDIATE
        with self.engine.begin() as connection:
            connection.execute(text("CREATE TABLE bench_probe (n INTEGER, at VARCHAR(40))"))
        self.latencies: list[float] = []
        self.failures = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        from sqlalchemy import text

        n = 0
        while not self.stopping.wait(0.05):
            n += 1
            started = time.perf_counter()
            try:
                with self.engine.begin() as connection:
                    connection.execute(
                        text("INSERT INTO bench_probe VALUES (:n, :at)"),
                        {"n": n, "at": str(time.time())},
                    )
            except Exception:  # noqa: BLE001 - counted: a failed write is the finding
                self.failures += 1
            self.latencies.append(time.perf_counter() - started)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join()
        self.engine.dispose()

    def report(self) -> dict[str, float]:
        ordered = sorted(self.latencies) or [0.0]
        return {
            "probe_writes": len(self.latencies),
            "probe_failed": self.failures,
            "probe_max_ms": ordered[-1] * 1000,
            "probe_p99_ms": ordered[int(len(ordered) * 0.99)] * 1000,
        }


def child(mode: str, args: list[str]) -> None:
    """Runs in a separate process with the bench settings in its environment."""
    from app.migrate import upgrade
    from app.settings import get_settings

    upgrade(get_settings().database_url)
    if mode == "cli":
        probe = WriteProbe(get_settings().database_url)
        probe.start()
        started = time.perf_counter()
        completed = subprocess.run(
            [str(Path(sys.executable).parent / "victim-voice"), "invitations", "import", args[0]],
            capture_output=True, text=True,
        )  # fmt: skip
        elapsed = time.perf_counter() - started
        probe.stop()
        summary = [line.strip() for line in completed.stdout.splitlines() if "Batch " in line]
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        print(json.dumps({"seconds": elapsed, "maxrss_kib": usage.ru_maxrss,
                          "exit": completed.returncode, "summary": summary[:1],
                          **probe.report()}))  # fmt: skip
    elif mode == "heap":
        import tracemalloc

        from app.db import session_scope
        from app.invitations.batches import import_rows, read_csv_rows

        tracemalloc.start()
        with session_scope() as session, open(args[0], newline="") as handle:
            result = import_rows(session, read_csv_rows(handle), actor="bench", source="csv")
        _, peak = tracemalloc.get_traced_memory()
        print(json.dumps({"peak_bytes": peak, "accepted": result.accepted}))
    elif mode == "ceiling":
        from sqlalchemy import insert

        from app.db import session_scope
        from app.invitations.models import Invitation, InvitationBatch

        rows = int(args[0])
        today = date.today()
        table = Invitation.__table__  # type: ignore[attr-defined]
        started = time.perf_counter()
        with session_scope() as session:
            batch = InvitationBatch(created_by="bench")
            session.add(batch)
            session.flush()
            chunk: list[dict[str, object]] = []
            for _ in range(rows):
                chunk.append({
                    "id": str(uuid.uuid4()), "batch_id": batch.id, "crime_group": "general",
                    "touchpoint": "reporting", "touchpoint_date": today, "language": "en",
                    "channel": "sms", "status": "pending",
                })  # fmt: skip
                if len(chunk) == 1000:
                    session.execute(insert(table), chunk)
                    chunk = []
            if chunk:
                session.execute(insert(table), chunk)
        print(json.dumps({"seconds": time.perf_counter() - started}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url", default=None, help="PostgreSQL server URL (optional)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options.child[0], options.child[1:])
        return

    with tempfile.TemporaryDirectory(prefix="vv-bench-") as tmp:
        work = Path(tmp)
        big, small = work / "batch.csv", work / "batch_small.csv"
        write_csv(big, options.rows)
        write_csv(small, options.rows // 10)

        def env_for(name: str) -> dict[str, str]:
            return environment(fresh_database(options.database_url, work, name), work)

        cli = run_child("cli", env_for("vv_bench_cli"), str(big))
        heap_small = run_child("heap", env_for("vv_bench_heap_small"), str(small))
        heap_big = run_child("heap", env_for("vv_bench_heap_big"), str(big))
        ceiling = run_child("ceiling", env_for("vv_bench_ceiling"), str(options.rows))
        if options.database_url:
            drop_databases(options.database_url, BENCH_DATABASES)

    backend = "PostgreSQL" if options.database_url else "SQLite"
    rate = options.rows / cli["seconds"]
    ceiling_rate = options.rows / ceiling["seconds"]
    print(f"date: {date.today().isoformat()}")
    python = platform.python_version()
    print(f"machine: {describe_machine()}, Python {python}")
    print(f"database: {backend}")
    print(f"import via CLI: {options.rows} rows in {cli['seconds']:.1f} s = {rate:,.0f} rows/s "
          f"(exit {cli['exit']}; {' '.join(cli['summary'])})")  # fmt: skip
    print(f"writes made during the import (one every 50 ms): {cli['probe_writes']:.0f}, "
          f"failed {cli['probe_failed']:.0f}, slowest {cli['probe_max_ms']:,.0f} ms, "
          f"99th percentile {cli['probe_p99_ms']:,.0f} ms")  # fmt: skip
    print(f"peak resident memory of the import process: {cli['maxrss_kib'] / 1024:.0f} MiB")
    print(f"Python heap peak (tracemalloc): {options.rows // 10} rows "
          f"{heap_small['peak_bytes'] / 2**20:.1f} MiB; {options.rows} rows "
          f"{heap_big['peak_bytes'] / 2**20:.1f} MiB")  # fmt: skip
    print(f"ceiling (raw executemany of {options.rows} invitation rows): "
          f"{ceiling['seconds']:.1f} s = {ceiling_rate:,.0f} rows/s; import reaches "
          f"{rate / ceiling_rate:.0%} of it")  # fmt: skip


if __name__ == "__main__":
    main()
