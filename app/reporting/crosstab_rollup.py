"""The cross-tab rollup: a measure's answers counted per answer to another closed question.

A cross-tab (app.reporting.crosstabs) tabulates one measure by the answer to another closed
question, e.g. attrition by whether an ISVA was offered. Like the equality characteristics
(app.reporting.characteristics), it cannot be read from the plain rollups: it needs two answers
of one response together. So each submitted response adds, per answer it gave to a question
feeding a measure (and per derived right answer), one row per answer it gave to a closed
question (single, yes/no or scale; not in the equality section, which has its own dimension),
keyed by both and the coarse context (bank version, crime group, touchpoint, month, mode: no
area, no language), with the sum of the responses' record keys, so a cross-tab cell's key comes
from its records' keys like any other cell's. Submit adds, withdrawal subtracts, `rollups
rebuild` recomputes (months within retention), all through `crosstab_rows`. Responses under 18
are counted nowhere (app.reporting.response_facts): the callers skip them.

Cost (measured 2026-12-02, SQLite, the shipped general bank with every question asked at the
stage answered): a response adds 238 rows at court and 432 at investigation, and a submit
takes 39-64 ms instead of 10-13 ms; a rebuild of 50,000 two-answer responses 3.3 s instead of
1.7 s. The rows are shared by every response of the same context, so the table grows with the
distinct answer pairs per month, not with responses. A curated list of by-questions would cut
both, at the cost of the issue's "any closed question".
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select
from sqlmodel import Session, col

from app.banks.localize import iter_questions
from app.banks.models import BankVersion
from app.cell_key import KEY_SPACE
from app.reporting.characteristics import response_context
from app.reporting.response_facts import EMPTY_FACTS, VersionFacts, count_response
from app.reporting.review_models import CROSSTAB_KEY, RollupCrosstab
from app.reporting.sql_upsert import add_counts, drop_emptied
from app.survey.models import Answer, Response

crosstab_table: Table = RollupCrosstab.__table__  # type: ignore[attr-defined]
answer_table: Table = Answer.__table__  # type: ignore[attr-defined]
response_table: Table = Response.__table__  # type: ignore[attr-defined]

CLOSED_TYPES = frozenset({"single", "yes_no", "scale"})
BATCH = 5000

# (version id, content hash) → closed question id → its option codes, in order.
_CLOSED_CACHE: dict[tuple[int, str], dict[str, tuple[str, ...]]] = {}


def document_closed_questions(document: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """The closed questions a cross-tab may be split by, with their option codes. Not a
    sensitive question or one in a sensitive section (attack pass of issue 14): its answers
    would be counted outside the sensitive-measure rule ("all 12 said yes")."""
    found: dict[str, tuple[str, ...]] = {}
    for section, question in iter_questions(document):
        if question.get("type") not in CLOSED_TYPES or question.get("characteristic"):
            continue
        if question.get("sensitive"):
            continue
        if section is not None and (section.get("equality") or section.get("sensitive")):
            continue
        codes = tuple(str(option.get("code")) for option in question.get("options") or ())
        found[str(question["id"])] = codes
    return found


def closed_questions(
    session: Session, version_ids: Iterable[int]
) -> dict[int, dict[str, tuple[str, ...]]]:
    """Closed questions of the given bank versions (documents read once; a published document
    never changes, and the hash keeps a reused id from serving a stale one)."""
    wanted = sorted(set(version_ids))
    if not wanted:
        return {}
    hashes = {
        int(v): str(h)
        for v, h in session.execute(
            select(col(BankVersion.id), col(BankVersion.content_hash)).where(
                col(BankVersion.id).in_(wanted)
            )
        ).all()
    }
    missing = [v for v, h in hashes.items() if (v, h) not in _CLOSED_CACHE]
    if missing:
        for version_id, content_hash, document in session.execute(
            select(
                col(BankVersion.id), col(BankVersion.content_hash), col(BankVersion.document)
            ).where(col(BankVersion.id).in_(missing))
        ).all():
            _CLOSED_CACHE[(int(version_id), str(content_hash))] = document_closed_questions(
                document
            )
    return {v: _CLOSED_CACHE[(v, h)] for v, h in hashes.items()}


def crosstab_rows(
    context: Mapping[str, Any],
    metric_answers: Sequence[tuple[str, str]],
    closed_answers: Sequence[tuple[str, str]],
    key: int,
    sign: int,
) -> list[dict[str, Any]]:
    """The rows one response adds (sign +1) or takes away (sign -1), sorted (so concurrent
    submits lock rows in the same order)."""
    return [
        {
            "question_id": question_id,
            "code": code,
            "by_question": by_question,
            "by_code": by_code,
            **context,
            "count": sign,
            "key_sum": (sign * key) % KEY_SPACE,
        }
        for question_id, code in sorted(metric_answers)
        for by_question, by_code in sorted(closed_answers)
        if by_question != question_id
    ]


def closed_answers_of(
    closed: Mapping[str, tuple[str, ...]], answers: Iterable[tuple[str, str | None]]
) -> list[tuple[str, str]]:
    """The answers given (not skipped) to closed questions, one per question."""
    found = {qid: code for qid, code in answers if code and qid in closed}
    return sorted(found.items())


def apply_crosstabs(
    session: Session,
    response: Response,
    metric_answers: Sequence[tuple[str, str]],
    answers: Iterable[tuple[str, str | None]],
    sign: int,
) -> None:
    """Add or take away one response's cross-tab rows (same transaction as the rollups)."""
    closed = closed_questions(session, [response.bank_version_id]).get(response.bank_version_id, {})
    context = response_context(response)
    rows = crosstab_rows(
        context,
        metric_answers,
        closed_answers_of(closed, answers),
        response.record_key % KEY_SPACE,
        sign,
    )
    if not rows:
        return
    add_counts(session, crosstab_table, CROSSTAB_KEY, rows)
    if sign < 0:
        drop_emptied(session, crosstab_table, context)


def rebuild_crosstabs(
    session: Session,
    since: date,
    facts: Mapping[int, VersionFacts],
    excluded: ColumnElement[bool],
) -> int:
    """Recompute the cross-tab rows of months from `since` on from the answers (responses
    `excluded` — under 18 — left out); rows written."""
    session.execute(delete(crosstab_table).where(crosstab_table.c.month >= since))
    closed = closed_questions(session, facts)
    columns = [
        response_table.c[name]
        for name in (
            "id",
            "bank_version_id",
            "crime_group",
            "touchpoint",
            "month",
            "assisted",
            "record_key",
        )
    ]
    statement = (
        select(*columns, answer_table.c.question_id, answer_table.c.code)
        .select_from(
            answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
        )
        .where(response_table.c.month >= since, ~excluded)
        .order_by(response_table.c.id)
        .execution_options(yield_per=BATCH)
    )
    counted: dict[tuple[Any, ...], list[int]] = {}
    for _, group in itertools.groupby(session.execute(statement), key=lambda row: row.id):
        rows = list(group)
        first = rows[0]
        given = [(row.question_id, row.code) for row in rows]
        version = int(first.bank_version_id)
        response_count = count_response(facts.get(version, EMPTY_FACTS), first.touchpoint, given)
        if response_count.under_18:
            continue
        key = int(first.record_key) % KEY_SPACE
        context = tuple(response_context(first).values())  # in CROSSTAB_KEY's order after the pair
        closed_given = closed_answers_of(closed.get(version, {}), given)
        # The keys crosstab_rows would give, without building a dict per row (rebuild speed).
        for question_id, code in response_count.metric_answers:
            for by_question, by_code in closed_given:
                if by_question == question_id:
                    continue
                slot = counted.setdefault(
                    (question_id, code, by_question, by_code, *context), [0, 0]
                )
                slot[0] += 1
                slot[1] = (slot[1] + key) % KEY_SPACE
    batch = [
        {**dict(zip(CROSSTAB_KEY, row_key, strict=True)), "count": n, "key_sum": key_sum}
        for row_key, (n, key_sum) in counted.items()
    ]
    for start in range(0, len(batch), 1000):
        session.execute(crosstab_table.insert(), batch[start : start + 1000])
    return len(batch)
