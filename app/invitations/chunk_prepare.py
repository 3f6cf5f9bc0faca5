"""Preparing a chunk of valid rows before its transaction: the import's context, and each row's
costly parts (contact hash, case hashes, encryption, send time by the delay table)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from app.crypto import encrypt
from app.invitations.contacts import (
    case_mark,
    case_ref_hash,
    contact_hash,
    service_party,
    stage_key,
)
from app.invitations.delays import delay_days
from app.invitations.row_contact import DIRECT, ContactRules
from app.invitations.rows import DateWindow, ValidRow
from app.invitations.safe_time import parse_safe_time
from app.invitations.scheduling import QuietHours, first_due_at, next_sending_time
from app.invitations.stage_ledger import Stage
from app.invitations.stage_offer import StageQuestionsFor


@dataclass
class ImportContext:
    batch_id: str
    now: datetime
    cooling_off_since: datetime
    delay_days: int
    quiet: QuietHours | None
    is_postgres: bool
    window: DateWindow
    rules: ContactRules
    link_ttl_days: int
    handover_days: int
    stage_gap: timedelta
    stage_questions: StageQuestionsFor
    # Earlier stages (case hash, stage) a later one replaces: cancelled when the batch is whole.
    replaced: list[tuple[str, Stage]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """A valid row with the costly parts (contact hash, encryption, send time) worked out
    before its chunk's transaction begins, so that the transaction holds the database only to
    write (the case reference's HMAC, a few microseconds, stays where the invitation is built)."""

    index: int
    row: ValidRow
    digest: str  # empty for a row a support service passes on (no contact of ours)
    destination_encrypted: str
    safe_time_encrypted: str | None
    # None: the safe time leaves no sending time within the link's life.
    due_at: datetime | None
    case_hash: str
    stage_key: str  # the victim's part (or, passed on, the service's part) in the case
    case_mark: str

    @property
    def direct(self) -> bool:
        return self.row.contact_via == DIRECT


def prepare(context: ImportContext, chunk: list[tuple[int, ValidRow]]) -> list[PreparedRow]:
    return [_prepare_row(context, index, row) for index, row in chunk]


def _prepare_row(context: ImportContext, index: int, row: ValidRow) -> PreparedRow:
    case = case_ref_hash(row.case_ref)
    if row.contact_via != DIRECT:
        assert row.support_service is not None  # required by the row's rules
        key = stage_key(case, service_party(row.support_service))
        return PreparedRow(index, row, "", "", None, None, case, key, "")
    digest = contact_hash(row.destination)
    return PreparedRow(
        index=index,
        row=row,
        digest=digest,
        destination_encrypted=encrypt(row.destination),
        safe_time_encrypted=encrypt(row.safe_time) if row.safe_time else None,
        due_at=within_safe_time(context, row, first_due(context, row)),
        case_hash=case,
        stage_key=stage_key(case, digest),
        case_mark=case_mark(case, digest),
    )


def first_due(context: ImportContext, row: ValidRow) -> datetime:
    """Local midnight of the touchpoint date plus its delay (the delay table), out of quiet
    hours."""
    delay = delay_days(
        row.crime_group, row.touchpoint, row.outcome, dispatch_delay_days=context.delay_days
    )
    return first_due_at(row.touchpoint_date, delay_days=delay, quiet=context.quiet)


def within_safe_time(context: ImportContext, row: ValidRow, due: datetime) -> datetime | None:
    """The first sending time at or after `due` inside the row's safe time (and outside quiet
    hours), within the link's life; None when none is left."""
    if row.safe_time is None:
        return due
    return next_sending_time(
        due,
        quiet=context.quiet,
        safe=parse_safe_time(row.safe_time),
        until=due + timedelta(days=context.link_ttl_days),
    )
