"""Tables for the survey: progress tied to an invitation, responses tied to nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from app.cell_key import new_record_key
from app.db import new_uuid, utcnow


class SurveySession(SQLModel, table=True):
    """The short-lived session a link is exchanged for; exiting ends it."""

    __tablename__ = "survey_session"

    id: str = Field(primary_key=True, max_length=64)  # SHA-256 of the cookie value
    invitation_id: str = Field(foreign_key="invitation.id", index=True, max_length=36)
    csrf_token: str = Field(max_length=64)
    expires_at: datetime = Field(index=True)
    ended_at: datetime | None = None
    # Started by a support worker at the victim's request (issue 12): the worker sees the answers,
    # every page offers "Answer on my own", and a response sent from it is `assisted`.
    assisted: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class InProgressAnswer(SQLModel, table=True):
    """An answer saved before submit, one row per question so two devices never clash."""

    __tablename__ = "in_progress_answer"
    __table_args__ = (UniqueConstraint("invitation_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    invitation_id: str = Field(foreign_key="invitation.id", index=True, max_length=36)
    question_id: str = Field(max_length=120)
    value: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)
    # The survey session that saved it (its id, the hash of the cookie); None when saved through
    # the JSON API. Only that session is ever shown the value (app/survey/visibility.py).
    saved_by: str | None = Field(default=None, max_length=64)
    # Saved in an assisted session (a support worker helping, issue 12). Kept on the row, not
    # read from the session: "Answer on my own" ends that session and retention deletes it a day
    # on, while the answer stays until submit, and a response holding one is `assisted`.
    assisted: bool = Field(default=False, sa_column_kwargs={"server_default": false()})


class Response(SQLModel, table=True):
    """A submitted survey, with only coarse context (anonymity model)."""

    __tablename__ = "response"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    bank_slug: str = Field(max_length=64, index=True)
    crime_group: str = Field(max_length=16, index=True)
    touchpoint: str = Field(max_length=16, index=True)
    area: str | None = Field(default=None, max_length=32, index=True)
    month: date = Field(index=True)  # first day of the touchpoint's month, nothing finer
    language: str = Field(default="en", max_length=35, index=True)
    assisted: bool = False
    # Disclosure control (app.cell_key): random 0-255, never shown to anyone.
    record_key: int = Field(
        default_factory=new_record_key,
        # Also a Core default, so bulk inserts (executemany) draw one per row too.
        sa_column_kwargs={"default": new_record_key},
    )


class Answer(SQLModel, table=True):
    """One answer code (a `multi` answer gives one row per code; skipped gives code None)."""

    __tablename__ = "answer"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    response_id: str = Field(foreign_key="response.id", index=True, max_length=36)
    question_id: str = Field(max_length=120, index=True)
    code: str | None = Field(default=None, max_length=120)


class Comment(SQLModel, table=True):
    """Free text from a `text` question; shown only redacted, only in large enough groups."""

    __tablename__ = "comment"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    response_id: str = Field(foreign_key="response.id", index=True, max_length=36)
    question_id: str = Field(max_length=120)
    text: str = Field(max_length=5000)
    crime_group: str = Field(max_length=16, index=True)
    touchpoint: str = Field(max_length=16, index=True)
    area: str | None = Field(default=None, max_length=32)
    month: date = Field(index=True)
    quotable: bool = False
    theme: str | None = Field(default=None, max_length=80)


class ContactRequest(SQLModel, table=True):
    """A victim's explicit wish to be contacted, kept apart from any response."""

    __tablename__ = "contact_request"

    id: str = Field(default_factory=new_uuid, primary_key=True, max_length=36)
    details_encrypted: str = Field(max_length=4000)
    crime_group: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, index=True)
    # When the same link last sent new details over these (None: never); shown to the team.
    updated_at: datetime | None = None
    # The details this request held before it was updated, encrypted as a JSON list of
    # {"details", "given_at"}, oldest first (app/survey/contact_me.py keeps at most
    # EARLIER_KEPT): someone else holding the link must not be able to overwrite the victim's
    # safe number unseen. None until the first update. Erased with the row.
    earlier_details_encrypted: str | None = Field(default=None, max_length=16000)
    status: str = Field(default="open", max_length=16, index=True)
    closed_at: datetime | None = None
    closed_by: str | None = Field(default=None, max_length=80)
    erase_after: datetime | None = Field(default=None, index=True)


class ContactRequestFiled(SQLModel, table=True):
    """That an invitation's link has filed its "contact me" request, and which one, encrypted.

    Kept apart from ContactRequest, which names no invitation: only this row, while the link
    lives, can find the request again (its id, encrypted), so that a second request from the
    link updates the first. Deleted with the rest of the link's state (withdrawal, expiry).
    """

    __tablename__ = "contact_request_filed"

    invitation_id: str = Field(foreign_key="invitation.id", primary_key=True, max_length=36)
    # None on rows filed before requests could be updated: a new request is then filed.
    request_ref_encrypted: str | None = Field(default=None, max_length=400)
