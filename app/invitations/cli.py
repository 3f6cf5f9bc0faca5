"""CLI commands of the invitations domain (`victim-voice invitations ...`), registered by
app/cli.py. The dispatch loop runs purge between rounds, so it lives in app/jobs/cli.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    # Only for annotations: each command imports what it uses when it runs.
    from app.invitations.batches import BatchResult

app = typer.Typer(no_args_is_help=True)

SHOWN_PROBLEMS = 50


def _scan_file(path: Path, max_rows: int) -> int:
    """Data records in the CSV (up to one past `max_rows`), after checking the file can be
    imported: UTF-8 text with no NUL. Checked before anything is stored, so a bad file leaves
    no partial batch."""
    from app.errors import InvalidInput
    from app.invitations.batch_input import count_csv_records

    def lines() -> Iterator[str]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            for number, line in enumerate(handle, start=1):
                if "\x00" in line:
                    raise InvalidInput(
                        f"line {number} holds a null character (U+0000); remove it and try again."
                    )
                yield line

    try:
        return count_csv_records(lines(), stop_after=max_rows)
    except UnicodeDecodeError as exc:
        raise InvalidInput("the file must be UTF-8 text.") from exc


def _fail(file: Path, detail: str, errors: list[dict[str, Any]] | None = None) -> NoReturn:
    typer.echo(f"{file}: {detail}", err=True)
    for error in errors or []:
        typer.echo(f"  {'.'.join(str(part) for part in error['loc'])}: {error['msg']}", err=True)
    raise typer.Exit(1)


@app.command("import")
def import_file(
    file: Path = typer.Argument(..., help="CSV with the batch columns and a header line"),
) -> None:
    """Upload a batch from a CSV file (the same as the batch API), with a progress bar."""
    from app.errors import AppError
    from app.invitations.batch_input import check_row_count
    from app.settings import get_settings
    from app.startup import check_startup

    if not file.is_file():
        typer.echo(f"No such file: {file}", err=True)
        raise typer.Exit(1)
    check_startup()
    try:
        max_rows = get_settings().max_batch_rows
        total = _scan_file(file, max_rows)
        check_row_count(total, max_rows)
    except AppError as exc:
        _fail(file, exc.detail, exc.errors)
    result = _import_with_progress(file, total)
    _print_result(result)
    if result.rejected:
        # The good rows are stored; the exit code tells a script that some were not.
        raise typer.Exit(1)


def _import_with_progress(file: Path, total: int) -> BatchResult:
    """Store the file's rows as a batch, showing a progress bar; a problem ends the command."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from app.db import session_scope
    from app.errors import AppError
    from app.invitations.batch_input import read_csv_rows
    from app.invitations.batches import import_rows

    progress = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    try:
        with progress, file.open(encoding="utf-8-sig", newline="") as handle:
            task = progress.add_task("Importing rows", total=total)

            def advance(done: int) -> None:
                if done % 500 == 0 or done == total:
                    progress.update(task, completed=done)

            with session_scope() as session:
                result = import_rows(
                    session,
                    read_csv_rows(handle),
                    actor="cli",
                    source="csv",
                    on_progress=advance,
                )
            progress.update(task, completed=result.rows)
    except AppError as exc:
        _fail(file, exc.detail, exc.errors)
    except UnicodeDecodeError:
        _fail(file, "the file must be UTF-8 text (it changed while being imported).")
    return result


def _print_result(result: BatchResult) -> None:
    """The counts, the skips by reason, and the first rejected rows (fields and rules only)."""
    reasons: dict[str, int] = {}
    for skip in result.skipped:
        reasons[skip["reason"]] = reasons.get(skip["reason"], 0) + 1
    typer.echo(
        f"Batch {result.batch_id}: {result.rows} rows, {result.accepted} accepted, "
        f"{len(result.rejected)} rejected, {len(result.skipped)} skipped"
    )
    for reason, count in sorted(reasons.items()):
        typer.echo(f"  skipped {reason}: {count}")
    for problem in result.rejected[:SHOWN_PROBLEMS]:
        messages = "; ".join(f"{e['loc'][0]} {e['msg']}" for e in problem["errors"])
        typer.echo(f"row {problem['row']}: {messages}", err=True)
    if len(result.rejected) > SHOWN_PROBLEMS:
        typer.echo(f"... and {len(result.rejected) - SHOWN_PROBLEMS} more rejected rows", err=True)


@app.command("review")
def review(
    resend: list[str] = typer.Option([], "--resend", help="Message id certainly not sent"),
    sent: list[str] = typer.Option([], "--sent", help="Message id the provider did send"),
) -> None:
    """List messages whose outcome is unknown, or settle them (see docs/dispatch.md)."""
    from app.db import session_scope
    from app.invitations.dispatch import settle_review

    with session_scope() as session:
        lines = settle_review(session, resend=resend, sent=sent, actor="cli")
    for line in lines:
        typer.echo(line)
