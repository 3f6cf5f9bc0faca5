"""Tables for question banks, their immutable versions, and live support services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.db import utcnow as now


class QuestionBank(SQLModel, table=True):
    __tablename__ = "question_bank"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    created_at: datetime = Field(default_factory=now)


class BankVersion(SQLModel, table=True):
    """One version of a bank. Once published its document never changes."""

    __tablename__ = "bank_version"
    __table_args__ = (UniqueConstraint("bank_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="question_bank.id", index=True)
    version: int
    status: str = Field(max_length=16, index=True)  # draft, in_review, published, retired
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    source: str = Field(max_length=16)  # "file" (banks load) or "service" (partner editing)
    change_note: str = Field(default="", max_length=2000)
    created_by: str = Field(max_length=80)
    last_edited_by: str = Field(max_length=80)
    approved_by: str | None = Field(default=None, max_length=80)
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)
    published_at: datetime | None = None


class BankVersionContributor(SQLModel, table=True):
    """Someone who changed a version's content at least once (two-person rule).

    Kept for the version's whole history, so reverting an edit or saving another's draft again
    unchanged never clears it. `contributor` is "user:<id>" for a person (by session or by a key
    bound to them) or "key:<prefix>" for an unbound key (which can never approve anyway).
    """

    __tablename__ = "bank_version_contributor"
    __table_args__ = (UniqueConstraint("bank_version_id", "contributor"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True, ondelete="CASCADE")
    contributor: str = Field(max_length=80)
    first_changed_at: datetime = Field(default_factory=now)


class BankContentAuthor(SQLModel, table=True):
    """Who wrote one exact piece of a bank's content (a question, a section, a bank field),
    wherever it was saved, so words copied into another draft keep their author (two-person
    rule; app/banks/provenance.py cuts a document into these pieces)."""

    __tablename__ = "bank_content_author"
    __table_args__ = (UniqueConstraint("bank_id", "unit_hash", "author"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_id: int = Field(foreign_key="question_bank.id", ondelete="CASCADE")
    unit_hash: str = Field(max_length=64)
    author: str = Field(max_length=80)  # "user:<id>", as BankVersionContributor.contributor
    first_written_at: datetime = Field(default_factory=now)


class SupportService(SQLModel, table=True):
    """Live signposting data: a corrected helpline number shows at once, in every bank."""

    __tablename__ = "support_service"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=80, unique=True)  # stable id from the seed file
    crime_group: str | None = Field(default=None, max_length=16, index=True)  # None: all
    area: str | None = Field(default=None, max_length=32, index=True)  # None: every area
    name: str = Field(max_length=200)
    helps_with: str = Field(max_length=500)
    phone: str = Field(default="", max_length=40)
    hours: str = Field(default="", max_length=200)
    website: str = Field(default="", max_length=300)
    sort_order: int = 0
    updated_at: datetime = Field(default_factory=now)


class QuestionSignoff(SQLModel, table=True):
    """A partner's sign-off of one wording of one question marked `review: pending`, recorded
    by an approver (app/banks/signoff.py). It releases the question in every version of the
    bank whose question has this wording hash; a rewording needs a sign-off of its own."""

    __tablename__ = "question_signoff"
    __table_args__ = (UniqueConstraint("bank_slug", "question_id", "wording_hash"),)

    id: int | None = Field(default=None, primary_key=True)
    bank_slug: str = Field(max_length=64)
    question_id: str = Field(max_length=64)
    # sha256 of the question's English text, hint and options (signoff.wording_hash).
    wording_hash: str = Field(max_length=64)
    partner: str = Field(max_length=200)  # the partner organisation that reviewed it
    signed_off_by: str = Field(max_length=80)  # "user:<id>" of the approver, or "demo"
    signed_off_at: datetime = Field(default_factory=now)
