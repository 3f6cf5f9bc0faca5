"""comments checked by a person before release (issue 9, part 7)

`comment_check` holds, for each comment of a released cell, the language detected and
whether a person must check it before analysts read it; for a held comment, the checker's
decision (released or withheld), who made it and when. Rows go with their comment
(ON DELETE CASCADE: withdrawal and retention delete comments in bulk).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment_check",
        sa.Column("comment_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=35), nullable=False),
        sa.Column("needs_check", sa.Boolean(), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("checked_by", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("classified_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comment.id"],
            name=op.f("fk_comment_check_comment_id_comment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", name=op.f("pk_comment_check")),
    )
    with op.batch_alter_table("comment_check", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_check_needs_check"), ["needs_check"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("comment_check", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_check_needs_check"))
    op.drop_table("comment_check")
