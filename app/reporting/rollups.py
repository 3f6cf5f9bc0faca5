"""Rollup counts kept in step with submitted responses (same transaction as submit/withdraw).

Interface (called by the survey domain):
    apply_response(session, response, answers, sign=+1)   # on submit
    apply_response(session, response, answers, sign=-1)   # on withdraw, before deleting answers

One row per (question, answer code, bank version, crime group, touchpoint, area, month,
language) holds how many answers gave that code, so an aggregate reads a few thousand rows
whatever the number of responses. `rebuild` recomputes every row from the answers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from app.reporting.models import RollupCount
from app.survey.models import Answer, Response

ROLLUP_KEY = (
    "question_id",
    "code",
    "bank_version_id",
    "crime_group",
    "touchpoint",
    "area",
    "month",
    "language",
)
SKIPPED_CODE = ""  # a question shown but not answered

rollup_table: Table = RollupCount.__table__  # type: ignore[attr-defined]
answer_table: Table = Answer.__table__  # type: ignore[attr-defined]
response_table: Table = Response.__table__  # type: ignore[attr-defined]


def _dialect_insert(session: Session) -> Callable[[Table], Any]:
    name = session.get_bind().dialect.name
    if name == "postgresql":
        return postgresql.insert
    if name == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"rollups need SQLite or PostgreSQL, not {name}")


def apply_response(
    session: Session, response: Response, answers: Sequence[Answer], sign: int = 1
) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers to the rollup counts."""
    if sign not in (1, -1):
        raise ValueError("sign must be +1 or -1")
    by_code = Counter(
        (answer.question_id, answer.code if answer.code is not None else SKIPPED_CODE)
        for answer in answers
    )
    if not by_code:
        return
    context = {
        "bank_version_id": response.bank_version_id,
        "crime_group": response.crime_group,
        "touchpoint": response.touchpoint,
        "area": response.area or "",
        "month": response.month,
        "language": response.language,
    }
    # Sorted, so that concurrent submits lock the same rows in the same order (no deadlock).
    rows = [
        {"question_id": question_id, "code": code, **context, "count": sign * count}
        for (question_id, code), count in sorted(by_code.items())
    ]
    statement = _dialect_insert(session)(rollup_table).values(rows)
    statement = statement.on_conflict_do_update(
        index_elements=list(ROLLUP_KEY),
        set_={"count": rollup_table.c.count + statement.excluded["count"]},
    )
    session.execute(statement)
    if sign < 0:
        # A count back at zero is removed, so the table matches a rebuild row for row.
        session.execute(
            delete(rollup_table).where(
                rollup_table.c.count <= 0,
                *(rollup_table.c[name] == value for name, value in context.items()),
            )
        )


def rebuild(session: Session) -> int:
    """Recompute every rollup row from Answer ⨝ Response in one GROUP BY; returns the row count."""
    session.execute(delete(rollup_table))
    key = [
        answer_table.c.question_id,
        func.coalesce(answer_table.c.code, literal_column("''")),
        response_table.c.bank_version_id,
        response_table.c.crime_group,
        response_table.c.touchpoint,
        func.coalesce(response_table.c.area, literal_column("''")),
        response_table.c.month,
        response_table.c.language,
    ]
    grouped = (
        select(*key, func.count())
        .select_from(
            answer_table.join(
                response_table, and_(answer_table.c.response_id == response_table.c.id)
            )
        )
        .group_by(*key)
    )
    session.execute(insert(rollup_table).from_select([*ROLLUP_KEY, "count"], grouped))
    session.flush()
    total = session.execute(select(func.count()).select_from(rollup_table)).scalar_one()
    return int(total)


def count_answers(session: Session) -> int:
    """How many answer rows a rebuild reads (for its progress message)."""
    return int(session.execute(select(func.count()).select_from(answer_table)).scalar_one())
