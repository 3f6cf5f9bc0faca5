"""Batch upload: validate rows, de-duplicate contacts, store invitations and their first message.

Rows are streamed and handled in chunks (2,000 at a time) with bulk inserts, so a
100,000-row import needs memory for one chunk, not for the file. Duplicates within a batch
are found through `Contact.last_batch_id` in the database rather than a set in memory.

Each chunk is committed on its own, so that no import holds the database for long: on SQLite,
whose one write lock a victim's saved answer also needs, a 100,000-row import in one
transaction held it for 40 s, past the 30 s busy timeout, and the victim's answer was lost.
Until its last chunk is in, the batch is `importing` and its messages wait in status
`importing`, which dispatch never claims; they become `due` in the same transaction that
makes the batch `complete`. An import that fails is undone by `abandon_import`: at once when
the process sees the error, or by `victim-voice purge` once a batch has made no progress for
`STUCK_AFTER` (its process died). The batch is then `failed`, and the same rows can be sent
again as a new batch.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.audit import record as record_event
from app.crypto import encrypt
from app.db import as_utc, new_uuid
from app.db import utcnow as now
from app.errors import NotFound
from app.invitations import lifecycle
from app.invitations.batch_input import read_csv_rows, read_csv_text
from app.invitations.contacts import case_ref_hash, configured_quiet_hours, contact_hash
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.invitations.rows import DateWindow, NotSafe, ValidRow, validate_row
from app.invitations.scheduling import LONDON, QuietHours, first_due_at
from app.settings import get_settings

__all__ = ["import_rows", "read_csv_rows", "read_csv_text", "batch_status", "abandon_import"]

logger = logging.getLogger("victim_voice.invitations")

# Each chunk is one commit. On SQLite a commit costs about 80 ms (the WAL's checkpoints sync the
# file): 2,000 rows a chunk keeps 100,000 rows to 50 commits, while a victim's write still waits
# at most a few hundred milliseconds for a chunk to finish (docs/performance.md).
CHUNK_SIZE = 2000
# A batch still `importing` with no chunk committed for this long has lost its process.
STUCK_AFTER = timedelta(hours=1)

IMPORTING = "importing"
COMPLETE = "complete"
FAILED = "failed"
# The status of a message whose batch is still importing: never claimed by dispatch.
MESSAGE_WAITING = lifecycle.WAITING_FOR_IMPORT

NOT_SAFE = "not_safe_to_contact"
OPTED_OUT = "opted_out"
DUPLICATE = "duplicate"
COOLING_OFF = "cooling_off"


# For UPDATE and DELETE over many rows: no ORM objects of them are held, and the default
# ("auto") would fetch every affected id back into Python (97,500 ids when a 100,000-row
# batch completes: 45 MB of heap and seconds inside the final transaction).
NO_SYNC: dict[str, Any] = {"synchronize_session": False}


class ImportAbandoned(RuntimeError):
    """The batch was marked failed while this import was still running."""


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
    window: DateWindow


def import_rows(
    session: Session,
    rows: Iterable[Any],
    *,
    actor: str,
    source: str,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Validate and store a batch, committing chunk by chunk; returns the upload answer.

    Commits `session` (whatever the caller had pending goes with the batch's first commit).
    If anything fails, what was stored is removed again and the batch marked failed.
    """
    settings = get_settings()
    moment = now()
    batch_id = new_uuid()
    session.add(
        InvitationBatch(
            id=batch_id, created_by=actor, created_at=moment, updated_at=moment, status=IMPORTING
        )
    )
    session.commit()  # the batch is visible, as importing, from the start
    context = _Context(
        batch_id=batch_id,
        now=moment,
        cooling_off_since=moment - timedelta(days=settings.cooling_off_days),
        delay_days=settings.dispatch_delay_days,
        quiet=configured_quiet_hours(),
        is_postgres=session.get_bind().dialect.name == "postgresql",
        window=DateWindow(
            today=moment.astimezone(LONDON).date(),
            max_age_days=settings.max_touchpoint_age_days,
        ),
    )
    result = BatchResult(batch_id=batch_id)
    try:
        _import(session, context, rows, result, chunk_size, on_progress)
        _complete(session, context, result, actor=actor, source=source)
        session.commit()
    except BaseException:
        session.rollback()
        _abandon_after_error(session, batch_id)
        raise
    return result


def _import(
    session: Session,
    context: _Context,
    rows: Iterable[Any],
    result: BatchResult,
    chunk_size: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    # Rows are validated outside any transaction: only storing a chunk holds the database.
    pending: list[tuple[int, ValidRow]] = []
    for index, raw in enumerate(rows):
        result.rows += 1
        outcome = validate_row(raw, context.window)
        if isinstance(outcome, NotSafe):
            result.skipped.append({"row": index, "reason": NOT_SAFE})
        elif isinstance(outcome, list):
            result.rejected.append({"row": index, "errors": outcome})
        else:
            pending.append((index, outcome))
            if len(pending) >= chunk_size:
                _commit_chunk(session, context, pending, result)
                pending = []
        if on_progress is not None:
            on_progress(index + 1)
    if pending:
        _commit_chunk(session, context, pending, result)
    # Skips are found chunk by chunk; report them in row order.
    result.skipped.sort(key=lambda entry: entry["row"])


def _counts(result: BatchResult) -> dict[str, int]:
    return {
        "rows": result.rows,
        "accepted": result.accepted,
        "rejected": len(result.rejected),
        "skipped": len(result.skipped),
    }


def _claim_progress(session: Session, context: _Context, **values: Any) -> None:
    """Record progress on a batch still importing, first in its transaction (on PostgreSQL
    this locks the batch row); ImportAbandoned if the batch was marked failed meanwhile."""
    changed = session.execute(
        update(InvitationBatch)
        .where(col(InvitationBatch.id) == context.batch_id)
        .where(col(InvitationBatch.status) == IMPORTING)
        .values(updated_at=now(), **values),
        execution_options=NO_SYNC,
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        raise ImportAbandoned("the batch was marked failed during its import")


def _commit_chunk(
    session: Session, context: _Context, chunk: list[tuple[int, ValidRow]], result: BatchResult
) -> None:
    prepared = _prepare(context, chunk)  # before the transaction: CPU work only
    _claim_progress(session, context)
    _store_chunk(session, context, prepared, result)
    session.execute(
        update(InvitationBatch)
        .where(col(InvitationBatch.id) == context.batch_id)
        .values(**_counts(result)),
        execution_options=NO_SYNC,
    )
    session.commit()


def _complete(
    session: Session, context: _Context, result: BatchResult, *, actor: str, source: str
) -> None:
    """Make the batch whole in one transaction: its messages due, its status complete."""
    _claim_progress(session, context, status=COMPLETE, **_counts(result))
    batch_invitations = select(col(Invitation.id)).where(
        col(Invitation.batch_id) == context.batch_id
    )
    lifecycle.release_imported(session, batch_invitations, execution_options=NO_SYNC)
    record_event(
        session,
        actor=actor,
        action="invitation_batch.upload",
        object_type="invitation_batch",
        object_id=context.batch_id,
        detail={"source": source, **_counts(result)},
    )


def _insert_new_contacts(
    session: Session, context: _Context, first_rows: dict[str, _PreparedRow]
) -> dict[str, int]:
    """Insert the contacts not known yet, as invited by this batch; their ids by hash.

    `ON CONFLICT DO NOTHING RETURNING`: a contact that already exists (or that a concurrent
    upload has just added) is left alone and not returned, so it takes the path of known
    contacts, under its row lock.
    """
    values = [
        {
            "contact_hash": digest,
            "channel": prepared.row.channel,
            "destination_encrypted": prepared.destination_encrypted,
            "last_invited_at": context.now,
            "last_batch_id": context.batch_id,
            "created_at": context.now,
        }
        for digest, prepared in sorted(first_rows.items())
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
            col(Contact.previous_invited_at),
            col(Contact.previous_batch_id),
        )
        .where(col(Contact.contact_hash).in_(hashes))
        .order_by(col(Contact.contact_hash))
    )
    if context.is_postgres:
        # Two uploads naming one contact at once must not both pass cooling-off.
        query = query.with_for_update()
    return {record.contact_hash: record for record in session.execute(query)}


@dataclass(frozen=True, slots=True)
class _KnownContact:
    """A known contact as it was before an unfinished import's invitation of it."""

    id: int
    opted_out_at: datetime | None
    last_invited_at: datetime | None
    last_batch_id: str | None


def _take_over_unmade(session: Session, context: _Context, known: dict[str, Any]) -> None:
    """Remove the invitations another batch made of these contacts that were never made
    whole, and see those contacts as they were before it (in place, in `known`).

    An import that died leaves its batch `importing`, with contacts marked as invited by it
    whose messages wait in `importing` and are never sent. A retry of the same file must not
    skip them for cooling-off: it invites them itself, and the dead batch's invitation goes, so
    the contact still has exactly one invitation that can be sent. Decided by the message's
    status, under the condition of the DELETE: if the other import makes its batch whole
    first, its messages are `due`, nothing is taken over and cooling-off counts that
    invitation; if this chunk deletes first, that import's completion no longer finds them.
    """
    others = {
        record.id: digest
        for digest, record in known.items()
        if record.last_batch_id not in (None, context.batch_id) and record.opted_out_at is None
    }
    if not others:
        return
    unmade = (
        select(col(Invitation.id))
        .join(Contact, col(Contact.id) == col(Invitation.contact_id))
        .where(col(Contact.id).in_(others))
        .where(col(Invitation.batch_id) == col(Contact.last_batch_id))
    )
    taken = list(
        session.scalars(
            delete(OutboundMessage)
            .where(col(OutboundMessage.status) == MESSAGE_WAITING)
            .where(col(OutboundMessage.invitation_id).in_(unmade))
            .returning(col(OutboundMessage.invitation_id)),
            execution_options=NO_SYNC,
        )
    )
    if not taken:
        return
    contact_ids = session.scalars(
        delete(Invitation)
        .where(col(Invitation.id).in_(taken))
        .where(~exists().where(col(OutboundMessage.invitation_id) == col(Invitation.id)))
        .returning(col(Invitation.contact_id)),
        execution_options=NO_SYNC,
    )
    for contact_id in set(contact_ids):
        record = known[others[contact_id]]
        known[others[contact_id]] = _KnownContact(
            id=record.id,
            opted_out_at=record.opted_out_at,
            last_invited_at=record.previous_invited_at,
            last_batch_id=record.previous_batch_id,
        )


def _replacing(contact: Any, context: _Context) -> dict[str, Any]:
    """A known contact marked as seen by this batch, keeping what it replaces (for undoing)."""
    return {
        "last_batch_id": context.batch_id,
        "previous_batch_id": contact.last_batch_id,
        "previous_invited_at": contact.last_invited_at,
    }


@dataclass(frozen=True, slots=True)
class _PreparedRow:
    """A valid row with the costly parts (contact hash, encryption, send time) worked out
    before its chunk's transaction begins, so that the transaction holds the database only to
    write (the case reference's HMAC, a few microseconds, stays where the invitation is built)."""

    index: int
    row: ValidRow
    digest: str
    destination_encrypted: str
    due_at: datetime


def _prepare(context: _Context, chunk: list[tuple[int, ValidRow]]) -> list[_PreparedRow]:
    return [
        _PreparedRow(
            index=index,
            row=row,
            digest=contact_hash(row.destination),
            destination_encrypted=encrypt(row.destination),
            due_at=first_due_at(
                row.touchpoint_date, delay_days=context.delay_days, quiet=context.quiet
            ),
        )
        for index, row in chunk
    ]


def _store_chunk(
    session: Session, context: _Context, chunk: list[_PreparedRow], result: BatchResult
) -> None:
    first_rows: dict[str, _PreparedRow] = {}
    for prepared in chunk:
        first_rows.setdefault(prepared.digest, prepared)
    new_ids = _insert_new_contacts(session, context, first_rows)
    known = _known_contacts(session, context, set(first_rows) - set(new_ids))
    _take_over_unmade(session, context, known)

    seen_in_batch: set[str] = set()
    # Known contacts invited now (new destination), and known contacts only marked as seen
    # in this batch (cooling off): two shapes, one executemany each.
    invited: list[dict[str, Any]] = []
    seen: list[dict[str, Any]] = []
    invitations: list[dict[str, Any]] = []
    messages: list[dict[str, Any]] = []
    for prepared in chunk:
        index, row, digest = prepared.index, prepared.row, prepared.digest
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
                seen.append({"id": contact.id, **_replacing(contact, context)})
                result.skipped.append({"row": index, "reason": COOLING_OFF})
                continue
            contact_id = contact.id
            invited.append(
                {
                    "id": contact_id,
                    **_replacing(contact, context),
                    "last_invited_at": context.now,
                    "destination_encrypted": prepared.destination_encrypted,
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
                "status": lifecycle.NEW_INVITATION,
                "created_at": context.now,
                "first_sent_at": None,
                "expires_at": None,
            }
        )
        messages.append(
            {
                "id": new_uuid(),
                "invitation_id": invitation_id,
                "kind": "invitation",
                "status": MESSAGE_WAITING,
                "due_at": prepared.due_at,
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
        "status": batch.status,
        "created_at": as_utc(batch.created_at).isoformat(),
        "rows": batch.rows,
        "accepted": batch.accepted,
        "rejected": batch.rejected,
        "skipped": batch.skipped,
        "statuses": {status: int(count) for status, count in sorted(counts.items())},
    }


# --- undoing an import that did not finish -------------------------------------------------------


def abandon_import(session: Session, batch_id: str, *, actor: str, reason: str) -> int:
    """Mark a batch that is still importing as failed and remove what it stored; returns the
    number of invitations removed (0, doing nothing, if the batch is not importing).

    Marked failed first, and committed: from then on no chunk of a still-running import can
    commit (each claims the batch as importing in its own transaction), so the removal below
    sees every chunk there will ever be. Its messages never left `importing`, so nothing of it
    was sent. Removal goes in chunks, each committed, so undoing never holds the database long.

    An invitation the force cancelled while the batch was importing stays, and so does its
    contact's mark (invited by this batch): removing them would forget the cancellation, and
    sending the same file again would message a case the force had stopped.
    """
    marked = session.execute(
        update(InvitationBatch)
        .where(col(InvitationBatch.id) == batch_id)
        .where(col(InvitationBatch.status) == IMPORTING)
        .values(status=FAILED, updated_at=now()),
        execution_options=NO_SYNC,
    )
    session.commit()
    if not marked.rowcount:  # type: ignore[attr-defined]
        return 0
    removed = 0
    while True:
        ids = list(
            session.scalars(
                select(col(Invitation.id))
                .where(col(Invitation.batch_id) == batch_id)
                .where(col(Invitation.status) != InvitationStatus.cancelled)
                .limit(CHUNK_SIZE)
            )
        )
        if not ids:
            break
        session.execute(
            delete(OutboundMessage).where(col(OutboundMessage.invitation_id).in_(ids)),
            execution_options=NO_SYNC,
        )
        session.execute(
            delete(Invitation).where(col(Invitation.id).in_(ids)), execution_options=NO_SYNC
        )
        session.commit()
        removed += len(ids)
    _restore_contacts(session, batch_id)
    record_event(
        session,
        actor=actor,
        action="invitation_batch.failed",
        object_type="invitation_batch",
        object_id=batch_id,
        detail={"reason": reason, "invitations_removed": removed},
    )
    session.commit()
    return removed


def _restore_contacts(session: Session, batch_id: str) -> None:
    """Contacts the failed batch made are deleted; those it touched get back what it replaced."""
    # A contact whose cancelled invitation stays (see abandon_import) keeps this batch's mark,
    # so cooling-off still counts the invitation the force stopped.
    touched = (col(Contact.last_batch_id) == batch_id) & ~exists().where(
        col(Invitation.contact_id) == col(Contact.id), col(Invitation.batch_id) == batch_id
    )
    made_by_batch = col(Contact.previous_batch_id).is_(None) & col(Contact.previous_invited_at).is_(
        None
    )
    session.execute(
        delete(Contact)
        .where(touched, made_by_batch)
        .where(col(Contact.opted_out_at).is_(None))
        .where(~exists().where(col(Invitation.contact_id) == col(Contact.id))),
        execution_options=NO_SYNC,
    )
    session.execute(
        update(Contact)
        .where(touched)
        .values(
            last_batch_id=col(Contact.previous_batch_id),
            last_invited_at=col(Contact.previous_invited_at),
            previous_batch_id=None,
            previous_invited_at=None,
        ),
        execution_options=NO_SYNC,
    )


def _abandon_after_error(session: Session, batch_id: str) -> None:
    """Undo an import that raised, at once; if even that fails, purge undoes it later."""
    try:
        abandon_import(session, batch_id, actor="system", reason="error")
    except Exception:  # noqa: BLE001 - the import's own error is the one to report
        session.rollback()
        logger.warning("could not undo the failed import of batch %s yet", batch_id)


def abandon_stuck_imports(session: Session, *, at: datetime, actor: str = "system") -> int:
    """Undo every import that has made no progress for STUCK_AFTER; returns how many."""
    stuck = list(
        session.scalars(
            select(col(InvitationBatch.id))
            .where(col(InvitationBatch.status) == IMPORTING)
            .where(col(InvitationBatch.updated_at) < at - STUCK_AFTER)
            # Oldest first: a later batch that took contacts over from an earlier one keeps
            # what the earlier one replaced, so undoing the earlier one first leaves the
            # later one's undo to give back what was true before both.
            .order_by(col(InvitationBatch.created_at), col(InvitationBatch.id))
        )
    )
    session.commit()
    for batch_id in stuck:
        abandon_import(session, batch_id, actor=actor, reason="stuck")
    return len(stuck)
