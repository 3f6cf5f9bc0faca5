"""Retention job: when a link ends, its contact details go and the tie to the response is cut.

After a purge an expired invitation keeps only coarse context (crime group, touchpoint, area,
the months of its dates, status) — enough for the funnel — and nothing that leads to a person
or an answer.
Idempotent: a second run finds nothing to do.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlmodel import Session, col

from app.audit import record as record_event
from app.db import as_utc
from app.db import utcnow as now
from app.handover.models import Handover
from app.invitations import lifecycle
from app.invitations.batches import abandon_stuck_imports
from app.invitations.lifecycle import KEPT_AT_EXPIRY, OUTSTANDING_MESSAGES, InvitationStatus
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.stage_ledger import erase_old_stages
from app.reporting.contact_requests import erase_closed_contact_requests
from app.retention import retention_cutoff
from app.settings import get_settings
from app.survey.models import (
    Answer,
    Comment,
    ContactRequestFiled,
    InProgressAnswer,
    Response,
    SurveySession,
)
from app.survey.session import delete_old_sessions

CHUNK = 1000


@dataclass
class PurgeReport:
    invitations_closed: int = 0
    contacts_erased: int = 0
    in_progress_deleted: int = 0
    responses_deleted: int = 0
    contact_requests_erased: int = 0
    imports_abandoned: int = 0
    survey_sessions_deleted: int = 0
    case_stages_erased: int = 0

    def summary(self) -> str:
        return (
            f"{self.invitations_closed} invitations closed, {self.contacts_erased} contact "
            f"details erased, {self.in_progress_deleted} unfinished answers deleted, "
            f"{self.responses_deleted} responses past retention deleted, "
            f"{self.contact_requests_erased} closed contact requests erased, "
            f"{self.imports_abandoned} stuck imports undone, "
            f"{self.survey_sessions_deleted} ended survey sessions deleted, "
            f"{self.case_stages_erased} case-stage ledger rows erased"
        )


def _finished_invitation_ids(session: Session, at: datetime) -> list[str]:
    """Invitations whose link has ended, or that will never be sent, still holding a tie."""
    holds_tie = or_(
        col(Invitation.contact_id).is_not(None),
        col(Invitation.case_ref_hash).is_not(None),
        col(Invitation.response_id).is_not(None),
    )
    expired = select(col(Invitation.id)).where(
        col(Invitation.expires_at) <= at,
        or_(holds_tie, col(Invitation.status).not_in({InvitationStatus.expired, *KEPT_AT_EXPIRY})),
    )
    outstanding = exists().where(
        col(OutboundMessage.invitation_id) == col(Invitation.id),
        col(OutboundMessage.status).in_(OUTSTANDING_MESSAGES),
    )
    never_sent = select(col(Invitation.id)).where(
        col(Invitation.expires_at).is_(None),
        col(Invitation.first_sent_at).is_(None),
        holds_tie,
        ~outstanding,
    )
    ids = list(session.scalars(expired)) + list(session.scalars(never_sent))
    return sorted(set(ids))


def _close_invitations(session: Session, ids: list[str], report: PurgeReport) -> None:
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        report.in_progress_deleted += int(
            session.execute(
                delete(InProgressAnswer).where(col(InProgressAnswer.invitation_id).in_(chunk))
            ).rowcount  # type: ignore[attr-defined]
            or 0
        )
        session.execute(delete(SurveySession).where(col(SurveySession.invitation_id).in_(chunk)))
        session.execute(
            delete(ContactRequestFiled).where(col(ContactRequestFiled.invitation_id).in_(chunk))
        )
        # Who handed the survey over, and its code, go with the other ties (issue 12).
        session.execute(delete(Handover).where(col(Handover.invitation_id).in_(chunk)))
        lifecycle.skip_unsent(
            session, chunk, reason="expired", statuses=[lifecycle.MessageStatus.due]
        )
        lifecycle.expire(session, chunk)
        session.execute(
            update(Invitation)
            .where(col(Invitation.id).in_(chunk))
            # The link's hash stays (its stop link keeps working); its encrypted copy goes.
            .values(
                contact_id=None,
                case_ref_hash=None,
                response_id=None,
                resume_at=None,
                link_encrypted=None,
                # The agreement's date goes with the contact it was given for.
                consent_recorded_on=None,
            )
        )
        _coarsen_times(session, chunk)
        report.invitations_closed += len(chunk)


# The times an invitation keeps after its link ends: each only to its month, as a response
# keeps only its month. An exact time could be lined up with other records made at that moment
# (a support worker's audited handover, say) to say which worker's client did what.
_KEPT_TIMES = (
    "first_sent_at",
    "expires_at",
    "delivered_at",
    "opened_at",
    "started_at",
    "completed_at",
    "withdrawn_at",
    "cancelled_at",
)


def _month_start(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return as_utc(value).replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _coarsen_times(session: Session, ids: list[str]) -> None:
    """Every kept time of these invitations to the first moment of its month (UTC)."""
    columns = [col(Invitation.id), *(col(getattr(Invitation, name)) for name in _KEPT_TIMES)]
    rows = session.execute(select(*columns).where(col(Invitation.id).in_(ids))).all()
    values = [
        {"id": row[0], **{name: _month_start(row[i + 1]) for i, name in enumerate(_KEPT_TIMES)}}
        for row in rows
    ]
    if values:
        session.execute(update(Invitation), values)


def _erase_unused_contacts(session: Session, report: PurgeReport) -> None:
    in_use = exists().where(col(Invitation.contact_id) == col(Contact.id))
    report.contacts_erased = int(
        session.execute(
            update(Contact)
            .where(
                or_(
                    col(Contact.destination_encrypted).is_not(None),
                    col(Contact.safe_time_encrypted).is_not(None),
                )
            )
            .where(~in_use)
            # The safe time goes with the destination: both say how to reach a person.
            .values(destination_encrypted=None, safe_time_encrypted=None, erase_after=None)
        ).rowcount  # type: ignore[attr-defined]
        or 0
    )


def _apply_retention(session: Session, at: datetime, report: PurgeReport) -> None:
    # Rollup counts stay by design: published aggregates keep their history.
    cutoff = retention_cutoff(at.date(), get_settings().retention_months)
    old = select(col(Response.id)).where(col(Response.month) < cutoff)
    session.execute(
        update(Invitation).where(col(Invitation.response_id).in_(old)).values(response_id=None)
    )
    session.execute(delete(Answer).where(col(Answer.response_id).in_(old)))
    session.execute(delete(Comment).where(col(Comment.month) < cutoff))
    deleted = session.execute(delete(Response).where(col(Response.month) < cutoff))
    report.responses_deleted = int(deleted.rowcount or 0)  # type: ignore[attr-defined]


def _erase_case_stages(session: Session, at: datetime, report: PurgeReport) -> None:
    """The ledger goes VV_CASE_LEDGER_MONTHS after a case's last stage; a contact's mark of its
    last case goes once cooling-off has passed (it decides nothing after that)."""
    settings = get_settings()
    report.case_stages_erased = erase_old_stages(
        session, today=at.date(), months=settings.case_ledger_months
    )
    session.execute(
        update(Contact)
        .where(col(Contact.last_case_mark).is_not(None))
        .where(
            or_(
                col(Contact.last_invited_at).is_(None),
                col(Contact.last_invited_at) <= at - timedelta(days=settings.cooling_off_days),
            )
        )
        .values(last_case_mark=None, previous_case_mark=None)
    )


def purge(session: Session, *, at: datetime | None = None, actor: str = "system") -> PurgeReport:
    """Close ended invitations, erase unused contact details, apply retention; audited."""
    at = at or now()
    report = PurgeReport()
    # Commits on its own (it may remove a whole 100,000-row batch, in chunks).
    report.imports_abandoned = abandon_stuck_imports(session, at=at, actor=actor)
    _close_invitations(session, _finished_invitation_ids(session, at), report)
    # Sessions of links still open, ended or timed out over a day ago: no one can use them again.
    report.survey_sessions_deleted = delete_old_sessions(session, at=at)
    session.flush()
    _erase_unused_contacts(session, report)
    _apply_retention(session, at, report)
    report.contact_requests_erased = erase_closed_contact_requests(session, now=at)
    _erase_case_stages(session, at, report)
    if any(asdict(report).values()):
        record_event(session, actor=actor, action="purge.run", detail=asdict(report))
    session.flush()
    return report
