"""Storing one chunk of valid rows: its contacts (new, known, or taken over from an import that
died), the skips (opted out, duplicate, cooling off), its invitations and their first messages.

A row a support service passes on (`contact_via: support_service`) has no contact of ours: its
invitation is stored without any message (delivery through the service comes later) and is
held for the link's life (`expires_at`), after which purge closes it like any other. A row
whose safe time leaves no sending time within the link's life gets its invitation message
already `skipped` (reason `no_safe_time`): recorded, never sent.

The costly parts of a row (contact hash, encryption, send time) are worked out by `prepare`
before the chunk's transaction; `store_chunk` runs inside it and only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.crypto import encrypt
from app.db import as_utc, new_uuid
from app.invitations import lifecycle
from app.invitations.contacts import case_ref_hash, contact_hash
from app.invitations.import_state import NO_SYNC
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.row_contact import DIRECT, ContactRules
from app.invitations.rows import DateWindow, ValidRow
from app.invitations.safe_time import parse_safe_time
from app.invitations.scheduling import QuietHours, first_due_at, next_sending_time

# The status of a message whose batch is still importing: never claimed by dispatch.
MESSAGE_WAITING = lifecycle.WAITING_FOR_IMPORT

OPTED_OUT = "opted_out"
DUPLICATE = "duplicate"
COOLING_OFF = "cooling_off"


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


@dataclass
class ChunkOutcome:
    """What a chunk did with its rows, for the upload answer."""

    accepted: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)


def _insert_new_contacts(
    session: Session, context: ImportContext, first_rows: dict[str, PreparedRow]
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
            "safe_time_encrypted": prepared.safe_time_encrypted,
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


def _known_contacts(session: Session, context: ImportContext, hashes: set[str]) -> dict[str, Any]:
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


def _take_over_unmade(session: Session, context: ImportContext, known: dict[str, Any]) -> None:
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


def _replacing(contact: Any, context: ImportContext) -> dict[str, Any]:
    """A known contact marked as seen by this batch, keeping what it replaces (for undoing)."""
    return {
        "last_batch_id": context.batch_id,
        "previous_batch_id": contact.last_batch_id,
        "previous_invited_at": contact.last_invited_at,
    }


@dataclass(frozen=True, slots=True)
class PreparedRow:
    """A valid row with the costly parts (contact hash, encryption, send time) worked out
    before its chunk's transaction begins, so that the transaction holds the database only to
    write (the case reference's HMAC, a few microseconds, stays where the invitation is built)."""

    index: int
    row: ValidRow
    digest: str
    destination_encrypted: str
    safe_time_encrypted: str | None
    # None: the safe time leaves no sending time within the link's life.
    due_at: datetime | None

    @property
    def direct(self) -> bool:
        return self.row.contact_via == DIRECT


def _due_at(context: ImportContext, row: ValidRow) -> datetime | None:
    due = first_due_at(row.touchpoint_date, delay_days=context.delay_days, quiet=context.quiet)
    if row.safe_time is None:
        return due
    return next_sending_time(
        due,
        quiet=context.quiet,
        safe=parse_safe_time(row.safe_time),
        until=due + timedelta(days=context.link_ttl_days),
    )


def _prepare_row(context: ImportContext, index: int, row: ValidRow) -> PreparedRow:
    if row.contact_via != DIRECT:
        return PreparedRow(index, row, "", "", None, None)
    return PreparedRow(
        index=index,
        row=row,
        digest=contact_hash(row.destination),
        destination_encrypted=encrypt(row.destination),
        safe_time_encrypted=encrypt(row.safe_time) if row.safe_time else None,
        due_at=_due_at(context, row),
    )


def prepare(context: ImportContext, chunk: list[tuple[int, ValidRow]]) -> list[PreparedRow]:
    return [_prepare_row(context, index, row) for index, row in chunk]


@dataclass
class _Writes:
    """What one chunk writes, gathered row by row and then written one statement a shape."""

    # Known contacts invited now (new destination), and known contacts only marked as seen in
    # this batch (cooling off): two shapes, one executemany each.
    invited: list[dict[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    seen_in_batch: set[str] = field(default_factory=set)


def store_chunk(session: Session, context: ImportContext, chunk: list[PreparedRow]) -> ChunkOutcome:
    first_rows: dict[str, PreparedRow] = {}
    for prepared in chunk:
        if prepared.direct:
            first_rows.setdefault(prepared.digest, prepared)
    new_ids = _insert_new_contacts(session, context, first_rows)
    known = _known_contacts(session, context, set(first_rows) - set(new_ids))
    _take_over_unmade(session, context, known)

    outcome = ChunkOutcome()
    writes = _Writes()
    for prepared in chunk:
        if not prepared.direct:
            # No contact of ours, so no contact skip applies (stage_allocation, keyed on the
            # case, will).
            _add_invitation(writes, context, prepared, None)
            outcome.accepted += 1
            continue
        # Skips in the contract's order: under_18, not_safe_to_contact and no_consent were
        # decided by app/invitations/rows.py; opted_out, duplicate and cooling_off here; the
        # case-stage ledger's stage_allocation goes after them, before the invitation is added.
        contact = _contact_to_invite(prepared, context, new_ids, known, writes)
        if isinstance(contact, str):
            outcome.skipped.append({"row": prepared.index, "reason": contact})
            continue
        _add_invitation(writes, context, prepared, contact)
        outcome.accepted += 1
    _write(session, writes)
    return outcome


def _contact_to_invite(
    prepared: PreparedRow,
    context: ImportContext,
    new_ids: dict[str, int],
    known: dict[str, Any],
    writes: _Writes,
) -> int | str:
    """The id of the contact this row invites, or the reason the row is skipped."""
    digest = prepared.digest
    if digest in new_ids:
        if digest in writes.seen_in_batch:
            return DUPLICATE
        writes.seen_in_batch.add(digest)
        return new_ids[digest]
    contact = known[digest]
    if contact.opted_out_at is not None:
        return OPTED_OUT
    if contact.last_batch_id == context.batch_id or digest in writes.seen_in_batch:
        return DUPLICATE
    writes.seen_in_batch.add(digest)
    last = contact.last_invited_at
    if last is not None and as_utc(last) > context.cooling_off_since:
        writes.seen.append({"id": contact.id, **_replacing(contact, context)})
        return COOLING_OFF
    writes.invited.append(
        {
            "id": contact.id,
            **_replacing(contact, context),
            "last_invited_at": context.now,
            "destination_encrypted": prepared.destination_encrypted,
            "safe_time_encrypted": prepared.safe_time_encrypted,
        }
    )
    return int(contact.id)


def _add_invitation(
    writes: _Writes, context: ImportContext, prepared: PreparedRow, contact_id: int | None
) -> None:
    row = prepared.row
    invitation_id = new_uuid()
    # A support service's invitation is held for the link's life, then closed by purge.
    held_until = None if prepared.direct else context.now + timedelta(days=context.link_ttl_days)
    writes.invitations.append(
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
            "contact_via": row.contact_via,
            "support_service": row.support_service,
            "status": lifecycle.NEW_INVITATION,
            "created_at": context.now,
            "first_sent_at": None,
            "expires_at": held_until,
        }
    )
    if prepared.direct:
        writes.messages.append(_first_message(invitation_id, context, prepared))


def _first_message(
    invitation_id: str, context: ImportContext, prepared: PreparedRow
) -> dict[str, Any]:
    message = {
        "id": new_uuid(),
        "invitation_id": invitation_id,
        "kind": "invitation",
        "status": MESSAGE_WAITING,
        "due_at": prepared.due_at,
        "attempts": 0,
        "error": None,
    }
    if prepared.due_at is None:
        message.update(
            status=lifecycle.NO_SENDING_TIME,
            due_at=context.now,
            error=lifecycle.NO_SAFE_TIME,
        )
    return message


def _write(session: Session, writes: _Writes) -> None:
    if writes.invited:
        session.execute(update(Contact), writes.invited)
    if writes.seen:
        session.execute(update(Contact), writes.seen)
    if writes.invitations:
        # Asking for RETURNING makes SQLAlchemy batch the rows into multi-row INSERTs
        # ("insertmanyvalues", compiled once): far fewer round trips than executemany.
        tables: list[tuple[Any, list[dict[str, Any]]]] = [
            (Invitation.__table__, writes.invitations),  # type: ignore[attr-defined]
            (OutboundMessage.__table__, writes.messages),  # type: ignore[attr-defined]
        ]
        for table, rows in tables:
            if rows:  # a chunk of support-service rows alone has no messages
                session.execute(insert(table).returning(table.c.id), rows)
