"""Storing one chunk of valid rows: its contacts (new, known, or taken over from an import that
died), the skips (opted out, duplicate, cooling off, stage allocation), its invitations and
their first messages.

A row a support service passes on (`contact_via: support_service`) has no contact of ours: its
stage is in the case-stage ledger keyed by the case and the service (`passed_on_skips`), and its
invitation is stored without any message (delivery through the service comes later) and is
held for the link's life (`expires_at`), after which purge closes it like any other. A row
whose safe time leaves no sending time within the link's life gets its invitation message
already `skipped` (reason `no_safe_time`): recorded, never sent.

The costly parts of a row (contact hash, encryption, send time) are worked out by `prepare`
before the chunk's transaction (app/invitations/chunk_prepare.py); `store_chunk` runs inside
it and only writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.db import as_utc
from app.invitations.chunk_prepare import ImportContext, PreparedRow, prepare, within_safe_time
from app.invitations.chunk_writes import MESSAGE_WAITING, ChunkWrites, add_invitation, write_chunk
from app.invitations.contacts import service_party, stage_key
from app.invitations.import_state import IMPORTING, NO_SYNC
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.invitations.scheduling import next_send_time
from app.invitations.skip_counts import SkipCell, skip_cell
from app.invitations.stage_ledger import (
    STAGE_ALLOCATION,
    Stage,
    allocate,
    forget_stages,
    forget_stages_of,
    load_stages,
    lock_passed_on,
    passed_on_skips,
)

__all__ = ["ChunkOutcome", "ImportContext", "PreparedRow", "prepare", "store_chunk"]


OPTED_OUT = "opted_out"
DUPLICATE = "duplicate"
COOLING_OFF = "cooling_off"


@dataclass
class ChunkOutcome:
    """What a chunk did with its rows, for the upload answer."""

    accepted: int = 0
    skipped: list[dict[str, Any]] = field(default_factory=list)
    skip_cells: list[SkipCell] = field(default_factory=list)


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
            "last_case_mark": prepared.case_mark,
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
            col(Contact.last_case_mark),
            col(Contact.previous_case_mark),
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
    last_case_mark: str | None


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
    forget_stages_of(session, taken)
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
            last_case_mark=record.previous_case_mark,
        )


def _take_over_unmade_passed_on(
    session: Session, context: ImportContext, passed_on: list[PreparedRow]
) -> None:
    """Remove what another batch still importing made of these services' parts in these cases
    (their invitations and ledger stages), as `_take_over_unmade` does for contacts.

    A retry of the file of an import that died must not skip its support-service rows for the
    dead import's stages: those go when the dead import is undone. Such an invitation has no
    message, so its batch's status decides: if the other import makes its batch whole first,
    its stages stand and skip these rows; if this chunk deletes first, they are this batch's.
    """
    if not passed_on:
        return
    parts = {(prepared.case_hash, prepared.row.support_service) for prepared in passed_on}
    found = session.execute(
        select(col(Invitation.id), col(Invitation.case_ref_hash), col(Invitation.support_service))
        .join(InvitationBatch, col(InvitationBatch.id) == col(Invitation.batch_id))
        .where(col(Invitation.contact_id).is_(None))
        .where(col(Invitation.first_sent_at).is_(None))  # one handed over already stands
        .where(col(Invitation.case_ref_hash).in_(sorted({case for case, _ in parts})))
        .where(col(Invitation.batch_id) != context.batch_id)
        .where(col(InvitationBatch.status) == IMPORTING)
    )
    taken = sorted(inv_id for inv_id, case, service in found if (case, service) in parts)
    if not taken:
        return
    # Decided under the DELETE's own condition; the ledger rows go only with what it removed.
    removed = session.execute(
        delete(Invitation)
        .where(col(Invitation.id).in_(taken))
        .where(col(Invitation.first_sent_at).is_(None))
        .where(
            exists()
            .where(col(InvitationBatch.id) == col(Invitation.batch_id))
            .where(col(InvitationBatch.status) == IMPORTING)
        )
        .returning(
            col(Invitation.case_ref_hash),
            col(Invitation.support_service),
            col(Invitation.touchpoint),
        ),
        execution_options=NO_SYNC,
    ).all()
    forget_stages(
        session,
        [
            (stage_key(case, service_party(service)), touchpoint)
            for case, service, touchpoint in removed
        ],
    )


def _replacing(contact: Any, context: ImportContext) -> dict[str, Any]:
    """A known contact marked as seen by this batch, keeping what it replaces (for undoing)."""
    return {
        "last_batch_id": context.batch_id,
        "previous_batch_id": contact.last_batch_id,
        "previous_invited_at": contact.last_invited_at,
        "previous_case_mark": contact.last_case_mark,
    }


def store_chunk(session: Session, context: ImportContext, chunk: list[PreparedRow]) -> ChunkOutcome:
    first_rows: dict[str, PreparedRow] = {}
    for prepared in chunk:
        if prepared.direct:
            first_rows.setdefault(prepared.digest, prepared)
    new_ids = _insert_new_contacts(session, context, first_rows)
    known = _known_contacts(session, context, set(first_rows) - set(new_ids))
    _take_over_unmade(session, context, known)

    passed_on = [prepared for prepared in chunk if not prepared.direct]
    if context.is_postgres:
        lock_passed_on(session, [prepared.stage_key for prepared in passed_on])
    _take_over_unmade_passed_on(session, context, passed_on)
    ledger = load_stages(
        session,
        {prepared.stage_key: prepared.case_hash for prepared in chunk},
        batch_id=context.batch_id,
        is_postgres=context.is_postgres,
    )
    outcome = ChunkOutcome()
    writes = ChunkWrites()
    for prepared in chunk:
        stages = ledger.setdefault(prepared.stage_key, {})
        if not prepared.direct:
            # No contact of ours: no contact skip applies; the ledger keys the service's part
            # in the case, so a stage it passed on is never passed on again.
            if passed_on_skips(stages, prepared.row.touchpoint):
                _skip(outcome, prepared, STAGE_ALLOCATION)
                continue
            stages[prepared.row.touchpoint] = Stage(
                touchpoint=prepared.row.touchpoint, first_due_at=context.now
            )
            add_invitation(writes, context, prepared, None, None, stages)
            outcome.accepted += 1
            continue
        pick = _contact_to_invite(prepared, context, new_ids, known, writes)
        reason = pick if isinstance(pick, str) else None
        due_at: datetime | None = None
        if isinstance(pick, _Pick) and prepared.due_at is None:
            # No safe time left in the link's life: recorded with its message skipped.
            _settle_contact(writes, pick, invited=True)
            add_invitation(writes, context, prepared, pick.contact_id, None, stages)
            outcome.accepted += 1
            continue
        if isinstance(pick, _Pick):
            due_at = _allocate(context, stages, prepared)
            reason = STAGE_ALLOCATION if due_at is None else None
            _settle_contact(writes, pick, invited=due_at is not None)
        if reason is not None or due_at is None or not isinstance(pick, _Pick):
            _skip(outcome, prepared, str(reason))
            continue
        add_invitation(writes, context, prepared, pick.contact_id, due_at, stages)
        outcome.accepted += 1
    write_chunk(session, context, writes)
    return outcome


def _skip(outcome: ChunkOutcome, prepared: PreparedRow, reason: str) -> None:
    outcome.skipped.append({"row": prepared.index, "reason": reason})
    outcome.skip_cells.append(skip_cell(reason, prepared.row.crime_group, prepared.row.touchpoint))


@dataclass(frozen=True, slots=True)
class _Pick:
    """The contact a row would invite, and how it is marked if the row's stage goes."""

    contact_id: int
    invited: dict[str, Any] | None  # a known contact's update when invited
    seen: dict[str, Any] | None  # a known contact's update when only seen in this batch


def _settle_contact(writes: ChunkWrites, pick: _Pick, *, invited: bool) -> None:
    if pick.invited is None:  # a new contact, inserted as invited
        if not invited:
            writes.uninvited.append(
                {"id": pick.contact_id, "last_invited_at": None, "last_case_mark": None}
            )
        return
    if invited:
        writes.invited.append(pick.invited)
    elif pick.seen is not None:
        writes.seen.append(pick.seen)


def _allocate(
    context: ImportContext, stages: dict[str, Stage], prepared: PreparedRow
) -> datetime | None:
    """When the row's stage may first be sent, or None when the ledger skips it."""
    row = prepared.row
    assert prepared.due_at is not None
    allocation = allocate(stages, row.touchpoint, prepared.due_at, context.stage_gap)
    if allocation.skip:
        return None
    for stage in allocation.cancel:
        context.replaced.append((prepared.stage_key, stage))
        del stages[stage.touchpoint]
    due_at = prepared.due_at
    if allocation.due_at != prepared.due_at:
        # Waiting for the earlier stage: still only inside the safe time, if any is left.
        moved = within_safe_time(context, row, next_send_time(allocation.due_at, context.quiet))
        if moved is None:
            return None
        due_at = moved
    stages[row.touchpoint] = Stage(touchpoint=row.touchpoint, first_due_at=due_at)
    return due_at


def _contact_to_invite(
    prepared: PreparedRow,
    context: ImportContext,
    new_ids: dict[str, int],
    known: dict[str, Any],
    writes: ChunkWrites,
) -> _Pick | str:
    """The contact this row would invite, or the reason the row is skipped.

    Cooling-off holds between different cases of one contact only: another stage of the case
    the contact was last invited for is left to the case-stage ledger.
    """
    digest = prepared.digest
    if digest in new_ids:
        if digest in writes.seen_in_batch:
            return DUPLICATE
        writes.seen_in_batch.add(digest)
        return _Pick(contact_id=new_ids[digest], invited=None, seen=None)
    contact = known[digest]
    if contact.opted_out_at is not None:
        return OPTED_OUT
    if contact.last_batch_id == context.batch_id or digest in writes.seen_in_batch:
        return DUPLICATE
    writes.seen_in_batch.add(digest)
    seen = {"id": contact.id, **_replacing(contact, context)}
    last = contact.last_invited_at
    same_case = contact.last_case_mark == prepared.case_mark
    if last is not None and as_utc(last) > context.cooling_off_since and not same_case:
        writes.seen.append(seen)
        return COOLING_OFF
    invited = {
        **seen,
        "last_invited_at": context.now,
        "last_case_mark": prepared.case_mark,
        "destination_encrypted": prepared.destination_encrypted,
    }
    if prepared.safe_time_encrypted is not None:
        # A row without a safe time never lifts the one the force gave before: the earlier
        # stage's reminder still reads it (erased with the contact all the same).
        invited["safe_time_encrypted"] = prepared.safe_time_encrypted
    return _Pick(contact_id=int(contact.id), invited=invited, seen=seen)
