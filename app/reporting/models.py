"""Tables for aggregates: rollup counts, self-assessments, "you said, we did"."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from app import clock
from app.enums import Mode

# One rollup row per combination of these (see app.reporting.rollups).
ROLLUP_KEY = (
    "question_id",
    "code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "area",
    "month",
    "language",
    "mode",
)


class RollupCount(SQLModel, table=True):
    """How many responses gave `code` to `question_id`, per coarse context, and the sum of
    their record keys. Rows with question id `*` count responses themselves.

    Kept in the same transaction as submit and withdraw, so aggregates cost in proportion
    to the cells they return, not to the number of responses.
    """

    __tablename__ = "rollup_count"
    __table_args__ = (
        UniqueConstraint(*ROLLUP_KEY, name="uq_rollup_count_key"),
        # The aggregates' access path, covering: question, then the level (language "*" marks
        # the coarse rows), then what they filter and group on, and the count itself.
        Index(
            "ix_rollup_count_lookup",
            "question_id",
            "language",
            "bank_version_id",
            "touchpoint",
            "crime_group",
            "month",
            "area",
            "mode",
            "code",
            "count",
            "key_sum",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(max_length=120, index=True)
    code: str = Field(max_length=120)  # "" for skipped
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    crime_group: str = Field(max_length=16, index=True)
    touchpoint: str = Field(max_length=16, index=True)
    area: str = Field(default="", max_length=32, index=True)  # "" when unknown
    month: date = Field(index=True)
    language: str = Field(default="en", max_length=35, index=True)
    # "self" or "assisted" (app.enums.Mode), from Response.assisted. Coarse rows keep it too.
    mode: str = Field(
        default=Mode.alone.value,
        max_length=16,
        sa_column_kwargs={"server_default": Mode.alone.value},
    )
    count: int = 0
    # Sum of the counted responses' record keys, mod 256: the cell key of the row's records.
    key_sum: int = 0


# One characteristic rollup row per combination of these (see app.reporting.characteristics).
CHARACTERISTIC_KEY = (
    "question_id",
    "code",
    "characteristic",
    "characteristic_code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "month",
    "mode",
)


class RollupCharacteristic(SQLModel, table=True):
    """How many responses that gave `characteristic_code` to an equality question gave `code`
    to a question feeding a measure (or a derived right answer), per coarse context (no area,
    no language), and the sum of their record keys: the equality dimensions' tallies."""

    __tablename__ = "rollup_characteristic"
    __table_args__ = (
        UniqueConstraint(*CHARACTERISTIC_KEY, name="uq_rollup_characteristic_key"),
        Index(
            "ix_rollup_characteristic_lookup",
            "question_id",
            "characteristic",
            "bank_version_id",
            "touchpoint",
            "crime_group",
            "month",
            "mode",
            "characteristic_code",
            "code",
            "count",
            "key_sum",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    question_id: str = Field(max_length=120)
    code: str = Field(max_length=120)
    characteristic: str = Field(max_length=16)  # age_band, sex, disability or ethnicity
    characteristic_code: str = Field(max_length=120)
    bank_version_id: int = Field(foreign_key="bank_version.id", index=True)
    crime_group: str = Field(max_length=16)
    touchpoint: str = Field(max_length=16)
    month: date = Field(index=True)
    mode: str = Field(max_length=16)
    count: int = 0
    key_sum: int = 0  # sum of the counted responses' record keys, mod 256


class SelfAssessment(SQLModel, table=True):
    """The force's own view of its compliance with one right in one quarter."""

    __tablename__ = "self_assessment"
    __table_args__ = (UniqueConstraint("period", "right"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)  # 2026-Q3
    right: int
    rate: float
    uploaded_by: str = Field(max_length=80)
    uploaded_at: datetime = Field(default_factory=lambda: clock.now())


class SelfAssessmentEntry(SQLModel, table=True):
    """An agency's own figure for one right in one quarter, optionally for one crime group
    (issue 14): a numerator over a denominator with its definition and method, so the
    comparison with victims has a base, and a RAG rating with the narrative behind it."""

    __tablename__ = "self_assessment_entry"
    __table_args__ = (
        UniqueConstraint(
            "period", "right", "agency", "crime_group", name="uq_self_assessment_entry_key"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)  # 2026-Q3
    right: int
    agency: str = Field(max_length=16)  # police, witness_care, cps, courts or probation
    # "" for every crime group: a unique key treats NULLs as distinct, "" it does not.
    crime_group: str = Field(default="", max_length=16)
    numerator: int
    denominator: int
    definition: str = Field(max_length=1000)
    method: str = Field(max_length=1000)
    rag: str = Field(max_length=5)  # red, amber or green
    narrative: str = Field(default="", max_length=4000)
    uploaded_by: str = Field(max_length=80)
    uploaded_at: datetime = Field(default_factory=lambda: clock.now())


class PublishedAction(SQLModel, table=True):
    """A "you said, we did" action: what was done, what prompted it, who owns it, and the
    periods its effect is measured over (app.reporting.actions, action_effects)."""

    __tablename__ = "published_action"

    id: int | None = Field(default=None, primary_key=True)
    crime_group: str | None = Field(default=None, max_length=16, index=True)
    text: str = Field(max_length=1000)
    published_by: str = Field(max_length=80)
    published_at: datetime = Field(default_factory=lambda: clock.now(), index=True)
    # Issue 15: the action log. A statement published before it had these is `done` (it was
    # shown to victims as something done), with nothing linked.
    status: str = Field(
        default="done", max_length=16, index=True, sa_column_kwargs={"server_default": "done"}
    )
    rights: list[int] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    metrics: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    finding: str = Field(default="", max_length=1000, sa_column_kwargs={"server_default": ""})
    owner: str = Field(default="", max_length=120, sa_column_kwargs={"server_default": ""})
    agency: str | None = Field(default=None, max_length=16)
    due_date: date | None = Field(default=None)
    # Report periods (YYYY-MM or YYYY-Qn, inclusive) of the figures before and after.
    before_from: str | None = Field(default=None, max_length=7)
    before_to: str | None = Field(default=None, max_length=7)
    after_from: str | None = Field(default=None, max_length=7)
    after_to: str | None = Field(default=None, max_length=7)
    updated_by: str | None = Field(default=None, max_length=80)
    updated_at: datetime | None = Field(default=None)
