"""a second "contact me" request from a link updates the first (issue 12, point 6)

- `contact_request.updated_at`: when the same link last sent new details (shown to the team);
- `contact_request_filed.request_ref_encrypted`: the id of the link's request, encrypted, so
  that only the link's own state (erased with it) finds the request again.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    with op.batch_alter_table("contact_request_filed", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "request_ref_encrypted",
                sqlmodel.sql.sqltypes.AutoString(length=400),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_request_filed", schema=None) as batch_op:
        batch_op.drop_column("request_ref_encrypted")
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
