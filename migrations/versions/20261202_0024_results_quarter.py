"""results_quarter: the frozen figures of the public results page (issue 15, point 2)

One row per closed quarter (app.reporting.results_freeze), written once when the quarter
closes and never recomputed.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "results_quarter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quarter", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("frozen_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("quarter", name="uq_results_quarter_quarter"),
    )


def downgrade() -> None:
    op.drop_table("results_quarter")
