"""rollup counts by mode (issue 12, point 3)

`rollup_count.mode` is `self` (the victim answered alone) or `assisted` (a support worker
helped, at the victim's request), from `response.assisted`, and joins the rollup key, so that
figures can be split or filtered by mode and still read only the rollups.

Every existing row is `self` (the server default). Nothing set `response.assisted` before this
revision; should a stored response be assisted all the same, the rows of the months from its
month on are recomputed from the stored responses, both levels, as `rollups rebuild` does
(purge removes whole months from the oldest on, so those months still hold all their
responses).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEY = [
    "question_id",
    "code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "area",
    "month",
    "language",
]
OLD_UNIQUE = "uq_rollup_count_" + "_".join(OLD_KEY)
NEW_UNIQUE = "uq_rollup_count_key"
OLD_LOOKUP = [
    "question_id",
    "language",
    "bank_version_id",
    "touchpoint",
    "crime_group",
    "month",
    "area",
    "code",
    "count",
    "key_sum",
]
NEW_LOOKUP = [*OLD_LOOKUP[:7], "mode", *OLD_LOOKUP[7:]]
CONTEXT = "bank_version_id, crime_group, touchpoint, area, month, language, mode"


def _recount_assisted_months() -> None:
    bind = op.get_bind()
    since = bind.execute(
        sa.text("SELECT min(month) FROM response WHERE assisted = :yes"), {"yes": True}
    ).scalar()
    if since is None:
        return
    params = {"since": since}
    bind.execute(sa.text("DELETE FROM rollup_count WHERE month >= :since"), params)
    mode = "CASE WHEN response.assisted THEN 'assisted' ELSE 'self' END"
    code = "coalesce(answer.code, '')"
    area = "coalesce(response.area, '')"
    context = "response.bank_version_id, response.crime_group, response.touchpoint"
    answers = (
        "FROM answer JOIN response ON answer.response_id = response.id "
        "WHERE response.month >= :since"
    )
    columns = f"question_id, code, {CONTEXT}, count, key_sum"
    for statement in (
        f"INSERT INTO rollup_count ({columns}) SELECT answer.question_id, {code}, {context}, "
        f"'*', response.month, '*', {mode}, count(*), sum(response.record_key) % 256 {answers} "
        f"GROUP BY answer.question_id, {code}, {context}, response.month, response.assisted",
        f"INSERT INTO rollup_count ({columns}) SELECT answer.question_id, {code}, {context}, "
        f"{area}, response.month, response.language, {mode}, count(*), "
        f"sum(response.record_key) % 256 {answers} "
        f"GROUP BY answer.question_id, {code}, {context}, {area}, response.month, "
        "response.language, response.assisted",
        f"INSERT INTO rollup_count ({columns}) SELECT '*', '', {context}, '*', "
        f"response.month, '*', {mode}, count(*), sum(response.record_key) % 256 FROM response "
        f"WHERE response.month >= :since GROUP BY {context}, response.month, response.assisted",
        f"INSERT INTO rollup_count ({columns}) SELECT '*', '', {context}, {area}, "
        f"response.month, response.language, {mode}, count(*), "
        "sum(response.record_key) % 256 FROM response WHERE response.month >= :since "
        f"GROUP BY {context}, {area}, response.month, response.language, response.assisted",
    ):
        bind.execute(sa.text(statement), params)


def upgrade() -> None:
    with op.batch_alter_table("rollup_count", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "mode",
                sqlmodel.sql.sqltypes.AutoString(length=16),
                nullable=False,
                server_default="self",
            )
        )
        batch_op.drop_constraint(op.f(OLD_UNIQUE), type_="unique")
        batch_op.create_unique_constraint(NEW_UNIQUE, [*OLD_KEY, "mode"])
        batch_op.drop_index("ix_rollup_count_lookup")
        batch_op.create_index("ix_rollup_count_lookup", NEW_LOOKUP, unique=False)
    _recount_assisted_months()


def downgrade() -> None:
    # Fold the assisted rows into the self rows of the same key, then drop the column.
    bind = op.get_bind()
    key = " AND ".join(f"fold.{name} = rollup_count.{name}" for name in OLD_KEY)
    bind.execute(
        sa.text(
            "UPDATE rollup_count SET "
            f"count = count + (SELECT fold.count FROM rollup_count AS fold WHERE {key} "
            "AND fold.mode = 'assisted'), "
            "key_sum = (key_sum + (SELECT fold.key_sum FROM rollup_count AS fold "
            f"WHERE {key} AND fold.mode = 'assisted')) % 256 "
            "WHERE mode = 'self' AND EXISTS (SELECT 1 FROM rollup_count AS fold "
            f"WHERE {key} AND fold.mode = 'assisted')"
        )
    )
    bind.execute(
        sa.text(
            "UPDATE rollup_count SET mode = 'self' WHERE mode = 'assisted' AND NOT EXISTS "
            f"(SELECT 1 FROM rollup_count AS fold WHERE {key} AND fold.mode = 'self')"
        )
    )
    bind.execute(sa.text("DELETE FROM rollup_count WHERE mode = 'assisted'"))
    with op.batch_alter_table("rollup_count", schema=None) as batch_op:
        batch_op.drop_index("ix_rollup_count_lookup")
        batch_op.create_index("ix_rollup_count_lookup", OLD_LOOKUP, unique=False)
        batch_op.drop_constraint(NEW_UNIQUE, type_="unique")
        batch_op.create_unique_constraint(op.f(OLD_UNIQUE), OLD_KEY)
        batch_op.drop_column("mode")
