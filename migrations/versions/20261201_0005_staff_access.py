"""staff access: atomic throttling, TOTP steps, bound keys (issue 9, parts 4-5)

- login_throttle replaces login_attempt: one row per throttled subject, written by atomic
  conditional updates (app/auth/throttle.py). Attempts counted under the old scheme are not
  carried over: they only ever counted for fifteen minutes.
- api_key.user_id binds a key to a named user (only a bound key may approve a bank version).
- staff_user.language_scopes: the languages whose translations a user may approve.
- bank_version_contributor: everyone who changed a version's content (two-person rule). Open
  drafts are filled from what is known: their author, their last editor, and every actor of a
  recorded create or update (each counted as a change, to be safe).
- bank_content_author: who wrote each piece of a bank's content, so words copied into another
  draft keep their author. It starts empty: pieces saved before this migration are covered by
  their own draft's contributors only.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "('draft', 'in_review')"
BACKFILL_CONTRIBUTORS = f"""
INSERT INTO bank_version_contributor (bank_version_id, contributor, first_changed_at)
SELECT version_id, who, changed_at FROM (
    SELECT id AS version_id, created_by AS who, updated_at AS changed_at
    FROM bank_version WHERE status IN {OPEN}
    UNION
    SELECT id, last_edited_by, updated_at FROM bank_version WHERE status IN {OPEN}
    UNION
    SELECT bv.id, ae.actor, bv.updated_at
    FROM audit_event ae
    JOIN question_bank qb ON ae.object_id LIKE qb.slug || ':%'
    JOIN bank_version bv
      ON bv.bank_id = qb.id AND ae.object_id = qb.slug || ':' || CAST(bv.version AS VARCHAR(20))
    WHERE ae.object_type = 'bank_version'
      AND ae.action IN ('bank.draft_create', 'bank.draft_update')
      AND bv.status IN {OPEN}
) AS contributions
"""


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("subject_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("blocked_until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("subject_hash", name=op.f("pk_login_throttle")),
    )
    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_throttle_last_failure_at"), ["last_failure_at"], unique=False
        )

    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_attempt_attempted_at"))
        batch_op.drop_index(batch_op.f("ix_login_attempt_subject_hash"))
    op.drop_table("login_attempt")

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_key_user_id"), ["user_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_key_user_id_staff_user"), "staff_user", ["user_id"], ["id"]
        )

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language_scopes", sa.JSON(), server_default="[]", nullable=False)
        )

    op.create_table(
        "bank_version_contributor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_version_id", sa.Integer(), nullable=False),
        sa.Column("contributor", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("first_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_version_id"],
            ["bank_version.id"],
            name=op.f("fk_bank_version_contributor_bank_version_id_bank_version"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_version_contributor")),
        sa.UniqueConstraint(
            "bank_version_id",
            "contributor",
            name=op.f("uq_bank_version_contributor_bank_version_id_contributor"),
        ),
    )
    with op.batch_alter_table("bank_version_contributor", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_version_contributor_bank_version_id"),
            ["bank_version_id"],
            unique=False,
        )
    op.execute(BACKFILL_CONTRIBUTORS)

    op.create_table(
        "bank_content_author",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("bank_id", sa.Integer(), nullable=False),
        sa.Column("unit_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("first_written_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["question_bank.id"],
            name=op.f("fk_bank_content_author_bank_id_question_bank"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_content_author")),
        sa.UniqueConstraint(
            "bank_id",
            "unit_hash",
            "author",
            name=op.f("uq_bank_content_author_bank_id_unit_hash_author"),
        ),
    )


def downgrade() -> None:
    op.drop_table("bank_content_author")

    with op.batch_alter_table("bank_version_contributor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_bank_version_contributor_bank_version_id"))
    op.drop_table("bank_version_contributor")

    with op.batch_alter_table("staff_user", schema=None) as batch_op:
        batch_op.drop_column("language_scopes")

    with op.batch_alter_table("api_key", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_key_user_id_staff_user"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_key_user_id"))
        batch_op.drop_column("user_id")

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("attempted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_attempt_attempted_at"), ["attempted_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_login_attempt_subject_hash"), ["subject_hash"], unique=False
        )

    with op.batch_alter_table("login_throttle", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_throttle_last_failure_at"))
    op.drop_table("login_throttle")
