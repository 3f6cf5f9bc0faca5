"""the action log: what prompted an action, its owner, status, due date and effect periods

Issue 15, point 1. `published_action` gains the right(s) and metric(s) an action answers, the
finding that prompted it, an owner (a team, not a person) and agency, a status (planned,
in_progress, done), a due date, and the report periods of its figure before and after. A
statement published before this is `done`: it was shown to victims as something done.

Revision ID: 0023
Revises: 0022 (the lead re-chains at merge if needed).
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _text(length: int) -> sqlmodel.sql.sqltypes.AutoString:
    return sqlmodel.sql.sqltypes.AutoString(length=length)


def upgrade() -> None:
    with op.batch_alter_table("published_action") as batch_op:
        batch_op.add_column(sa.Column("status", _text(16), nullable=False, server_default="done"))
        batch_op.add_column(sa.Column("rights", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("metrics", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("finding", _text(1000), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("owner", _text(120), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("agency", _text(16), nullable=True))
        batch_op.add_column(sa.Column("due_date", sa.Date(), nullable=True))
        for name in ("before_from", "before_to", "after_from", "after_to"):
            batch_op.add_column(sa.Column(name, _text(7), nullable=True))
        batch_op.add_column(sa.Column("updated_by", _text(80), nullable=True))
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.create_index("ix_published_action_status", ["status"])


def downgrade() -> None:
    with op.batch_alter_table("published_action") as batch_op:
        batch_op.drop_index("ix_published_action_status")
        for name in (
            "updated_at",
            "updated_by",
            "after_to",
            "after_from",
            "before_to",
            "before_from",
            "due_date",
            "agency",
            "owner",
            "finding",
            "metrics",
            "rights",
            "status",
        ):
            batch_op.drop_column(name)
