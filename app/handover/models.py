"""The record of a handover: one row per invitation a support service handed over."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class Handover(SQLModel, table=True):
    """Who recorded the victim's agreement and when, and the current one-time code's keyed hash.

    Kept only while the link lives: purge deletes it with the invitation's other ties
    (app/jobs/retention.py). Never in the audit trail, which names only the service and month.
    """

    __tablename__ = "survey_handover"

    invitation_id: str = Field(
        primary_key=True, foreign_key="invitation.id", max_length=36, ondelete="CASCADE"
    )
    support_service: str = Field(max_length=64)
    # The staff user who recorded the victim's agreement, and when (the latest handover).
    agreed_by: int = Field(foreign_key="staff_user.id", index=True)
    agreed_at: datetime
    first_handed_over_at: datetime
    # HMAC of the current code (app/handover/codes.py); None once used. A new code replaces it.
    code_hash: str | None = Field(default=None, max_length=64, unique=True)
    code_issued_at: datetime | None = None
