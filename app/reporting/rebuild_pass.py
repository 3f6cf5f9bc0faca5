"""The part of `rollups rebuild` that needs each response's answers together: derived right
answers (and agencies' parts of them), characteristic rows, and which responses said they are
under 18.

The plain rows are recomputed by one GROUP BY per level (app.reporting.rollups); these cannot
be, as they depend on several answers of one response and on its bank version's document. So
they are worked out here response by response, with the same functions submit and withdrawal
use (app.reporting.response_facts), which keeps a rebuild equal to the incremental counts. Only
the answers that matter are read: those to questions feeding a right or recording a
characteristic, and every answer of a response that recorded a characteristic.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, false, or_, select, tuple_
from sqlmodel import Session

from app.banks.schema import UNDER_18_CODE
from app.cell_key import KEY_SPACE
from app.enums import Mode
from app.reporting.characteristics import characteristic_rows
from app.reporting.models import CHARACTERISTIC_KEY
from app.reporting.response_facts import (
    AGE_BAND,
    EMPTY_FACTS,
    VersionFacts,
    count_response,
    versions_facts,
)
from app.survey.models import Answer, Response

answer_table: Table = Answer.__table__  # type: ignore[attr-defined]
response_table: Table = Response.__table__  # type: ignore[attr-defined]
ALL = "*"  # area and language of the coarse rows (as app.reporting.rollups.ALL)
BATCH = 5000


def answered_facts(session: Session, since: date) -> dict[int, VersionFacts]:
    """Facts of every bank version answered in the months from `since` on."""
    versions = session.execute(
        select(response_table.c.bank_version_id).where(response_table.c.month >= since).distinct()
    ).scalars()
    return versions_facts(session, [int(v) for v in versions])


def under_18_condition(facts: Mapping[int, VersionFacts]) -> ColumnElement[bool]:
    """Responses that answered their version's age band question `under_18` (SQL)."""
    under_18 = under_18_ids(facts)
    return false() if under_18 is None else response_table.c.id.in_(under_18)


def under_18_ids(facts: Mapping[int, VersionFacts]) -> Select[Any] | None:
    """The ids of the responses that answered their version's age band question `under_18`
    (None when no version has one); their free text is left out too (app.reporting.comments)."""
    pairs = sorted(
        (version_id, question_id)
        for version_id, version in facts.items()
        for question_id, characteristic in version.characteristics.items()
        if characteristic == AGE_BAND
    )
    if not pairs:
        return None
    return (
        select(answer_table.c.response_id)
        .select_from(
            answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
        )
        .where(
            answer_table.c.code == UNDER_18_CODE,
            tuple_(response_table.c.bank_version_id, answer_table.c.question_id).in_(pairs),
        )
    )


@dataclass
class Recounted:
    """Rows the pass recomputed: (rollup key as a tuple) → [count, key sum]."""

    rollup: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)
    characteristic: dict[tuple[Any, ...], list[int]] = field(default_factory=dict)

    @staticmethod
    def add(table: dict[tuple[Any, ...], list[int]], key: tuple[Any, ...], record: int) -> None:
        slot = table.setdefault(key, [0, 0])
        slot[0] += 1
        slot[1] = (slot[1] + record) % KEY_SPACE


def _answers(facts: Mapping[int, VersionFacts], since: date) -> Select[Any]:
    rights = {q for version in facts.values() for q, _ in version.rights}
    characteristic = {q for version in facts.values() for q in version.characteristics}
    with_characteristic = select(answer_table.c.response_id).where(
        answer_table.c.question_id.in_(sorted(characteristic)),
        answer_table.c.code.is_not(None),
    )
    wanted: list[ColumnElement[bool]] = []
    if rights or characteristic:
        wanted.append(answer_table.c.question_id.in_(sorted(rights | characteristic)))
    if characteristic:
        wanted.append(response_table.c.id.in_(with_characteristic))
    context = [
        response_table.c[name]
        for name in (
            "id",
            "bank_version_id",
            "crime_group",
            "touchpoint",
            "area",
            "month",
            "language",
            "assisted",
            "record_key",
        )
    ]
    return (
        select(*context, answer_table.c.question_id, answer_table.c.code)
        .select_from(
            answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
        )
        .where(and_(response_table.c.month >= since, or_(*wanted) if wanted else false()))
        .order_by(response_table.c.id)
    )


def recount(session: Session, since: date, facts: Mapping[int, VersionFacts]) -> Recounted:
    """Derived right and part rows (both levels) and characteristic rows of the months from
    `since`."""
    found = Recounted()
    rows: Iterable[Any] = session.execute(_answers(facts, since).execution_options(yield_per=BATCH))
    for _, group in itertools.groupby(rows, key=lambda row: row.id):
        answers = list(group)
        first = answers[0]
        counted = count_response(
            facts.get(int(first.bank_version_id), EMPTY_FACTS),
            first.touchpoint,
            [(row.question_id, row.code) for row in answers],
        )
        if counted.under_18:
            continue
        mode = Mode.assisted.value if first.assisted else Mode.alone.value
        key = int(first.record_key) % KEY_SPACE
        context = (first.bank_version_id, first.crime_group, first.touchpoint)
        for measure, code in counted.rollup_answers().items():
            for area, language in ((ALL, ALL), (first.area or "", first.language)):
                row_key = (measure, code, *context, area, first.month, language, mode)
                found.add(found.rollup, row_key, key)
        characteristic_context = {
            "bank_version_id": first.bank_version_id,
            "crime_group": first.crime_group,
            "touchpoint": first.touchpoint,
            "month": first.month,
            "mode": mode,
        }
        for row in characteristic_rows(characteristic_context, counted, key, 1):
            row_key = tuple(row[name] for name in CHARACTERISTIC_KEY)
            found.add(found.characteristic, row_key, key)
    return found
