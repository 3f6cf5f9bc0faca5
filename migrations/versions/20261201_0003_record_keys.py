"""record keys and disclosure control (issue 9, part 1)

Every response and invitation gets a record key, a random integer 0-255 that is never shown
(app.reporting.cell_key); rollup rows keep the sum of their responses' keys mod 256 beside the
count, and rows with the question id `*` count the responses themselves.

Existing rows get random keys here. Rollup rows of months whose responses are still stored are
recomputed from them; rows of months already purged (their counts outlive the responses) get a
random key per fine row, their coarse rows the sum of those, and their response counts are
taken as the most answers any one question had (every response answers or skips the first
question it is shown).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

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
]
CONTEXT = "bank_version_id, crime_group, touchpoint, area, month, language"


def _random_key() -> str:
    """SQL for a uniform random integer 0..255, one per row."""
    if op.get_bind().dialect.name == "postgresql":
        return "CAST(floor(random() * 256) AS INTEGER)"
    return "(abs(random()) % 256)"


def upgrade() -> None:
    for table in ("response", "invitation"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("record_key", sa.Integer(), nullable=False, server_default="0")
            )
    with op.batch_alter_table("rollup_count", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key_sum", sa.Integer(), nullable=False, server_default="0"))
        batch_op.drop_index("ix_rollup_count_lookup")
        batch_op.create_index("ix_rollup_count_lookup", [*OLD_LOOKUP, "key_sum"], unique=False)

    random_key = _random_key()
    op.execute(f"UPDATE response SET record_key = {random_key}")
    op.execute(f"UPDATE invitation SET record_key = {random_key}")

    since = op.get_bind().execute(sa.text("SELECT min(month) FROM response")).scalar()
    # Months with stored responses: recomputed from them, both levels, as `rollups rebuild`.
    if since is not None:
        params = {"since": since}
        op.get_bind().execute(sa.text("DELETE FROM rollup_count WHERE month >= :since"), params)
        answers = (
            "FROM answer JOIN response ON answer.response_id = response.id "
            "WHERE response.month >= :since"
        )
        columns = f"question_id, code, {CONTEXT}, count, key_sum"
        code = "coalesce(answer.code, '')"
        area = "coalesce(response.area, '')"
        context = "response.bank_version_id, response.crime_group, response.touchpoint"
        for statement in (
            f"INSERT INTO rollup_count ({columns}) SELECT answer.question_id, {code}, {context}, "
            f"'*', response.month, '*', count(*), sum(response.record_key) % 256 {answers} "
            f"GROUP BY answer.question_id, {code}, {context}, response.month",
            f"INSERT INTO rollup_count ({columns}) SELECT answer.question_id, {code}, {context}, "
            f"{area}, response.month, response.language, count(*), "
            f"sum(response.record_key) % 256 {answers} "
            f"GROUP BY answer.question_id, {code}, {context}, {area}, response.month, "
            "response.language",
            f"INSERT INTO rollup_count ({columns}) SELECT '*', '', {context}, '*', "
            "response.month, '*', count(*), sum(response.record_key) % 256 FROM response "
            f"WHERE response.month >= :since GROUP BY {context}, response.month",
            f"INSERT INTO rollup_count ({columns}) SELECT '*', '', {context}, {area}, "
            "response.month, response.language, count(*), sum(response.record_key) % 256 "
            f"FROM response WHERE response.month >= :since "
            f"GROUP BY {context}, {area}, response.month, response.language",
        ):
            op.get_bind().execute(sa.text(statement), params)

    # Months already purged: their counts stay, their record keys are gone.
    older = "month < :since" if since is not None else "1 = 1"
    params = {"since": since} if since is not None else {}
    bind = op.get_bind()
    bind.execute(
        sa.text(
            f"UPDATE rollup_count SET key_sum = {random_key} WHERE language <> '*' AND {older}"
        ),
        params,
    )
    bind.execute(
        sa.text(
            f"INSERT INTO rollup_count (question_id, code, {CONTEXT}, count, key_sum) "
            f"SELECT '*', '', {CONTEXT}, max(total), {random_key} FROM ("
            f"SELECT question_id, {CONTEXT}, sum(count) AS total FROM rollup_count "
            f"WHERE language <> '*' AND {older} GROUP BY question_id, {CONTEXT}"
            f") AS per_question GROUP BY {CONTEXT}"
        ),
        params,
    )
    bind.execute(
        sa.text(
            f"INSERT INTO rollup_count (question_id, code, {CONTEXT}, count, key_sum) "
            "SELECT '*', '', bank_version_id, crime_group, touchpoint, '*', month, '*', "
            "sum(count), sum(key_sum) % 256 FROM rollup_count "
            f"WHERE question_id = '*' AND language <> '*' AND {older} "
            "GROUP BY bank_version_id, crime_group, touchpoint, month"
        ),
        params,
    )
    bind.execute(
        sa.text(
            "UPDATE rollup_count SET key_sum = (SELECT coalesce(sum(fine.key_sum), 0) % 256 "
            "FROM rollup_count AS fine WHERE fine.language <> '*' "
            "AND fine.question_id = rollup_count.question_id AND fine.code = rollup_count.code "
            "AND fine.bank_version_id = rollup_count.bank_version_id "
            "AND fine.crime_group = rollup_count.crime_group "
            "AND fine.touchpoint = rollup_count.touchpoint AND fine.month = rollup_count.month) "
            f"WHERE language = '*' AND question_id <> '*' AND {older}"
        ),
        params,
    )


def downgrade() -> None:
    op.execute("DELETE FROM rollup_count WHERE question_id = '*'")
    op.drop_index("ix_rollup_count_lookup", table_name="rollup_count")
    # ALTER TABLE … DROP COLUMN (SQLite 3.35+ and PostgreSQL): a batch copy of `response`
    # would drop a table that answers still point to.
    op.execute("ALTER TABLE rollup_count DROP COLUMN key_sum")
    op.create_index("ix_rollup_count_lookup", "rollup_count", OLD_LOOKUP, unique=False)
    op.execute("ALTER TABLE invitation DROP COLUMN record_key")
    op.execute("ALTER TABLE response DROP COLUMN record_key")
