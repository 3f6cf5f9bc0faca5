"""What one chunk writes: gathered row by row by app/invitations/chunk_store.py, then written
one statement a shape (its invitations, their first messages, its ledger stages, and the
contacts it marks)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session

from app.db import new_uuid
from app.invitations import lifecycle
from app.invitations.chunk_prepare import ImportContext, PreparedRow
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.rows import ValidRow
from app.invitations.stage_ledger import Stage, write_stages
from app.invitations.stage_offer import Offer, draw_module, make_offer

# The status of a message whose batch is still importing: never claimed by dispatch.
MESSAGE_WAITING = lifecycle.WAITING_FOR_IMPORT


@dataclass
class ChunkWrites:
    """What one chunk writes, gathered row by row and then written one statement a shape."""

    # Known contacts invited now (new destination), and known contacts only marked as seen in
    # this batch (cooling off): two shapes, one executemany each.
    invited: list[dict[str, Any]] = field(default_factory=list)
    seen: list[dict[str, Any]] = field(default_factory=list)
    invitations: list[dict[str, Any]] = field(default_factory=list)
    messages: list[dict[str, Any]] = field(default_factory=list)
    seen_in_batch: set[str] = field(default_factory=set)
    # New contacts whose row was skipped for its stage: not invited after all.
    uninvited: list[dict[str, Any]] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)


def add_invitation(
    writes: ChunkWrites,
    context: ImportContext,
    prepared: PreparedRow,
    contact_id: int | None,
    due_at: datetime | None,
    stages: dict[str, Stage],
) -> None:
    """The row's invitation; with its ledger stage (a direct row's only when it has a sending
    time) and, when direct, its first message (no sending time left: recorded as skipped).

    `stages`: the ledger of the row's part in the case (with the row's own stage when it goes
    there): the module drawn and the questions not asked again follow from it (`_offer`)."""
    row = prepared.row
    invitation_id = new_uuid()
    offer = _offer(context, row, stages)
    # A support service's invitation waits VV_HANDOVER_DAYS to be handed over (its link life
    # runs from the handover: app/handover/handing.py), then purge closes it like any other.
    held_until = None if prepared.direct else context.now + timedelta(days=context.handover_days)
    if due_at is not None or not prepared.direct:
        writes.stages.append(
            {
                "case_hash": prepared.stage_key,
                "touchpoint": row.touchpoint,
                "stage_date": row.touchpoint_date,
                "invited_on": context.window.today,
                # Passed on by a service: no message, so its upload time.
                "first_due_at": due_at or context.now,
                "modules": offer.sections,
                "questions": offer.questions,
            }
        )
    writes.invitations.append(
        {
            "id": invitation_id,
            "batch_id": context.batch_id,
            "contact_id": contact_id,
            "case_ref_hash": prepared.case_hash,
            "crime_group": row.crime_group,
            "touchpoint": row.touchpoint,
            "touchpoint_date": row.touchpoint_date,
            "area": row.area,
            "language": row.language,
            "channel": row.channel,
            "contact_via": row.contact_via,
            "support_service": row.support_service,
            "outcome": row.outcome,
            "vcs_eligible": row.vcs_eligible,
            "consent_recorded_on": row.consent_recorded_on,
            "module": offer.module,
            "not_asked": offer.not_asked,
            "status": lifecycle.NEW_INVITATION,
            "created_at": context.now,
            "first_sent_at": None,
            "expires_at": held_until,
        }
    )
    if prepared.direct:
        writes.messages.append(_first_message(invitation_id, context, due_at))


def _offer(context: ImportContext, row: ValidRow, stages: dict[str, Stage]) -> Offer:
    """The row's module, drawn now, and what its case's earlier stages were offered (not asked
    again); its own stage in `stages`, if there, keeps the ids it offers."""
    questions = context.stage_questions(
        row.crime_group, row.touchpoint, row.outcome, row.vcs_eligible
    )
    earlier = {
        question_id
        for touchpoint, stage in stages.items()
        if touchpoint != row.touchpoint
        for question_id in stage.questions
    }
    offer = make_offer(questions, draw_module(questions, earlier), earlier)
    if row.touchpoint in stages:
        stages[row.touchpoint].questions = tuple(offer.questions)
    return offer


def _first_message(
    invitation_id: str, context: ImportContext, due_at: datetime | None
) -> dict[str, Any]:
    message: dict[str, Any] = {
        "id": new_uuid(),
        "invitation_id": invitation_id,
        "kind": "invitation",
        "status": MESSAGE_WAITING,
        "due_at": due_at,
        "attempts": 0,
        "error": None,
    }
    if due_at is None:
        message.update(
            status=lifecycle.NO_SENDING_TIME, due_at=context.now, error=lifecycle.NO_SAFE_TIME
        )
    return message


def write_chunk(session: Session, context: ImportContext, writes: ChunkWrites) -> None:
    if writes.invited:
        session.execute(update(Contact), writes.invited)
    if writes.seen:
        session.execute(update(Contact), writes.seen)
    if writes.uninvited:
        session.execute(update(Contact), writes.uninvited)
    write_stages(session, writes.stages, is_postgres=context.is_postgres)
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
