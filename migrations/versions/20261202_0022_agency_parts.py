"""each agency's part of a right where agencies share a touchpoint (issue 14)

Where two agencies deliver aspects of one right at one touchpoint (right 8 at court: witness
care asks `court_info` and `trial_date_promptly`, the CPS `cps_met`), each agency's part of the
right is now read from its own derived answer, counted under the question id
`victims_code.right_N.<agency>` (app.reporting.right_rates). Where one question alone feeds an
agency's part at such a touchpoint in a version (the CPS in every shipped bank), the part's rows
equal that question's rows with the codes mapped (yes → yes; for an information right don't
know → dont_know; any other counted code → no): they are added here from the rollup rows
themselves, so months past retention (answers purged, counts kept) get them too, as migration
0018 did for the rights. Where several questions feed one agency's part (witness care at court
in the shipped banks), its answer needs each response's answers together: run
`victim-voice rollups rebuild` after this migration to count it for the months within
retention. Until then that part leaves out what it cannot read, as before this change.

The aspects and agencies are copied here as they stand at this revision (app.banks.aspects),
so that a later change of the Code cannot change what this migration did.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Aspect measure → (touchpoint shared by two or more agencies, the agency delivering it there).
SHARED_ASPECTS: dict[str, tuple[str, str]] = {
    "victims_code.right_8.court_info": ("court", "witness_care"),
    "victims_code.right_8.trial_date_promptly": ("court", "witness_care"),
    "victims_code.right_8.cps_met": ("court", "cps"),
}
INFORMATION_RIGHTS = {3, 5, 6, 8, 9, 11}
NOT_AN_ANSWER = ("dont_know", "prefer_not_to_say", "not_applicable")
CONTEXT = "bank_version_id, crime_group, touchpoint, area, month, language, mode"


def _questions(document: Any) -> list[dict[str, Any]]:
    if isinstance(document, str):
        document = json.loads(document)
    found = list(document.get("questions") or [])
    for section in document.get("sections") or []:
        found.extend(section.get("questions") or [])
    return found


def single_part_feeds(document: Any) -> list[tuple[str, str, str]]:
    """(question, touchpoint, part id) where that question alone feeds the part there."""
    feeds: dict[tuple[str, str], set[str]] = {}
    for question in _questions(document):
        asked = question.get("touchpoints")
        for measure in question.get("measures") or ():
            shared = SHARED_ASPECTS.get(str(measure))
            if shared is None or (asked is not None and shared[0] not in asked):
                continue
            touchpoint, agency = shared
            right = str(measure).split(".")[1]  # right_N
            part = f"victims_code.{right}.{agency}"
            feeds.setdefault((touchpoint, part), set()).add(str(question["id"]))
    return [
        (next(iter(questions)), touchpoint, part)
        for (touchpoint, part), questions in sorted(feeds.items())
        if len(questions) == 1
    ]


def derive_part_rows(bind: sa.engine.Connection) -> None:
    """Add the part rows that can be read from one question's rollup rows."""
    versions = bind.execute(
        sa.text("SELECT id, document FROM bank_version WHERE status IN ('published', 'retired')")
    ).all()
    for version_id, document in versions:
        for question_id, touchpoint, part in single_part_feeds(document):
            info = int(part.split(".")[1].removeprefix("right_")) in INFORMATION_RIGHTS
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
                    f"INSERT INTO rollup_count (question_id, code, {CONTEXT}, count, key_sum) "
                    f"SELECT :part, {derived}, {CONTEXT}, sum(count), sum(key_sum) % 256 "
                    f"FROM rollup_count WHERE bank_version_id = :version "
                    f"AND question_id = :question AND touchpoint = :touchpoint "
                    f"AND code NOT IN ({not_counted}) GROUP BY {derived}, {CONTEXT}"
                ),
                {
                    "part": part,
                    "version": version_id,
                    "question": question_id,
                    "touchpoint": touchpoint,
                },
            )


def upgrade() -> None:
    derive_part_rows(op.get_bind())


def downgrade() -> None:
    # Bank question ids have no dots, so only derived rows match; of those only parts have two.
    op.execute("DELETE FROM rollup_count WHERE question_id LIKE 'victims_code.right%.%'")
