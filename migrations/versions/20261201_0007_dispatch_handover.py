"""dispatch hand-over apart from the claim (issue 9, part 6)

A claim now runs out (`claim_expires_at`), and a message is marked `handing_over` (with
`handed_over_at`) in its own committed step just before the sender is called. A `claimed`
message therefore never reached a sender and is claimed again when its claim runs out; only a
`handing_over` one left behind goes to review.

Claims made before this migration cannot tell the two apart (the old code called the sender
while the message was `claimed`), so they become hand-overs that have already run out: the
next dispatch run holds them for review, as the old code would have.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("claim_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(
            sa.Column("handed_over_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )
    op.execute(
        "UPDATE outbound_message SET status = 'handing_over', handed_over_at = claimed_at, "
        "claim_expires_at = claimed_at WHERE status = 'claimed'"
    )


def downgrade() -> None:
    # The old code holds a stale `claimed` message for review, which is what a hand-over needs.
    op.execute("UPDATE outbound_message SET status = 'claimed' WHERE status = 'handing_over'")
    with op.batch_alter_table("outbound_message", schema=None) as batch_op:
        batch_op.drop_column("handed_over_at")
        batch_op.drop_column("claim_expires_at")
