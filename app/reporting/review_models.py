"""Tables of issue 14's compliance evidence: joint review meeting records, and the cross-tab
rollup (app.reporting.crosstabs)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app import clock


class ComplianceReview(SQLModel, table=True):
    """One joint compliance review meeting: who was there, what was decided, which rights."""

    __tablename__ = "compliance_review"

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    bodies: list[str] = Field(sa_column=Column(JSON, nullable=False))  # fixed list, see service
    other_bodies: str | None = Field(default=None, max_length=200)  # e.g. a named charity
    decisions: str = Field(max_length=5000)
    rights: list[int] = Field(sa_column=Column(JSON, nullable=False))  # 1-12, sorted
    recorded_by: str = Field(max_length=80)
    recorded_at: datetime = Field(default_factory=lambda: clock.now())


# One cross-tab rollup row per combination of these (see app.reporting.crosstabs).
CROSSTAB_KEY = (
    "question_id",
    "code",
    "by_question",
    "by_code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "month",
    "mode",
)


class RollupCrosstab(SQLModel, table=True):
    """How many responses that gave `by_code` to the closed question `by_question` gave `code`
    to a question feeding a measure (or a derived right answer), per coarse context (no area,
    no language), with the sum of their record keys."""

    __tablename__ = "rollup_crosstab"
    __table_args__ = (
        UniqueConstraint(*CROSSTAB_KEY, name="uq_rollup_crosstab_key"),
        Index(
            "ix_rollup_crosstab_lookup",
            "question_id",
            "by_question",
            "bank_version_id",
            "touchpoint",
            "crime_group",
            "month",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(max_length=120)
    code: str = Field(max_length=120)
    by_question: str = Field(max_length=120)
    by_code: str = Field(max_length=120)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    crime_group: str = Field(max_length=16)
    touchpoint: str = Field(max_length=16)
    month: date = Field(index=True)
    mode: str = Field(max_length=16)
    count: int = 0
    key_sum: int = 0  # sum of the counted responses' record keys, mod 256
