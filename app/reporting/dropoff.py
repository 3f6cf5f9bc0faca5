"""Question-level drop-off for bank authors: who reached each question, skipped it, or stopped.

`reached` counts submitted responses that were shown the question (skipped included), `skipped`
those that left it unanswered, `stopped` the surveys in progress now whose place is that
question. Questions are not a partition of responses (one response reaches many), so there is
no coarser total to subtract from: each row is suppressed on its own count.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, case, func, select
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from app.banks.localize import asked_at, iter_questions
from app.banks.models import BankVersion, QuestionBank
from app.enums import Touchpoint
from app.errors import InvalidInput, NotFound
from app.invitations.models import Invitation
from app.reporting.aggregates import ANSWERED_STATUSES, MonthRange, parse_month_range
from app.reporting.rollups import ALL, SKIPPED_CODE, answer_table, response_table, rollup_table

invitation_table: Table = Invitation.__table__  # type: ignore[attr-defined]
IN_PROGRESS = "started"


class DropoffRow(BaseModel):
    question_id: str
    section: str | None
    type: str
    reached: int | None
    answered: int | None
    skipped: int | None
    skip_rate: float | None
    stopped: int | None  # None when between 1 and min_cell − 1
    suppressed: bool


class DropoffResult(BaseModel):
    bank: str
    version: int | None  # the version whose questions are listed
    touchpoint: str | None
    min_cell: int
    questions: list[DropoffRow]


def _bank_versions(session: Session, slug: str) -> list[BankVersion]:
    statement = (
        select_rows(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(col(QuestionBank.slug) == slug, col(BankVersion.status).in_(ANSWERED_STATUSES))
        .order_by(col(BankVersion.version).desc())
    )
    return list(session.exec(statement).all())


def _slice_conditions(
    table: Table, touchpoint: str | None, months: MonthRange
) -> list[ColumnElement[bool]]:
    """The touchpoint and month range asked for, on a table with those two columns."""
    conditions: list[ColumnElement[bool]] = []
    if touchpoint:
        conditions.append(table.c.touchpoint == touchpoint)
    if months.first:
        conditions.append(table.c.month >= months.first)
    if months.last:
        conditions.append(table.c.month <= months.last)
    return conditions


def question_dropoff(
    session: Session,
    bank: str,
    touchpoint: str | None = None,
    min_cell: int = 10,
    period_from: str | None = None,
    period_to: str | None = None,
) -> DropoffResult:
    """Per question of the bank's latest published version: reached, skipped, stopped."""
    if touchpoint and touchpoint not in {t.value for t in Touchpoint}:
        raise InvalidInput(
            "The touchpoint is not valid.",
            errors=[{"loc": ["query", "touchpoint"], "msg": "Use a touchpoint of the contract."}],
        )
    months = parse_month_range(period_from, period_to)
    versions = _bank_versions(session, bank)
    if not versions:
        raise NotFound("There is no published bank with that slug.")
    latest = versions[0]
    version_ids = [int(v.id) for v in versions if v.id is not None]
    questions = [
        (section, question)
        for section, question in iter_questions(latest.document)
        if question.get("type") != "text" and (not touchpoint or asked_at(question, touchpoint))
    ]
    multi = [str(q["id"]) for _, q in questions if q.get("type") == "multi"]
    single = [str(q["id"]) for _, q in questions if q.get("type") != "multi"]

    counts: dict[str, tuple[int, int]] = {}  # question → (reached, skipped)
    if single:
        conditions: list[ColumnElement[bool]] = [
            rollup_table.c.question_id.in_(single),
            rollup_table.c.bank_version_id.in_(version_ids),
            rollup_table.c.language == ALL,  # the coarse rows: no area or language asked for
            *_slice_conditions(rollup_table, touchpoint, months),
        ]
        statement = (
            select(
                rollup_table.c.question_id,
                func.sum(rollup_table.c.count),
                func.sum(
                    case((rollup_table.c.code == SKIPPED_CODE, rollup_table.c.count), else_=0)
                ),
            )
            .where(*conditions)
            .group_by(rollup_table.c.question_id)
        )
        for question_id, reached, skipped in session.execute(statement).all():
            counts[str(question_id)] = (int(reached or 0), int(skipped or 0))
    if multi:
        # A multi answer has one row per code: count responses, which needs the answers.
        conditions = [
            answer_table.c.question_id.in_(multi),
            response_table.c.bank_version_id.in_(version_ids),
            *_slice_conditions(response_table, touchpoint, months),
        ]
        statement = (
            select(
                answer_table.c.question_id,
                func.count(func.distinct(answer_table.c.response_id)),
                func.count(case((answer_table.c.code.is_(None), 1))),
            )
            .select_from(
                answer_table.join(response_table, answer_table.c.response_id == response_table.c.id)
            )
            .where(*conditions)
            .group_by(answer_table.c.question_id)
        )
        for question_id, reached, skipped in session.execute(statement).all():
            counts[str(question_id)] = (int(reached or 0), int(skipped or 0))

    stopped_conditions: list[ColumnElement[bool]] = [
        invitation_table.c.status == IN_PROGRESS,
        invitation_table.c.bank_version_id.in_(version_ids),
        invitation_table.c.resume_at.like("q:%"),
    ]
    if touchpoint:
        stopped_conditions.append(invitation_table.c.touchpoint == touchpoint)
    stopped: dict[str, int] = {
        str(resume_at)[2:]: int(number)
        for resume_at, number in session.execute(
            select(invitation_table.c.resume_at, func.count())
            .where(*stopped_conditions)
            .group_by(invitation_table.c.resume_at)
        ).all()
    }

    rows: list[DropoffRow] = []
    for section, question in questions:
        question_id = str(question["id"])
        reached, skipped = counts.get(question_id, (0, 0))
        number_stopped = stopped.get(question_id, 0)
        suppressed = reached < min_cell
        rows.append(
            DropoffRow(
                question_id=question_id,
                section=None if section is None else str(section.get("id")),
                type=str(question.get("type")),
                reached=None if suppressed else reached,
                answered=None if suppressed else reached - skipped,
                skipped=None if suppressed else skipped,
                skip_rate=None if suppressed else skipped / reached,
                stopped=number_stopped
                if number_stopped == 0 or number_stopped >= min_cell
                else None,
                suppressed=suppressed,
            )
        )
    return DropoffResult(
        bank=bank,
        version=latest.version,
        touchpoint=touchpoint,
        min_cell=min_cell,
        questions=rows,
    )


def dropoff_csv_rows(result: DropoffResult) -> tuple[list[str], list[list[Any]]]:
    columns = [
        "question_id",
        "section",
        "type",
        "reached",
        "answered",
        "skipped",
        "skip_rate",
        "stopped",
        "suppressed",
    ]
    rows: list[list[Any]] = [[getattr(row, name) for name in columns] for row in result.questions]
    return columns, rows
