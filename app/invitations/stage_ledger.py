"""The case-stage ledger: which stages of a case were invited, when, and with which modules.

Keyed by the keyed case hash; no contact detail and no link to an invitation or a response
(docs/outcome-and-timing.md). Kept `VV_CASE_LEDGER_MONTHS` after the case's last stage, then
erased by `victim-voice purge`.

Stages of one case are at least `VV_STAGE_GAP_DAYS` apart (`allocate`):
- a stage already in the ledger, or one earlier in the journey than a stage already there, is
  skipped as `stage_allocation` (the later stage wins; nobody is asked about a stage twice);
- an earlier stage not yet sent whose first message would fall within the gap before the new
  stage's is cancelled (its messages skipped as `stage_allocation`);
- an earlier stage that was sent (or that cannot be cancelled: made in this same batch) makes the
  new one wait until the gap after it has passed.
An earlier stage whose invitation has lost its tie to the case (the link ended) counts as sent at
its first message's due time.

A row a support service passes on is keyed by the case and the service (`service_party`), and
follows the no-repeat rule alone (`passed_on_skips`): a support worker hands its code over in
person, when the client is ready, so the gap between stages is the worker's to judge; it never
cancels a stage and is never cancelled, and its `first_due_at` is its upload time (it has no
message). Its key never meets a direct row's, so a direct row and a service's row of one case
leave each other alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col

from app.db import as_utc
from app.enums import TOUCHPOINTS
from app.invitations import lifecycle
from app.invitations.contacts import service_party, stage_key
from app.invitations.models import CaseStage, Contact, Invitation

STAGE_ALLOCATION = "stage_allocation"


@dataclass
class Stage:
    """One stage of a case as an import sees it."""

    touchpoint: str
    first_due_at: datetime
    sent_at: datetime | None = None
    # An invitation of another batch not sent yet: it may still be cancelled.
    pending_invitation: str | None = None
    crime_group: str | None = None
    # The question ids offered at this stage (the ledger's): not asked again at a later one.
    questions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Allocation:
    skip: bool
    due_at: datetime
    cancel: tuple[Stage, ...] = ()


def allocate(
    stages: Mapping[str, Stage], touchpoint: str, due_at: datetime, gap: timedelta
) -> Allocation:
    """Whether a new stage of a case goes, when at the earliest, and which stages it cancels."""
    if passed_on_skips(stages, touchpoint):
        return Allocation(skip=True, due_at=due_at)
    cancel: list[Stage] = []
    due = due_at
    for stage in stages.values():
        if stage.sent_at is not None:
            due = max(due, as_utc(stage.sent_at) + gap)
        elif stage.pending_invitation is not None and due_at < as_utc(stage.first_due_at) + gap:
            cancel.append(stage)
        else:
            due = max(due, as_utc(stage.first_due_at) + gap)
    return Allocation(skip=False, due_at=due, cancel=tuple(cancel))


def passed_on_skips(stages: Mapping[str, Stage], touchpoint: str) -> bool:
    """Whether a support service's row is skipped: its service already passed on this stage of
    the case, or a later one (`allocate`'s first rule; no gap and no cancelling)."""
    here = TOUCHPOINTS.index(touchpoint)
    return any(TOUCHPOINTS.index(stage.touchpoint) >= here for stage in stages.values())


def lock_passed_on(session: Session, keys: Iterable[str]) -> None:
    """On PostgreSQL, hold the ledger keys of a chunk's support-service rows until it commits.

    Such a row has no contact row to lock, and a stage not in the ledger yet has no ledger row
    to lock either: a transaction-scoped advisory lock on each key (in order, so two chunks
    never wait on each other in a circle) makes two uploads of one service's part in a case
    decided one after the other."""
    for key in sorted(set(keys)):
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key}
        )


def load_stages(
    session: Session, keys: Mapping[str, str], *, batch_id: str, is_postgres: bool
) -> dict[str, dict[str, Stage]]:
    """The ledger of these cases, each stage with what its invitation (if still tied) says.

    A stage this batch made in an earlier chunk is never cancelled by a later row of it: the
    later one waits (the batch already counted it as accepted). `keys` maps each stage key
    of the chunk to its case hash."""
    if not keys:
        return {}
    query = select(CaseStage).where(col(CaseStage.case_hash).in_(sorted(keys)))
    if is_postgres:
        query = query.with_for_update()
    ledger: dict[str, dict[str, Stage]] = {}
    for row in session.scalars(query):
        ledger.setdefault(row.case_hash, {})[row.touchpoint] = Stage(
            touchpoint=row.touchpoint,
            first_due_at=as_utc(row.first_due_at),
            sent_at=as_utc(row.first_due_at),  # until its invitation says otherwise
            questions=tuple(row.questions or ()),
        )
    cases = sorted({keys[key] for key in ledger})
    tied = session.execute(
        select(
            col(Invitation.id),
            col(Invitation.case_ref_hash),
            col(Contact.contact_hash),
            col(Invitation.touchpoint),
            col(Invitation.crime_group),
            col(Invitation.status),
            col(Invitation.first_sent_at),
            col(Invitation.batch_id),
        )
        .join(Contact, col(Contact.id) == col(Invitation.contact_id))
        .where(col(Invitation.case_ref_hash).in_(cases))
        .where(col(Invitation.status) != lifecycle.InvitationStatus.cancelled)
    )
    for inv_id, case, digest, touchpoint, crime_group, status, first_sent_at, batch in tied:
        stage = ledger.get(stage_key(case, digest), {}).get(touchpoint)
        if stage is None:
            continue
        stage.crime_group = crime_group
        if first_sent_at is not None:
            stage.sent_at = as_utc(first_sent_at)
        elif status == lifecycle.InvitationStatus.pending:
            stage.sent_at = None
            stage.pending_invitation = inv_id if batch != batch_id else None
    return ledger


def write_stages(session: Session, added: list[dict[str, Any]], *, is_postgres: bool) -> None:
    """Insert a chunk's new stages (a stage a concurrent upload has just added stays its)."""
    if added:
        dialect_insert = pg_insert if is_postgres else sqlite_insert
        table = CaseStage.__table__  # type: ignore[attr-defined]
        session.execute(
            dialect_insert(table).on_conflict_do_nothing(
                index_elements=["case_hash", "touchpoint"]
            ),
            added,
        )


def replace_stages(
    session: Session, replaced: Iterable[tuple[str, Stage]], *, at: datetime
) -> list[Stage]:
    """Cancel the earlier stages a later one took the place of, when the batch is whole: their
    invitations, if still unsent, end `cancelled` (messages skipped as `stage_allocation`) and
    their ledger rows go. Returns the stages actually cancelled (to count as skipped)."""
    done: list[Stage] = []
    for case_hash, stage in replaced:
        if stage.pending_invitation is None:
            continue
        lifecycle.skip_unsent(session, [stage.pending_invitation], reason=STAGE_ALLOCATION)
        if lifecycle.cancel_unsent(session, [stage.pending_invitation], at=at):
            session.execute(
                delete(CaseStage).where(
                    col(CaseStage.case_hash) == case_hash,
                    col(CaseStage.touchpoint) == stage.touchpoint,
                )
            )
            done.append(stage)
    return done


def forget_stages_of(session: Session, invitation_ids: Any) -> None:
    """Remove the ledger rows of invitations an undone import made (before they go), a
    support service's too."""
    made = session.execute(
        select(
            col(Invitation.case_ref_hash),
            col(Contact.contact_hash),
            col(Invitation.support_service),
            col(Invitation.touchpoint),
        )
        .outerjoin(Contact, col(Contact.id) == col(Invitation.contact_id))
        .where(col(Invitation.id).in_(invitation_ids))
        .where(col(Invitation.case_ref_hash).is_not(None))
    ).all()
    pairs = [
        (stage_key(case, digest or service_party(service or "")), touchpoint)
        for case, digest, service, touchpoint in made
        if digest or service
    ]
    forget_stages(session, pairs)


def forget_stages(session: Session, pairs: list[tuple[str, str]]) -> None:
    """Remove these ledger rows (key, touchpoint)."""
    for start in range(0, len(pairs), 500):
        session.execute(
            delete(CaseStage).where(
                tuple_(col(CaseStage.case_hash), col(CaseStage.touchpoint)).in_(
                    pairs[start : start + 500]
                )
            ),
            execution_options={"synchronize_session": False},
        )


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    last_day = 31
    while True:
        try:
            return date(year, month + 1, min(day.day, last_day))
        except ValueError:
            last_day -= 1


def erase_old_stages(session: Session, *, today: date, months: int) -> int:
    """Erase every case whose last stage is more than `months` before `today`; rows erased."""
    cutoff = _months_before(today, months)
    old_cases = (
        select(col(CaseStage.case_hash))
        .group_by(col(CaseStage.case_hash))
        .having(func.max(col(CaseStage.stage_date)) < cutoff)
    )
    result = session.execute(delete(CaseStage).where(col(CaseStage.case_hash).in_(old_cases)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
