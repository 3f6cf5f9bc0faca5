"""outcome and timing, and the case-stage ledger (issue 11, points 5 and 6)

- `invitation.outcome`, `invitation.vcs_eligible`: the coarse context that routes questions;
- `contact.last_case_mark`, `contact.previous_case_mark`: cooling-off holds only between
  different cases of one contact;
- `case_stage`: the ledger of stages invited per keyed case hash (no contact, no response);
- `skipped_count`: skipped upload rows by reason × crime group × touchpoint × month, with
  their record keys' sum, for the disclosure-controlled aggregate.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome", _TEXT(length=16), nullable=True))
        batch_op.add_column(sa.Column("vcs_eligible", sa.Boolean(), nullable=True))
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_case_mark", _TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column("previous_case_mark", _TEXT(length=64), nullable=True))
    op.create_table(
        "case_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_hash", _TEXT(length=64), nullable=False),
        sa.Column("touchpoint", _TEXT(length=16), nullable=False),
        sa.Column("stage_date", sa.Date(), nullable=False),
        sa.Column("invited_on", sa.Date(), nullable=False),
        sa.Column("first_due_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("modules", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_stage")),
        sa.UniqueConstraint(
            "case_hash", "touchpoint", name=op.f("uq_case_stage_case_hash_touchpoint")
        ),
    )
    with op.batch_alter_table("case_stage", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_stage_case_hash"), ["case_hash"], unique=False)
        batch_op.create_index(batch_op.f("ix_case_stage_stage_date"), ["stage_date"], unique=False)
    op.create_table(
        "skipped_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("reason", _TEXT(length=32), nullable=False),
        sa.Column("crime_group", _TEXT(length=16), nullable=False),
        sa.Column("touchpoint", _TEXT(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skipped_count")),
        sa.UniqueConstraint(
            "month",
            "reason",
            "crime_group",
            "touchpoint",
            name=op.f("uq_skipped_count_month_reason_crime_group_touchpoint"),
        ),
    )
    with op.batch_alter_table("skipped_count", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_skipped_count_month"), ["month"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("skipped_count", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_skipped_count_month"))
    op.drop_table("skipped_count")
    with op.batch_alter_table("case_stage", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_stage_stage_date"))
        batch_op.drop_index(batch_op.f("ix_case_stage_case_hash"))
    op.drop_table("case_stage")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("previous_case_mark")
        batch_op.drop_column("last_case_mark")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("vcs_eligible")
        batch_op.drop_column("outcome")
