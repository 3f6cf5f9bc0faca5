"""The jobs' commands: `victim-voice dispatch`, `victim-voice purge`, `victim-voice rollups
rebuild` and `victim-voice rotate-keys`, registered by app/cli.py. The dispatch loop's
housekeeping between rounds also freezes the public results of closed quarters."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from types import FrameType
from typing import Any

import typer

rollups_app = typer.Typer(no_args_is_help=True)

LOOP_SECONDS = 30


def _stop_on_signals(stop: threading.Event) -> Callable[[], None]:
    """Ctrl-C or SIGTERM finish the message in hand, then stop; returns a restore function."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


def _loop(stop: threading.Event) -> Iterator[int]:
    round_number = 0
    while not stop.is_set():
        round_number += 1
        yield round_number
        stop.wait(LOOP_SECONDS)


def dispatch(
    once: bool = typer.Option(False, "--once", help="Send what is due now and exit"),
) -> None:
    """Send due invitations and reminders; without --once, keep going every 30 seconds."""
    from app.invitations.dispatch import dispatch_once
    from app.startup import check_startup

    check_startup()
    if once:
        report = dispatch_once()
        typer.echo(f"Dispatch: {report.summary()}")
        return
    stop = threading.Event()
    restore = _stop_on_signals(stop)
    typer.echo(f"Dispatching every {LOOP_SECONDS} seconds; Ctrl-C to stop.")
    try:
        for _ in _loop(stop):
            report = dispatch_once(limit=None)
            if report.sent or report.skipped or report.failed or report.review:
                typer.echo(f"Dispatch: {report.summary()}")
            housekeeping()
    finally:
        restore()
    typer.echo("Dispatch stopped.")


def housekeeping() -> None:
    """Between dispatch rounds: purge what has expired, then freeze the public results of
    any quarter that has closed (each in its own transaction)."""
    from app.db import session_scope
    from app.jobs.retention import purge as run_purge
    from app.reporting.results_freeze import freeze_closed_quarters

    with session_scope() as session:
        erased = run_purge(session)
    if erased.invitations_closed or erased.contacts_erased or erased.responses_deleted:
        typer.echo(f"Purge: {erased.summary()}")
    with session_scope() as session:
        frozen = freeze_closed_quarters(session, actor="dispatch")
    if frozen:
        typer.echo(f"Results: froze {', '.join(frozen)}.")


def purge() -> None:
    """Erase expired contact details, cut ties of ended links, apply retention."""
    from app.db import session_scope
    from app.jobs.retention import purge as run_purge
    from app.startup import check_startup

    check_startup()
    with session_scope() as session:
        report = run_purge(session, actor="cli")
    typer.echo(f"Purge: {report.summary()}")


@rollups_app.command("rebuild")
def rebuild_command() -> None:
    """Recompute the rollup counts from the stored answers (one transaction).

    Only months at or after the retention cutoff (VV_RETENTION_MONTHS before this month) are
    recomputed. Older months keep their counts as they are: purge has erased their responses,
    and published figures keep their history.
    """
    from app.db import session_scope
    from app.reporting import rollups

    started = time.perf_counter()
    since = rollups.rebuild_cutoff()
    with session_scope() as session:
        answers = rollups.count_answers(session, since=since)
        typer.echo(
            f"Rebuilding rollup counts from {since:%B %Y} on, from {answers:,} answers "
            "(counts of earlier months are kept)…"
        )
        rows = rollups.rebuild(session, since=since)
    elapsed = time.perf_counter() - started
    typer.echo(f"Rebuilt in {elapsed:.1f}s: {rows:,} rollup rows in all.")


def rotate_keys() -> None:
    """Re-encrypt everything stored encrypted under the first key of VV_ENCRYPTION_KEYS."""
    from app.db import session_scope
    from app.jobs.key_rotation import rotate_encryption
    from app.startup import check_startup

    check_startup()
    with session_scope() as session:
        counts = rotate_encryption(session, actor="cli")
    typer.echo(
        f"Re-encrypted {counts['contacts']} contact details under the first key"
        f" (and {sum(counts.values()) - counts['contacts']} other encrypted values)."
    )
