"""a specialist invitation keeps its agreement's date, judged again at send (issue 11, point 2)

`invitation.consent_recorded_on`: the day a specialist group's direct row recorded the victim's
agreement. Dispatch skips a message (`no_consent`) once it is older than
VV_CONSENT_MAX_AGE_DAYS on the day of sending; purge and opt-out erase it with the contact.
Invitations made before this revision have none, so their messages are not sent: agreement
that cannot be checked is not assumed.

Revision ID: 0021
Revises: 0020 (compliance_reviews).
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consent_recorded_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("invitation", schema=None) as batch_op:
        batch_op.drop_column("consent_recorded_on")
