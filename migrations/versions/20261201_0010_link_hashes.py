"""survey links as a random token stored only as its hash (issue 11, point 4)

`invitation.link_hash` (SHA-256 of a 101-bit random token, unique) finds the invitation of a
link; `invitation.link_encrypted` holds the token, encrypted, only until the reminder has gone
or the link ends.

Migration note: links sent before this revision were signed tokens naming the invitation id;
they are not read any more and answer 404. The service is pre-release, so no invitation in
flight is expected; a deployment with some should let them expire before upgrading.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("link_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("link_encrypted", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True)
        )
        batch_op.create_unique_constraint(batch_op.f("uq_invitation_link_hash"), ["link_hash"])


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_invitation_link_hash"), type_="unique")
        batch_op.drop_column("link_encrypted")
        batch_op.drop_column("link_hash")
