"""support workers and handing over surveys (issue 12)

- `staff_user.support_scopes`, `api_key.support_scopes`: the support services a
  `support_worker` acts for;
- `survey_session.assisted`: a session a support worker started at the victim's request;
- `survey_handover`: one row per invitation a support service hands over: the one-time code's
  keyed hash, who recorded the victim's agreement and when.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_TIME = sqlmodel.sql.sqltypes.UTCDateTime


def upgrade() -> None:
    for table in ("staff_user", "api_key"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("support_scopes", sa.JSON(), server_default="[]", nullable=False)
            )
    op.create_table(
        "survey_handover",
        sa.Column("invitation_id", _TEXT(length=36), nullable=False),
        sa.Column("support_service", _TEXT(length=64), nullable=False),
        sa.Column("agreed_by", sa.Integer(), nullable=False),
        sa.Column("agreed_at", _TIME(), nullable=False),
        sa.Column("first_handed_over_at", _TIME(), nullable=False),
        sa.Column("code_hash", _TEXT(length=64), nullable=True),
        sa.Column("code_issued_at", _TIME(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreed_by"], ["staff_user.id"], name=op.f("fk_survey_handover_agreed_by_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_survey_handover_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("invitation_id", name=op.f("pk_survey_handover")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_survey_handover_code_hash")),
    )
    with op.batch_alter_table("survey_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assisted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("survey_handover", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_survey_handover_agreed_by"), ["agreed_by"], unique=False
        )


def downgrade() -> None:
    op.drop_table("survey_handover")
    with op.batch_alter_table("survey_session", schema=None) as batch_op:
        batch_op.drop_column("assisted")
    for table in ("api_key", "staff_user"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("support_scopes")
