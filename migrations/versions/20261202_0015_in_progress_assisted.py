"""in-progress answers saved with help (issue 12, point 3)

`in_progress_answer.assisted`: the answer was saved in an assisted session (a support worker
helping, at the victim's request). A response holding such an answer is `assisted` however it is
sent, also after "Answer on my own": that session ends, and retention deletes it a day on, so
the mark is kept on the answer itself. Existing rows are `false` (the server default); a row
saved by an assisted session before this revision is found through its `saved_by`, while that
session is still stored.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("in_progress_answer", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assisted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.execute(
        sa.text(
            "UPDATE in_progress_answer SET assisted = :yes WHERE saved_by IN "
            "(SELECT id FROM survey_session WHERE assisted = :yes)"
        ).bindparams(yes=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("in_progress_answer", schema=None) as batch_op:
        batch_op.drop_column("assisted")
