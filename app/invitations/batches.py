"""Batch upload: validate rows, de-duplicate contacts, store invitations and their first message.

Rows are streamed and handled in chunks (about 1,000 at a time) with bulk inserts, so a
100,000-row import needs memory for one chunk, not for the file. Duplicates within a batch
are found through `Contact.last_batch_id` in the database rather than a set in memory.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.audit import record as record_event
from app.crypto import encrypt
from app.db import as_utc, new_uuid
from app.db import utcnow as now
from app.errors import InvalidInput, NotFound
from app.invitations.contacts import case_ref_hash, configured_quiet_hours, contact_hash
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.invitations.rows import COLUMNS, NotSafe, ValidRow, validate_row
from app.invitations.scheduling import QuietHours, first_due_at
from app.settings import get_settings

CHUNK_SIZE = 1000
REQUIRED_COLUMNS = (
    "case_ref",
    "crime_group",
    "touchpoint",
    "touchpoint_date",
    "channel",
    "safe_to_contact",
)

NOT_SAFE = "not_safe_to_contact"
OPTED_OUT = "opted_out"
DUPLICATE = "duplicate"
COOLING_OFF = "cooling_off"


@dataclass
class BatchResult:
    """The answer to an upload (the contract's shape), built as the rows stream past."""

    batch_id: str
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)
    rows: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
        }


@dataclass
class _Context:
    batch_id: str
    now: datetime
    cooling_off_since: datetime
    delay_days: int
    quiet: QuietHours | None
    is_postgres: bool


def read_csv_rows(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """CSV records as dicts, streamed; refuses a header without the required columns."""
    reader = csv.DictReader(iter(lines))
    header = [name.strip().lstrip("\ufeff") for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise InvalidInput(
            "The CSV header lacks required columns.",
            errors=[{"loc": ["header", name], "msg": "column is required"} for name in missing],
        )
    reader.fieldnames = header
    for record in reader:
        # Values of columns beyond the header land under None: ignore them.
        yield {name: value for name, value in record.items() if name in COLUMNS}


def read_csv_text(text: str) -> Iterator[dict[str, str]]:
    return read_csv_rows(io.StringIO(text.lstrip("\ufeff"), newline=""))


def import_rows(
    session: Session,
    rows: Iterable[Any],
    *,
    actor: str,
    source: str,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Validate and store a batch in the caller's transaction; returns the upload answer."""
    settings = get_settings()
    moment = now()
    batch = InvitationBatch(created_by=actor, created_at=moment)
    session.add(batch)
    session.flush()
    context = _Context(
        batch_id=batch.id,
        now=moment,
        cooling_off_since=moment - timedelta(days=settings.cooling_off_days),
        delay_days=settings.dispatch_delay_days,
        quiet=configured_quiet_hours(),
        is_postgres=session.get_bind().dialect.name == "postgresql",
    )
    result = BatchResult(batch_id=batch.id)
    pending: list[tuple[int, ValidRow]] = []
    for index, raw in enumerate(rows):
        result.rows += 1
        outcome = validate_row(raw)
        if isinstance(outcome, NotSafe):
            result.skipped.append({"row": index, "reason": NOT_SAFE})
        elif isinstance(outcome, list):
            result.rejected.append({"row": index, "errors": outcome})
        else:
            pending.append((index, outcome))
            if len(pending) >= chunk_size:
                _store_chunk(session, context, pending, result)
                pending = []
        if on_progress is not None:
            on_progress(index + 1)
    if pending:
        _store_chunk(session, context, pending, result)
    # Skips are found chunk by chunk; report them in row order.
    result.skipped.sort(key=lambda entry: entry["row"])
    batch.rows = result.rows
    batch.accepted = result.accepted
    batch.rejected = len(result.rejected)
    batch.skipped = len(result.skipped)
    session.add(batch)
    record_event(
        session,
        actor=actor,
        action="invitation_batch.upload",
        object_type="invitation_batch",
        object_id=batch.id,
        detail={
            "source": source,
            "rows": result.rows,
            "accepted": result.accepted,
            "rejected": len(result.rejected),
            "skipped": len(result.skipped),
        },
    )
    session.flush()
    return result


def _insert_new_contacts(
    session: Session, context: _Context, first_rows: dict[str, ValidRow]
) -> dict[str, int]:
    """Insert the contacts not known yet, as invited by this batch; their ids by hash.

    `ON CONFLICT DO NOTHING RETURNING`: a contact that already exists (or that a concurrent
    upload has just added) is left alone and not returned, so it takes the path of known
    contacts, under its row lock.
    """
    values = [
        {
            "contact_hash": digest,
            "channel": row.channel,
            "destination_encrypted": encrypt(row.destination),
            "last_invited_at": context.now,
            "last_batch_id": context.batch_id,
            "created_at": context.now,
        }
        for digest, row in sorted(first_rows.items())
    ]
    if not values:
        return {}
    dialect_insert = pg_insert if context.is_postgres else sqlite_insert
    table = Contact.__table__  # type: ignore[attr-defined]
    statement = (
        dialect_insert(table)
        .on_conflict_do_nothing(index_elements=["contact_hash"])
        .returning(table.c.id, table.c.contact_hash)
    )
    return {digest: contact_id for contact_id, digest in session.execute(statement, values)}


def _known_contacts(session: Session, context: _Context, hashes: set[str]) -> dict[str, Any]:
    if not hashes:
        return {}
    query = (
        select(
            col(Contact.id),
            col(Contact.contact_hash),
            col(Contact.opted_out_at),
            col(Contact.last_invited_at),
            col(Contact.last_batch_id),
        )
        .where(col(Contact.contact_hash).in_(hashes))
        .order_by(col(Contact.contact_hash))
    )
    if context.is_postgres:
        # Two uploads naming one contact at once must not both pass cooling-off.
        query = query.with_for_update()
    return {record.contact_hash: record for record in session.execute(query)}


def _store_chunk(
    session: Session, context: _Context, chunk: list[tuple[int, ValidRow]], result: BatchResult
) -> None:
    hashes = [contact_hash(row.destination) for _, row in chunk]
    first_rows: dict[str, ValidRow] = {}
    for digest, (_, row) in zip(hashes, chunk, strict=True):
        first_rows.setdefault(digest, row)
    new_ids = _insert_new_contacts(session, context, first_rows)
    known = _known_contacts(session, context, set(first_rows) - set(new_ids))

    seen_in_batch: set[str] = set()
    # Known contacts invited now (new destination), and known contacts only marked as seen
    # in this batch (cooling off): two shapes, one executemany each.
    invited: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    invitations: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for (index, row), digest in zip(chunk, hashes, strict=True):
        if digest in new_ids:
            if digest in seen_in_batch:
                result.skipped.append({"row": index, "reason": DUPLICATE})
                continue
            seen_in_batch.add(digest)
            contact_id = new_ids[digest]
        else:
            contact = known[digest]
            if contact.opted_out_at is not None:
                result.skipped.append({"row": index, "reason": OPTED_OUT})
                continue
            if contact.last_batch_id == context.batch_id or digest in seen_in_batch:
                result.skipped.append({"row": index, "reason": DUPLICATE})
                continue
            seen_in_batch.add(digest)
            last = contact.last_invited_at
            if last is not None and as_utc(last) > context.cooling_off_since:
                seen.append({"id": contact.id, "last_batch_id": context.batch_id})
                result.skipped.append({"row": index, "reason": COOLING_OFF})
                continue
            contact_id = contact.id
            invited.append(
                {
                    "id": contact_id,
                    "last_batch_id": context.batch_id,
                    "last_invited_at": context.now,
                    "destination_encrypted": encrypt(row.destination),
                }
            )
        invitation_id = new_uuid()
        invitations.append(
            {
                "id": invitation_id,
                "batch_id": context.batch_id,
                "contact_id": contact_id,
                "case_ref_hash": case_ref_hash(row.case_ref),
                "crime_group": row.crime_group,
                "touchpoint": row.touchpoint,
                "touchpoint_date": row.touchpoint_date,
                "area": row.area,
                "language": row.language,
                "channel": row.channel,
                "status": "pending",
                "created_at": context.now,
                "first_sent_at": None,
                "expires_at": None,
            }
        )
        due = first_due_at(row.touchpoint_date, delay_days=context.delay_days, quiet=context.quiet)
        messages.append(
            {
                "id": new_uuid(),
                "invitation_id": invitation_id,
                "kind": "invitation",
                "status": "due",
                "due_at": due,
                "attempts": 0,
            }
        )
        result.accepted += 1
    if invited:
        session.execute(update(Contact), invited)
    if seen:
        session.execute(update(Contact), seen)
    if invitations:
        # Asking for RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs
        # ("insertmanyvalues", compiled once): far fewer round trips than executemany.
        tables: list[tuple[Any, list[dict[str, Any]]]] = [
            (Invitation.__table__, invitations),  # type: ignore[attr-defined]
            (OutboundMessage.__table__, messages),  # type: ignore[attr-defined]
        ]
        for table, rows in tables:
            session.execute(insert(table).returning(table.c.id), rows)


def batch_status(session: Session, batch_id: str) -> dict[str, Any]:
    """Counts by invitation status for one batch (no personal data)."""
    batch = session.get(InvitationBatch, batch_id)
    if batch is None:
        raise NotFound("There is no invitation batch with that id.")
    counts: dict[str, int] = dict(
        session.execute(
            select(col(Invitation.status), func.count())
            .where(col(Invitation.batch_id) == batch_id)
            .group_by(col(Invitation.status))
        ).all()
    )
    return {
        "batch_id": batch.id,
        "created_at": as_utc(batch.created_at).isoformat(),
        "rows": batch.rows,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "skipped": batch.skipped,
        "statuses": {status: int(count) for status, count in sorted(counts.items())},
    }
