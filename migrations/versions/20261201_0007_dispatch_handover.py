"""dispatch hand-over apart from the claim (issue 9, parts 6-7)

Placeholder reserved so that parallel work keeps one linear history; it changes nothing until
its part lands.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from collections.abc import Sequence

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
