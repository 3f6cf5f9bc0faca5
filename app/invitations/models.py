"""Tables for invitations. Personal data lives only, encrypted, in `Contact`."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from app.cell_key import new_record_key
from app.db import new_uuid, utcnow


class InvitationBatch(SQLModel, table=True):
    __tablename__ = "invitation_batch"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    created_by: str = Field(max_length=80)
    created_at: datetime = Field(default_factory=utcnow)
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    skipped: int = 0
    # importing (chunks still arriving; its messages wait), complete, or failed (what it had
    # stored was removed again). See app/invitations/batches.py.
    status: str = Field(
        default="complete", max_length=16, sa_column_kwargs={"server_default": "complete"}
    )
    # The last chunk committed: an import without progress for an hour has died.
    updated_at: datetime | None = None


class Contact(SQLModel, table=True):
    """One phone number or email address, known by a keyed hash across batches.

    The destination itself is encrypted and erased when the last link to it expires; the
    hash stays so that opt-out and cooling-off keep working.
    """

    __tablename__ = "contact"

    id: int | None = Field(default=None, primary_key=True)
    contact_hash: str = Field(max_length=64, unique=True)
    channel: str = Field(max_length=8)
    destination_encrypted: str | None = Field(default=None, max_length=1000)
    # When a message may reach them safely (app/invitations/safe_time.py), from the row that
    # last invited this contact: encrypted, and erased with the destination.
    safe_time_encrypted: str | None = Field(default=None, max_length=1000)
    erase_after: datetime | None = Field(default=None, index=True)
    last_invited_at: datetime | None = None
    # The last batch with a valid row for this contact: finds duplicates within a batch
    # without holding every hash of a 100,000-row import in memory.
    last_batch_id: str | None = Field(default=None, max_length=36)
    # What the last batch replaced, so that a batch whose import fails can be undone exactly
    # (cooling-off must not count an invitation that was never made).
    previous_invited_at: datetime | None = None
    previous_batch_id: str | None = Field(default=None, max_length=36)
    # A keyed mark of the last invitation's case (app/invitations/contacts.py: case_mark), so
    # cooling-off holds only between different cases; erased by purge once cooling-off has
    # passed. It equals no case hash and no ledger key.
    last_case_mark: str | None = Field(default=None, max_length=64)
    previous_case_mark: str | None = Field(default=None, max_length=64)
    opted_out_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Invitation(SQLModel, table=True):
    """One survey link for one touchpoint. Holds no personal data."""

    __tablename__ = "invitation"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    batch_id: str = Field(foreign_key="invitation_batch.id", index=True, max_length=36)
    # Cut (set to None) when the link expires, together with the contact details.
    contact_id: int | None = Field(default=None, foreign_key="contact.id", index=True)
    case_ref_hash: str | None = Field(default=None, max_length=64, index=True)
    crime_group: str = Field(max_length=16, index=True)
    touchpoint: str = Field(max_length=16, index=True)
    touchpoint_date: date
    area: str | None = Field(default=None, max_length=32, index=True)
    language: str = Field(default="en", max_length=35)
    channel: str = Field(max_length=8)  # sms, email, or none (a support service's)
    # direct, or support_service: the service (a key of support_services.yaml) passes it on,
    # and we send nothing ourselves.
    contact_via: str = Field(
        default="direct", max_length=16, sa_column_kwargs={"server_default": "direct"}
    )
    support_service: str | None = Field(default=None, max_length=64)
    # Coarse context that routes the survey's questions; never shown to the victim and never
    # copied to a response (app/banks/context.py).
    outcome: str | None = Field(default=None, max_length=16)
    vcs_eligible: bool | None = None
    # A specialist group's direct invitation only: the day the victim's agreement was recorded,
    # judged again when each message is sent (app/invitations/row_contact.py: consent_current),
    # so agreement that lapses while a message waits stops it. Cut with the contact.
    consent_recorded_on: date | None = None
    # Drawn at import (app/invitations/stage_offer.py): the one module asked (the others' questions
    # are not), None for invitations made before modules were drawn (every module asked); and
    # the questions not asked because an earlier stage of the case was offered them.
    module: str | None = Field(default=None, max_length=64)
    not_asked: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # One of app.invitations.lifecycle.InvitationStatus, written only by that module.
    status: str = Field(default="pending", max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    first_sent_at: datetime | None = None
    expires_at: datetime | None = Field(default=None, index=True)
    delivered_at: datetime | None = None
    opened_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    cancelled_at: datetime | None = None
    # The survey's own state while the link lives (all cut at expiry).
    bank_version_id: int | None = Field(default=None, foreign_key="bank_version.id", index=True)
    survey_language: str | None = Field(default=None, max_length=35)
    resume_at: str | None = Field(default=None, max_length=120)
    response_id: str | None = Field(default=None, foreign_key="response.id", index=True)
    # The survey link (app/invitations/links.py): SHA-256 of its random token, set when the
    # first message is built and kept (the stop link keeps working after the link ends); and
    # the token itself, encrypted, only until the reminder has gone or the link ends.
    link_hash: str | None = Field(default=None, max_length=64, unique=True)
    link_encrypted: str | None = Field(default=None, max_length=255)
    # Disclosure control of the funnel (app.cell_key): random 0-255, never shown.
    record_key: int = Field(
        default_factory=new_record_key,
        # Also a Core default, so bulk inserts (executemany) draw one per row too.
        sa_column_kwargs={"default": new_record_key},
    )


class OutboundMessage(SQLModel, table=True):
    """One message to send (the invitation or its one reminder), claimed by one worker."""

    __tablename__ = "outbound_message"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    invitation_id: str = Field(foreign_key="invitation.id", index=True, max_length=36)
    kind: str = Field(max_length=16)  # invitation, reminder
    # One of app.invitations.lifecycle.MessageStatus (importing, due, claimed, handing_over,
    # sent, failed, skipped, cancelled, review), written only by that module.
    status: str = Field(default="due", max_length=16, index=True)
    due_at: datetime = Field(index=True)
    claimed_at: datetime | None = None
    claimed_by: str | None = Field(default=None, max_length=80)
    # Until then no other worker touches the claim (or, once handing over, the hand-over).
    claim_expires_at: datetime | None = None
    # Committed just before the sender is called: from then on the message may have gone.
    handed_over_at: datetime | None = None
    attempts: int = 0
    sent_at: datetime | None = None
    provider: str | None = Field(default=None, max_length=16)
    provider_id: str | None = Field(default=None, max_length=120, index=True)
    provider_status: str | None = Field(default=None, max_length=40)
    error: str | None = Field(default=None, max_length=200)


class CaseStage(SQLModel, table=True):
    """The case-stage ledger: one row per stage of a case that was invited.

    Keyed by the keyed case hash. It holds no contact detail and no link to an invitation or a
    response; it is kept VV_CASE_LEDGER_MONTHS after the case's last stage
    (app/invitations/stage_ledger.py).
    """

    __tablename__ = "case_stage"
    __table_args__ = (UniqueConstraint("case_hash", "touchpoint"),)

    id: int | None = Field(default=None, primary_key=True)
    case_hash: str = Field(max_length=64, index=True)
    touchpoint: str = Field(max_length=16)
    stage_date: date = Field(index=True)  # the touchpoint date
    invited_on: date
    # When its first message was due: a later stage waits VV_STAGE_GAP_DAYS after it.
    first_due_at: datetime
    # The module set offered: the bank sections asked at this stage, chosen at invitation
    # from the stage's context, never from answers.
    modules: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The question ids offered at this stage: a later stage of the case does not ask them
    # again unless they are `repeat: true` (app/invitations/stage_offer.py). Empty for stages
    # recorded before issue 13.
    questions: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False, server_default=text("'[]'")),
    )


class SkippedCount(SQLModel, table=True):
    """Rows of uploads that were skipped, by reason × crime group × touchpoint × month of the
    upload, with the sum of their record keys (app.cell_key): who was not heard, counted under
    the disclosure control. Empty strings stand for a crime group or touchpoint not known."""

    __tablename__ = "skipped_count"
    __table_args__ = (UniqueConstraint("month", "reason", "crime_group", "touchpoint"),)

    id: int | None = Field(default=None, primary_key=True)
    month: date = Field(index=True)
    reason: str = Field(max_length=32)
    crime_group: str = Field(max_length=16)
    touchpoint: str = Field(max_length=16)
    count: int = 0
    key_sum: int = 0
