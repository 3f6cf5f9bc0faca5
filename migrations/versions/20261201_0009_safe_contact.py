"""safe contact: the row's safe time and route (issue 11, part 2)

`contact.safe_time_encrypted` holds, encrypted, when a message may reach the victim safely; it
is erased with the destination. `invitation.contact_via` (direct or support_service) and
`invitation.support_service` say how the invitation reaches the victim; existing invitations
were all direct.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "safe_time_encrypted", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True
            )
        )
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "contact_via",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                server_default="direct",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "support_service", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("support_service")
        batch_op.drop_column("contact_via")
    with op.batch_alter_table("contact", schema=None) as batch_op:
        batch_op.drop_column("safe_time_encrypted")
