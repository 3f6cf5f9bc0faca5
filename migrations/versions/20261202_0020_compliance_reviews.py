"""joint compliance review records and the cross-tab rollup (issue 14, points 1 and 3)

1. `compliance_review`: one row per joint compliance review meeting
   (app.reporting.compliance_reviews).
2. `rollup_crosstab`: the tallies of cross-tabs, a measure by another closed question's answer
   (app.reporting.crosstabs). It starts empty; `victim-voice rollups rebuild` fills the months
   within retention from the answers (older months were purged of their answers, so they have
   no cross-tab figures).

Revision ID: 0020
Revises: 0019 (self_assessment_entries).
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = [
    "question_id",
    "code",
    "by_question",
    "by_code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "month",
    "mode",
]
LOOKUP = ["question_id", "by_question", "bank_version_id", "touchpoint", "crime_group", "month"]


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "compliance_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("bodies", sa.JSON(), nullable=False),
        sa.Column("other_bodies", _text(200), nullable=True),
        sa.Column("decisions", _text(5000), nullable=False),
        sa.Column("rights", sa.JSON(), nullable=False),
        sa.Column("recorded_by", _text(80), nullable=False),
        sa.Column("recorded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_compliance_review_held_on", "compliance_review", ["held_on"])
    op.create_table(
        "rollup_crosstab",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", _text(120), nullable=False),
        sa.Column("code", _text(120), nullable=False),
        sa.Column("by_question", _text(120), nullable=False),
        sa.Column("by_code", _text(120), nullable=False),
        sa.Column("bank_version_id", sa.Integer(), nullable=False),
        sa.Column("crime_group", _text(16), nullable=False),
        sa.Column("touchpoint", _text(16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("mode", _text(16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_version_id"], ["bank_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*KEY, name="uq_rollup_crosstab_key"),
    )
    op.create_index("ix_rollup_crosstab_bank_version_id", "rollup_crosstab", ["bank_version_id"])
    op.create_index("ix_rollup_crosstab_month", "rollup_crosstab", ["month"])
    op.create_index("ix_rollup_crosstab_lookup", "rollup_crosstab", LOOKUP)


def downgrade() -> None:
    op.drop_index("ix_rollup_crosstab_lookup", table_name="rollup_crosstab")
    op.drop_index("ix_rollup_crosstab_month", table_name="rollup_crosstab")
    op.drop_index("ix_rollup_crosstab_bank_version_id", table_name="rollup_crosstab")
    op.drop_table("rollup_crosstab")
    op.drop_index("ix_compliance_review_held_on", table_name="compliance_review")
    op.drop_table("compliance_review")
