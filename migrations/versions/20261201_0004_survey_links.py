"""survey links reveal no answers (issue 9, part 2)

- `in_progress_answer.saved_by`: the survey session that saved an answer; only that session is
  shown the value. Answers saved before this migration have none, so they show as "Answered"
  to every session, as answers saved through the JSON API do.
- `contact_request_filed`: that a link has filed its one "contact me" request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("in_progress_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("saved_by", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
    op.create_table(
        "contact_request_filed",
        sa.Column("invitation_id", sqlmodel.sql.sqltypes.AutoString(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_contact_request_filed_invitation_id_invitation"),
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_contact_request_filed")),
    )


def downgrade() -> None:
    op.drop_table("contact_request_filed")
    with op.batch_alter_table("in_progress_answer", schema=None) as batch_op:
        batch_op.drop_column("saved_by")
