"""modules drawn per invitation, the repeat rule over the ledger, partner sign-off (issue 13)

- `invitation.module`: the module drawn at import (None: made before modules were drawn, so
  every module is asked); `invitation.not_asked`: question ids not asked because an earlier
  stage of the case was offered them;
- `case_stage.questions`: the question ids offered at that stage ('[]' for older stages);
- `question_signoff`: a partner's sign-off of one wording of a question marked
  `review: pending`, recorded by an approver.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("module", _TEXT(length=64), nullable=True))
        batch_op.add_column(sa.Column("not_asked", sa.JSON(), nullable=True))
    with op.batch_alter_table("case_stage", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("questions", sa.JSON(), nullable=False, server_default=sa.text("'[]'"))
        )
    op.create_table(
        "question_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_slug", _TEXT(length=64), nullable=False),
        sa.Column("question_id", _TEXT(length=64), nullable=False),
        sa.Column("wording_hash", _TEXT(length=64), nullable=False),
        sa.Column("partner", _TEXT(length=200), nullable=False),
        sa.Column("signed_off_by", _TEXT(length=80), nullable=False),
        sa.Column("signed_off_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_signoff")),
        sa.UniqueConstraint(
            "bank_slug",
            "question_id",
            "wording_hash",
            name=op.f("uq_question_signoff_bank_slug_question_id_wording_hash"),
        ),
    )


def downgrade() -> None:
    op.drop_table("question_signoff")
    with op.batch_alter_table("case_stage", schema=None) as batch_op:
        batch_op.drop_column("questions")
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("not_asked")
        batch_op.drop_column("module")
