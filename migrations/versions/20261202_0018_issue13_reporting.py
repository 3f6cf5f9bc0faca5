"""derived right answers and equality characteristics in the rollups (issue 13, points 3 and 6)

1. `rollup_characteristic`: the tallies of the equality dimensions (app.reporting.characteristics).
   It starts empty: no response answered an equality question before issue 13.
2. A right's rate is now read from derived rows of `rollup_count` under the question id
   `victims_code.right_N` (app.reporting.right_rates). Every published version before issue 13
   tags each right on one question per touchpoint, so the derived rows equal that question's
   rows with the codes mapped (yes → yes; for an information right don't know → dont_know;
   any other counted code → no); they are added here from the rollup rows themselves, so months
   past retention (answers purged, counts kept) get them too. A version that tags one right on
   several questions at one touchpoint cannot be derived from its rows: `victim-voice rollups
   rebuild` derives it from the answers (months within retention).

Revision ID: 0018
Revises: 0016 on this branch; chain it after 0017 (issue 13, survey) when merging.
Create Date: 2026-12-02
"""

import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = [
    "question_id",
    "code",
    "characteristic",
    "characteristic_code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "month",
    "mode",
]
LOOKUP = [
    "question_id",
    "characteristic",
    "bank_version_id",
    "touchpoint",
    "crime_group",
    "month",
    "mode",
    "characteristic_code",
    "code",
    "count",
    "key_sum",
]
TOUCHPOINTS = ("reporting", "investigation", "outcome", "court", "sentence")
INFORMATION_RIGHTS = {3, 5, 6, 8, 9, 11}
NOT_AN_ANSWER = ("dont_know", "prefer_not_to_say", "not_applicable")
RIGHT = re.compile(r"^victims_code\.right_(\d+)(\.[a-z0-9_]+)?$")


def _create_table() -> None:
    op.create_table(
        "rollup_characteristic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("characteristic", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "characteristic_code", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False
        ),
        sa.Column("bank_version_id", sa.Integer(), nullable=False),
        sa.Column("crime_group", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("touchpoint", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("mode", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("key_sum", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["bank_version_id"], ["bank_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(*KEY, name="uq_rollup_characteristic_key"),
    )
    op.create_index(
        "ix_rollup_characteristic_bank_version_id", "rollup_characteristic", ["bank_version_id"]
    )
    op.create_index("ix_rollup_characteristic_month", "rollup_characteristic", ["month"])
    op.create_index("ix_rollup_characteristic_lookup", "rollup_characteristic", LOOKUP)


def _questions(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(document)
    found = list(document.get("questions") or [])
    for section in document.get("sections") or []:
        found.extend(section.get("questions") or [])
    return found


def _single_feeds(document: Any) -> list[tuple[str, str, int]]:
    """(question, touchpoint, right) where that question alone feeds the right there."""
    feeds: dict[tuple[str, int], list[str]] = {}
    for question in _questions(document):
        rights = set()
        for measure in question.get("measures") or ():
            match = RIGHT.match(str(measure))
            if match:
                rights.add(int(match.group(1)))
        asked = question.get("touchpoints") or TOUCHPOINTS
        for touchpoint in asked:
            for right in rights:
                feeds.setdefault((touchpoint, right), []).append(str(question["id"]))
    return [
        (questions[0], touchpoint, right)
        for (touchpoint, right), questions in sorted(feeds.items())
        if len(questions) == 1
    ]


def _derive_right_rows() -> None:
    bind = op.get_bind()
    versions = bind.execute(
        sa.text("SELECT id, document FROM bank_version WHERE status IN ('published', 'retired')")
    ).all()
    context = "bank_version_id, crime_group, touchpoint, area, month, language, mode"
    for version_id, document in versions:
        for question_id, touchpoint, right in _single_feeds(document):
            info = right in INFORMATION_RIGHTS
            excluded = [c for c in NOT_AN_ANSWER if not (info and c == "dont_know")]
            # Inline literals (constants only): PostgreSQL must see the same CASE in the select
            # list and in GROUP BY.
            derived = (
                "CASE WHEN code = 'yes' THEN 'yes' "
                + ("WHEN code = 'dont_know' THEN 'dont_know' " if info else "")
                + "ELSE 'no' END"
            )
            not_counted = ", ".join(f"'{code}'" for code in ["", *excluded])
            bind.execute(
                sa.text(
                    f"INSERT INTO rollup_count (question_id, code, {context}, count, key_sum) "
                    f"SELECT 'victims_code.right_{right}', {derived}, {context}, sum(count), "
                    f"sum(key_sum) % 256 FROM rollup_count WHERE bank_version_id = :version "
                    f"AND question_id = :question AND touchpoint = :touchpoint "
                    f"AND code NOT IN ({not_counted}) GROUP BY {derived}, {context}"
                ),
                {"version": version_id, "question": question_id, "touchpoint": touchpoint},
            )


def upgrade() -> None:
    _create_table()
    _derive_right_rows()


def downgrade() -> None:
    op.execute("DELETE FROM rollup_count WHERE question_id LIKE 'victims_code.right%'")
    op.drop_index("ix_rollup_characteristic_lookup", table_name="rollup_characteristic")
    op.drop_index("ix_rollup_characteristic_month", table_name="rollup_characteristic")
    op.drop_index("ix_rollup_characteristic_bank_version_id", table_name="rollup_characteristic")
    op.drop_table("rollup_characteristic")
