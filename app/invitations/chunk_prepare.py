"""Preparing a chunk of valid rows before its transaction: the import's context, and each row's
costly parts (contact hash, case hashes, encryption, send time by the delay table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.crypto import encrypt
from app.invitations.contacts import case_mark, case_ref_hash, contact_hash, stage_key
from app.invitations.delays import delay_days
from app.invitations.rows import DateWindow, ValidRow
from app.invitations.scheduling import QuietHours, first_due_at
from app.invitations.stage_ledger import ModulesFor, Stage


@dataclass
class ImportContext:
    batch_id: str
    now: datetime
    cooling_off_since: datetime
    delay_days: int
    quiet: QuietHours | None
    is_postgres: bool
    window: DateWindow
    stage_gap: timedelta
    modules_for: ModulesFor
    # Earlier stages (case hash, stage) a later one replaces: cancelled when the batch is whole.
    replaced: list[tuple[str, Stage]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """A valid row with the costly parts (contact hash, encryption, send time) worked out
    before its chunk's transaction begins, so that the transaction holds the database only to
    write (the case reference's HMAC, a few microseconds, stays where the invitation is built)."""

    index: int
    row: ValidRow
    digest: str
    destination_encrypted: str
    due_at: datetime
    case_hash: str
    stage_key: str
    case_mark: str


def prepare(context: ImportContext, chunk: list[tuple[int, ValidRow]]) -> list[PreparedRow]:
    return [_prepare_row(context, index, row) for index, row in chunk]


def _prepare_row(context: ImportContext, index: int, row: ValidRow) -> PreparedRow:
    digest = contact_hash(row.destination)
    case = case_ref_hash(row.case_ref)
    delay = delay_days(
        row.crime_group, row.touchpoint, row.outcome, dispatch_delay_days=context.delay_days
    )
    return PreparedRow(
        index=index,
        row=row,
        digest=digest,
        destination_encrypted=encrypt(row.destination),
        due_at=first_due_at(row.touchpoint_date, delay_days=delay, quiet=context.quiet),
        case_hash=case,
        stage_key=stage_key(case, digest),
        case_mark=case_mark(case, digest),
    )
