"""self-assessment entries: an agency's figure per right, quarter and crime group (issue 14)

The force (and later other agencies) records its own figure per right × agency × quarter,
optionally per crime group, as a numerator over a denominator with its definition, method, a
RAG rating and a narrative. The old `self_assessment` table (a bare rate per right) stays: the
API still takes `{"rights": {...}}`, and the comparison falls back to it where no entry exists.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    op.create_table(
        "self_assessment_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", _text(7), nullable=False),
        sa.Column("right", sa.Integer(), nullable=False),
        sa.Column("agency", _text(16), nullable=False),
        sa.Column("crime_group", _text(16), nullable=False),
        sa.Column("numerator", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=False),
        sa.Column("definition", _text(1000), nullable=False),
        sa.Column("method", _text(1000), nullable=False),
        sa.Column("rag", _text(5), nullable=False),
        sa.Column("narrative", _text(4000), nullable=False),
        sa.Column("uploaded_by", _text(80), nullable=False),
        sa.Column("uploaded_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment_entry")),
        sa.UniqueConstraint(
            "period", "right", "agency", "crime_group", name="uq_self_assessment_entry_key"
        ),
    )
    with op.batch_alter_table("self_assessment_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_self_assessment_entry_period"), ["period"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("self_assessment_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_assessment_entry_period"))
    op.drop_table("self_assessment_entry")
