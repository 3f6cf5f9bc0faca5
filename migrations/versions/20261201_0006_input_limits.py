"""hostile input and batch import in chunks (issue 9, part 3)

A batch is imported chunk by chunk, each committed on its own: `invitation_batch.status`
(importing, complete, failed; existing batches are complete) and `updated_at` (the last chunk),
and on `contact` the values the last batch replaced, so that a failed import can be undone.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation_batch", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default="complete",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("previous_invited_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "previous_batch_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("previous_batch_id")
        batch_op.drop_column("previous_invited_at")
    with op.batch_alter_table("invitation_batch", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("status")
