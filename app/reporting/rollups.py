"""Rollup counts kept in step with submitted responses (same transaction as submit/withdraw).

Interface (called by the survey domain):
    apply_response(session, response, answers, sign=+1)   # on submit
    apply_response(session, response, answers, sign=-1)   # on withdraw, before deleting answers

One row per (question, answer code, bank version, crime group, touchpoint, area, month,
language, mode) holds how many answers gave that code, and the sum mod 256 of their responses'
record keys (the cell key of disclosure control, app.cell_key), so an aggregate reads a number
of rows that does not grow with the number of responses. Rows with the question id `*` count the
responses themselves (one per response, whatever it answered). Each answer is also counted
once more in a coarse row whose area and language are ALL: most aggregates neither group nor
filter by area or language, and the coarse rows answer them from a table a hundred times
smaller. Both levels keep the mode (`self` or `assisted`, from Response.assisted): a figure
split or filtered by mode reads the coarse rows too, and one that is not sums over both.
`rebuild` recomputes the rows, both levels, from the answers — of the months at or after the
retention cutoff only: purge erases older responses but their counts stay (contract), so the
rows of older months are kept as they are.

Issue 13: each right a response answered aspects of gets one more answer, derived from them,
under the question id `victims_code.right_N` (app.reporting.right_rates); the answers feeding
measures are counted again per equality characteristic in `rollup_characteristic`
(app.reporting.characteristics); and a response that said it is under 18 is not counted at all
(app.reporting.response_facts). Issue 14: where agencies share a touchpoint, each agency's part
of a right is one more derived answer, `victims_code.right_N.<agency>` (same module).
`rebuild` recomputes those response by response
(app.reporting.rebuild_pass) with the same functions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Table,
    case,
    delete,
    func,
    insert,
    literal_column,
    select,
)
from sqlmodel import Session

from app import clock
from app.cell_key import KEY_SPACE
from app.enums import Mode
from app.reporting.characteristics import (
    apply_characteristics,
    characteristic_table,
    insert_counted,
)
from app.reporting.crosstab_rollup import apply_crosstabs, rebuild_crosstabs
from app.reporting.models import CHARACTERISTIC_KEY, ROLLUP_KEY, RollupCount
from app.reporting.rebuild_pass import answered_facts, recount, under_18_condition
from app.reporting.response_facts import (
    EMPTY_FACTS,
    ResponseCount,
    count_response,
    versions_facts,
)
from app.reporting.sql_upsert import add_counts, drop_emptied
from app.retention import retention_cutoff
from app.settings import get_settings
from app.survey.models import Answer, Response

SKIPPED_CODE = ""  # a question shown but not answered
RESPONSES = "*"  # question id of the rows that count responses; never a bank question id
# Area and language of the coarse rows. Never a real value: area codes are local policing area
# codes and languages BCP 47 tags, neither of which can be "*".
ALL = "*"

rollup_table: Table = RollupCount.__table__  # type: ignore[attr-defined]
answer_table: Table = Answer.__table__  # type: ignore[attr-defined]
response_table: Table = Response.__table__  # type: ignore[attr-defined]


def response_mode(response: Response) -> str:
    """The mode a response is counted under (app.enums.Mode)."""
    return Mode.assisted.value if response.assisted else Mode.alone.value


def _count(session: Session, response: Response, answers: Sequence[Answer]) -> ResponseCount:
    """The derived right answers, characteristics and under-18 flag of a response."""
    facts = versions_facts(session, [response.bank_version_id])
    return count_response(
        facts.get(response.bank_version_id, EMPTY_FACTS),
        response.touchpoint,
        [(answer.question_id, answer.code) for answer in answers],
    )


def apply_response(
    session: Session, response: Response, answers: Sequence[Answer], sign: int = 1
) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers to the rollup counts."""
    if sign not in (1, -1):
        raise ValueError("sign must be +1 or -1")
    counted = _count(session, response, answers)
    if counted.under_18:
        return  # kept, but never in a published figure (app.reporting.response_facts)
    by_code = Counter(
        (answer.question_id, answer.code if answer.code is not None else SKIPPED_CODE)
        for answer in answers
    )
    by_code.update(counted.rollup_answers().items())  # rights and agencies' parts
    by_code[(RESPONSES, SKIPPED_CODE)] = 1
    context = {
        "bank_version_id": response.bank_version_id,
        "crime_group": response.crime_group,
        "touchpoint": response.touchpoint,
        "area": response.area or "",
        "month": response.month,
        "language": response.language,
        "mode": response_mode(response),
    }
    coarse = {**context, "area": ALL, "language": ALL}
    # Kept mod 256 and never negative: a withdrawal adds the key's complement.
    key = response.record_key % KEY_SPACE
    # Sorted, so that concurrent submits lock the same rows in the same order (no deadlock).
    rows = [
        {
            "question_id": question_id,
            "code": code,
            **level,
            "count": sign * count,
            "key_sum": (sign * count * key) % KEY_SPACE,
        }
        for level in (coarse, context)
        for (question_id, code), count in sorted(by_code.items())
    ]
    add_counts(session, rollup_table, ROLLUP_KEY, rows)
    apply_characteristics(session, response, counted, sign)
    pairs = [(answer.question_id, answer.code) for answer in answers]
    apply_crosstabs(session, response, counted.metric_answers, pairs, sign)  # issue 14
    if sign < 0:
        # A count back at zero is removed, so the table matches a rebuild row for row.
        shared = {k: v for k, v in context.items() if k not in ("area", "language")}
        drop_emptied(session, rollup_table, shared)


def _level_columns(*, coarse: bool) -> tuple[ColumnElement[str], ColumnElement[str]]:
    all_values: ColumnElement[str] = literal_column(f"'{ALL}'")
    if coarse:
        return all_values, all_values
    return func.coalesce(response_table.c.area, literal_column("''")), response_table.c.language


def _mode_column() -> ColumnElement[str]:
    """The mode of a response in SQL, as response_mode gives it (inline literals, for the same
    reason as in _grouped_answers)."""
    return case(
        (response_table.c.assisted, literal_column(f"'{Mode.assisted.value}'")),
        else_=literal_column(f"'{Mode.alone.value}'"),
    )


def _key_sum() -> ColumnElement[int]:
    return func.sum(response_table.c.record_key) % KEY_SPACE


def _grouped_answers(*, coarse: bool, since: date, excluded: ColumnElement[bool]) -> Select[Any]:
    """Answer ⨝ Response of months from `since` on, counted per rollup key (area and language
    ALL when coarse), with the sum of the responses' record keys."""
    # Inline SQL literals, not bound parameters: PostgreSQL must see the same expression in the
    # select list and in GROUP BY.
    code = func.coalesce(answer_table.c.code, literal_column(f"'{SKIPPED_CODE}'"))
    area, language = _level_columns(coarse=coarse)
    mode = _mode_column()
    key = [
        answer_table.c.question_id,
        code,
        response_table.c.bank_version_id,
        response_table.c.crime_group,
        response_table.c.touchpoint,
        area,
        response_table.c.month,
        language,
        mode,
    ]
    grouping = [
        *key[:5],
        response_table.c.month,
        *(() if coarse else (area, language)),
        response_table.c.assisted,
    ]
    return (
        select(*key, func.count(), _key_sum())
        .select_from(
            answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
        )
        .where(response_table.c.month >= since, ~excluded)
        .group_by(*grouping)
    )


def _grouped_responses(*, coarse: bool, since: date, excluded: ColumnElement[bool]) -> Select[Any]:
    """The rows that count responses (question id `*`) of months from `since` on."""
    area, language = _level_columns(coarse=coarse)
    key = [
        literal_column(f"'{RESPONSES}'"),
        literal_column(f"'{SKIPPED_CODE}'"),
        response_table.c.bank_version_id,
        response_table.c.crime_group,
        response_table.c.touchpoint,
        area,
        response_table.c.month,
        language,
        _mode_column(),
    ]
    grouping = [
        response_table.c.bank_version_id,
        response_table.c.crime_group,
        response_table.c.touchpoint,
        response_table.c.month,
        *(() if coarse else (area, language)),
        response_table.c.assisted,
    ]
    return (
        select(*key, func.count(), _key_sum())
        .where(response_table.c.month >= since, ~excluded)
        .group_by(*grouping)
    )


def rebuild_cutoff(today: date | None = None) -> date:
    """First month a rebuild recomputes: the retention cutoff (VV_RETENTION_MONTHS)."""
    return retention_cutoff(today or clock.today(), get_settings().retention_months)


def rebuild(session: Session, *, since: date | None = None) -> int:
    """Recompute the rollup rows of months from `since` (default: the retention cutoff) on,
    from Answer ⨝ Response, one GROUP BY per level; keep older rows. Rows in the table."""
    since = since or rebuild_cutoff()
    facts = answered_facts(session, since)
    excluded = under_18_condition(facts)  # kept, but never counted
    # Older months may have lost their answers to purge, never their counts.
    session.execute(delete(rollup_table).where(rollup_table.c.month >= since))
    session.execute(delete(characteristic_table).where(characteristic_table.c.month >= since))
    for coarse in (True, False):
        for grouped in (_grouped_answers, _grouped_responses):
            session.execute(
                insert(rollup_table).from_select(
                    [*ROLLUP_KEY, "count", "key_sum"],
                    grouped(coarse=coarse, since=since, excluded=excluded),
                )
            )
    # Derived right answers and characteristic rows need each response's answers together.
    recounted = recount(session, since, facts)
    derived = [
        {**dict(zip(ROLLUP_KEY, key, strict=True)), "count": count, "key_sum": key_sum}
        for key, (count, key_sum) in recounted.rollup.items()
    ]
    for start in range(0, len(derived), 1000):
        session.execute(rollup_table.insert(), derived[start : start + 1000])
    insert_counted(
        session,
        (
            {**dict(zip(CHARACTERISTIC_KEY, key, strict=True)), "count": count, "key_sum": key_sum}
            for key, (count, key_sum) in recounted.characteristic.items()
        ),
    )
    rebuild_crosstabs(session, since, facts, excluded)  # issue 14: cross-tab rows
    session.flush()
    total = session.execute(select(func.count()).select_from(rollup_table)).scalar_one()
    return int(total)


def count_answers(session: Session, *, since: date) -> int:
    """How many answer rows a rebuild from `since` reads (for its progress message)."""
    counted = (
        select(func.count())
        .select_from(
            answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
        )
        .where(response_table.c.month >= since)
    )
    return int(session.execute(counted).scalar_one())
