"""an updated "contact me" request keeps the details given before (issue 12, point 6)

`contact_request.earlier_details_encrypted`: the details the request held before a second
request from the same link replaced them, encrypted as a JSON list of {"details", "given_at"}
(at most three: the first, and the two most recent before the latest), so the victims team sees
both and checks with the victim before using a changed number. Null until the first update.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "earlier_details_encrypted",
                sqlmodel.sql.sqltypes.AutoString(length=16000),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.drop_column("earlier_details_encrypted")
