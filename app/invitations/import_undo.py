"""Undoing an import that did not finish: its invitations, messages and contact marks go.

An import that fails is undone at once when its process sees the error, or by
`victim-voice purge` once a batch has made no progress for `STUCK_AFTER` (its process died).
The batch is then `failed`, and the same rows can be sent again as a new batch.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, exists, select, update
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import utcnow as now
from app.invitations.import_state import CHUNK_SIZE, FAILED, IMPORTING, NO_SYNC
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.invitations.stage_ledger import forget_stages_of

__all__ = ["STUCK_AFTER", "abandon_import", "abandon_stuck_imports"]

# A batch still `importing` with no chunk committed for this long has lost its process.
STUCK_AFTER = timedelta(hours=1)


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
        forget_stages_of(session, ids)
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
            last_case_mark=col(Contact.previous_case_mark),
            previous_batch_id=None,
            previous_invited_at=None,
            previous_case_mark=None,
        ),
        execution_options=NO_SYNC,
    )


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
