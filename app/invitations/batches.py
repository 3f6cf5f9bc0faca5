"""Batch upload: validate rows, de-duplicate contacts, store invitations and their first message.

Rows are streamed and handled in chunks (2,000 at a time) with bulk inserts, so a
100,000-row import needs memory for one chunk, not for the file. Duplicates within a batch
are found through `Contact.last_batch_id` in the database rather than a set in memory.

Each chunk is committed on its own, so that no import holds the database for long: on SQLite,
whose one write lock a victim's saved answer also needs, a 100,000-row import in one
transaction held it for 40 s, past the 30 s busy timeout, and the victim's answer was lost.
Until its last chunk is in, the batch is `importing` and its messages wait in status
`importing`, which dispatch never claims; they become `due` in the same transaction that
makes the batch `complete`. An import that fails is undone (app/invitations/import_undo.py):
at once when the process sees the error, or by `victim-voice purge` once a batch has made no
progress for `STUCK_AFTER` (its process died). The batch is then `failed`, and the same rows
can be sent again as a new batch. Storing one chunk is app/invitations/chunk_store.py.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import as_utc, new_uuid
from app.db import utcnow as now
from app.errors import NotFound
from app.invitations import lifecycle
from app.invitations.batch_input import read_csv_rows, read_csv_text
from app.invitations.chunk_store import ImportContext, prepare, store_chunk
from app.invitations.contacts import configured_quiet_hours
from app.invitations.import_state import CHUNK_SIZE, COMPLETE, IMPORTING, NO_SYNC
from app.invitations.import_undo import abandon_import, abandon_stuck_imports
from app.invitations.models import Invitation, InvitationBatch
from app.invitations.row_contact import ContactRules, configured_rules
from app.invitations.rows import DateWindow, Skipped, ValidRow, validate_row
from app.invitations.scheduling import LONDON
from app.invitations.skip_counts import SkipCell, record_skips, skip_cell
from app.invitations.stage_ledger import STAGE_ALLOCATION, replace_stages
from app.invitations.stage_offer import stage_questions
from app.settings import get_settings

__all__ = [
    "import_rows",
    "read_csv_rows",
    "read_csv_text",
    "batch_status",
    "abandon_import",
    "abandon_stuck_imports",
]

logger = logging.getLogger("victim_voice.invitations")


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
    # Each skipped row's (reason, crime group, touchpoint), counted when the batch is whole.
    skip_cells: list[SkipCell] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "skipped": self.skipped,
        }


def import_rows(
    session: Session,
    rows: Iterable[Any],
    *,
    actor: str,
    source: str,
    chunk_size: int = CHUNK_SIZE,
    on_progress: Callable[[int], None] | None = None,
    contact_rules: ContactRules | None = None,
) -> BatchResult:
    """Validate and store a batch, committing chunk by chunk; returns the upload answer.

    `contact_rules` replaces the deployment's safe-contact rules (the demo's synthetic batch).

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
    today = moment.astimezone(LONDON).date()
    context = ImportContext(
        batch_id=batch_id,
        now=moment,
        cooling_off_since=moment - timedelta(days=settings.cooling_off_days),
        delay_days=settings.dispatch_delay_days,
        quiet=configured_quiet_hours(),
        is_postgres=session.get_bind().dialect.name == "postgresql",
        window=DateWindow(today=today, max_age_days=settings.max_touchpoint_age_days),
        rules=contact_rules or configured_rules(today),
        link_ttl_days=settings.link_ttl_days,
        handover_days=settings.handover_days,
        stage_gap=timedelta(days=settings.stage_gap_days),
        stage_questions=stage_questions(session),
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
    context: ImportContext,
    rows: Iterable[Any],
    result: BatchResult,
    chunk_size: int,
    on_progress: Callable[[int], None] | None,
) -> None:
    # Rows are validated outside any transaction: only storing a chunk holds the database.
    pending: list[tuple[int, ValidRow]] = []
    for index, raw in enumerate(rows):
        result.rows += 1
        outcome = validate_row(raw, context.window, context.rules)
        if isinstance(outcome, Skipped):
            result.skipped.append({"row": index, "reason": outcome.reason})
            result.skip_cells.append(
                skip_cell(outcome.reason, outcome.crime_group, outcome.touchpoint)
            )
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


def _claim_progress(session: Session, context: ImportContext, **values: Any) -> None:
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
    session: Session, context: ImportContext, chunk: list[tuple[int, ValidRow]], result: BatchResult
) -> None:
    prepared = prepare(context, chunk)  # before the transaction: CPU work only
    _claim_progress(session, context)
    stored = store_chunk(session, context, prepared)
    result.accepted += stored.accepted
    result.skipped.extend(stored.skipped)
    result.skip_cells.extend(stored.skip_cells)
    session.execute(
        update(InvitationBatch)
        .where(col(InvitationBatch.id) == context.batch_id)
        .values(**_counts(result)),
        execution_options=NO_SYNC,
    )
    session.commit()


def _complete(
    session: Session, context: ImportContext, result: BatchResult, *, actor: str, source: str
) -> None:
    """Make the batch whole in one transaction: its messages due, its status complete."""
    _claim_progress(session, context, status=COMPLETE, **_counts(result))
    batch_invitations = select(col(Invitation.id)).where(
        col(Invitation.batch_id) == context.batch_id
    )
    lifecycle.release_imported(session, batch_invitations, execution_options=NO_SYNC)
    # Earlier stages a later one replaced end now, once nothing of this batch can be undone.
    replaced = replace_stages(session, context.replaced, at=context.now)
    result.skip_cells.extend(
        skip_cell(STAGE_ALLOCATION, stage.crime_group, stage.touchpoint) for stage in replaced
    )
    record_skips(
        session,
        result.skip_cells,
        month=context.window.today.replace(day=1),
        is_postgres=context.is_postgres,
    )
    record_event(
        session,
        actor=actor,
        action="invitation_batch.upload",
        object_type="invitation_batch",
        object_id=context.batch_id,
        detail={"source": source, **_counts(result)},
    )


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


def _abandon_after_error(session: Session, batch_id: str) -> None:
    """Undo an import that raised, at once; if even that fails, purge undoes it later."""
    try:
        abandon_import(session, batch_id, actor="system", reason="error")
    except Exception:  # noqa: BLE001 - the import's own error is the one to report
        session.rollback()
        logger.warning("could not undo the failed import of batch %s yet", batch_id)
