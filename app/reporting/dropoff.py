"""Question-level drop-off for bank authors: who reached each question, skipped it, or stopped.

`reached` counts submitted responses that were shown the question (skipped included), `skipped`
those that left it unanswered, `stopped` the surveys in progress now whose place is that
question. Read by analysts and by the bank's partner editors alike, with the same disclosure
control as every aggregate (docs/disclosure-control.md): in each period piece, the answered and
the skipped responses are two tallies published once through the cell-key table, `reached` is
their sum; a row is suppressed when any live piece has fewer than min_cell published, and
`stopped` (a tally of invitations) is shown only at min_cell or more: never a count of one,
never a 0 that stands for a suppressed row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
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
from app.reporting.aggregates import (
    ANSWERED_STATUSES,
    CSV_DISCLOSURE_COLUMNS,
    disclosure_csv_values,
    is_live,
    live_months,
    today,
)
from app.reporting.cells import Period, as_month, resolve_period
from app.reporting.disclosure import (
    Disclosure,
    Tally,
    adjustment_bound,
    configured_min_cell,
    tally,
)
from app.reporting.periods import Piece, canonical_pieces
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
    stopped: int | None  # None when its published count is below min_cell
    suppressed: bool


class DropoffResult(BaseModel):
    bank: str
    version: int | None  # the version whose questions are listed
    touchpoint: str | None
    period_from: str
    period_to: str
    min_cell: int
    questions: list[DropoffRow]
    disclosure: Disclosure


def _bank_versions(session: Session, slug: str) -> list[BankVersion]:
    statement = (
        select_rows(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(col(QuestionBank.slug) == slug, col(BankVersion.status).in_(ANSWERED_STATUSES))
        .order_by(col(BankVersion.version).desc())
    )
    return list(session.exec(statement).all())


def _slice_conditions(
    table: Table, touchpoint: str | None, period: Period
) -> list[ColumnElement[bool]]:
    """The touchpoint and months asked for, on a table with those two columns."""
    conditions: list[ColumnElement[bool]] = [
        table.c.month >= period.first,
        table.c.month <= period.last,
    ]
    if touchpoint:
        conditions.append(table.c.touchpoint == touchpoint)
    return conditions


@dataclass
class QuestionPiece:
    """One period piece of a question's row: the answered and the skipped responses."""

    answered: Tally
    skipped: Tally

    def published(self) -> tuple[int, int]:
        return self.answered.published(), self.skipped.published()


def dropoff_row(
    section: str | None,
    question: Mapping[str, Any],
    pieces: Sequence[QuestionPiece],
    stopped: Tally,
    *,
    min_cell: int,
) -> DropoffRow:
    """One question's row from its live pieces and its in-progress tally (pure)."""
    published = [piece.published() for piece in pieces]
    suppressed = not published or any(
        answered + skipped < min_cell for answered, skipped in published
    )
    answered = sum(value for value, _ in published)
    skipped = sum(value for _, value in published)
    reached = answered + skipped
    number_stopped = stopped.published()
    return DropoffRow(
        question_id=str(question["id"]),
        section=section,
        type=str(question.get("type")),
        reached=None if suppressed else reached,
        answered=None if suppressed else answered,
        skipped=None if suppressed else skipped,
        skip_rate=None if suppressed else skipped / reached,
        stopped=number_stopped if number_stopped >= min_cell else None,
        suppressed=suppressed,
    )


def question_dropoff(
    session: Session,
    bank: str,
    touchpoint: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> DropoffResult:
    """Per question of the bank's latest published version: reached, skipped, stopped."""
    if touchpoint and touchpoint not in {t.value for t in Touchpoint}:
        raise InvalidInput(
            "The touchpoint is not valid.",
            errors=[{"loc": ["query", "touchpoint"], "msg": "Use a touchpoint of the contract."}],
        )
    period = resolve_period(period_from, period_to, on or today())
    min_cell = configured_min_cell()
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
    pieces = canonical_pieces(period.first, period.last)

    def piece_of(month: date) -> Piece:
        return next(piece for piece in pieces if piece.first <= month <= piece.last)

    # (question, piece) → the answered and skipped tallies
    counts: dict[tuple[str, Piece], QuestionPiece] = {}

    def add(question_id: str, month: Any, skipped: bool, number: Any, key_sum: Any) -> None:
        slot = (str(question_id), piece_of(as_month(month)))
        figures = counts.setdefault(slot, QuestionPiece(Tally(), Tally()))
        if skipped:
            figures.skipped = figures.skipped + tally(number, key_sum)
        else:
            figures.answered = figures.answered + tally(number, key_sum)

    if single:
        is_skip = rollup_table.c.code == SKIPPED_CODE
        statement = (
            select(
                rollup_table.c.question_id,
                rollup_table.c.month,
                is_skip.label("skipped"),
                func.sum(rollup_table.c.count),
                func.sum(rollup_table.c.key_sum),
            )
            .where(
                rollup_table.c.question_id.in_(single),
                rollup_table.c.bank_version_id.in_(version_ids),
                rollup_table.c.language == ALL,  # the coarse rows: no area or language asked for
                *_slice_conditions(rollup_table, touchpoint, period),
            )
            .group_by(rollup_table.c.question_id, rollup_table.c.month, is_skip)
        )
        for question_id, month, skipped, number, key_sum in session.execute(statement).all():
            add(question_id, month, bool(skipped), number, key_sum)
    if multi:
        # A multi answer has one row per code: count responses, which needs the answers.
        per_response = (
            select(
                answer_table.c.question_id,
                answer_table.c.response_id,
                func.min(case((answer_table.c.code.is_(None), 1), else_=0)).label("skipped"),
            )
            .where(answer_table.c.question_id.in_(multi))
            .group_by(answer_table.c.question_id, answer_table.c.response_id)
            .subquery()
        )
        statement = (
            select(
                per_response.c.question_id,
                response_table.c.month,
                per_response.c.skipped,
                func.count(),
                func.sum(response_table.c.record_key),
            )
            .select_from(
                per_response.join(response_table, per_response.c.response_id == response_table.c.id)
            )
            .where(
                response_table.c.bank_version_id.in_(version_ids),
                *_slice_conditions(response_table, touchpoint, period),
            )
            .group_by(per_response.c.question_id, response_table.c.month, per_response.c.skipped)
        )
        for question_id, month, skipped, number, key_sum in session.execute(statement).all():
            add(question_id, month, bool(skipped), number, key_sum)

    stopped_conditions: list[ColumnElement[bool]] = [
        invitation_table.c.status == IN_PROGRESS,
        invitation_table.c.bank_version_id.in_(version_ids),
        invitation_table.c.resume_at.like("q:%"),
    ]
    if touchpoint:
        stopped_conditions.append(invitation_table.c.touchpoint == touchpoint)
    stopped: dict[str, Tally] = {
        str(resume_at)[2:]: tally(number, key_sum)
        for resume_at, number, key_sum in session.execute(
            select(
                invitation_table.c.resume_at,
                func.count(),
                func.sum(invitation_table.c.record_key),
            )
            .where(*stopped_conditions)
            .group_by(invitation_table.c.resume_at)
        ).all()
    }

    live = live_months(session, period)
    live_pieces = [piece for piece in pieces if is_live(piece, live)]
    rows = [
        dropoff_row(
            None if section is None else str(section.get("id")),
            question,
            [
                counts.get((str(question["id"]), piece), QuestionPiece(Tally(), Tally()))
                for piece in live_pieces
            ],
            stopped.get(str(question["id"]), Tally()),
            min_cell=min_cell,
        )
        for section, question in questions
    ]
    return DropoffResult(
        bank=bank,
        version=latest.version,
        touchpoint=touchpoint,
        period_from=period.label_from,
        period_to=period.label_to,
        min_cell=min_cell,
        questions=rows,
        # reached adds an answered and a skipped published count in every piece.
        disclosure=Disclosure(
            min_cell=min_cell, max_adjustment=adjustment_bound(max(2 * len(live_pieces), 1))
        ),
    )


DROPOFF_CSV_COLUMNS = (
    "question_id",
    "section",
    "type",
    "reached",
    "answered",
    "skipped",
    "skip_rate",
    "stopped",
    "suppressed",
)


def dropoff_csv_rows(result: DropoffResult) -> tuple[list[str], list[list[Any]]]:
    columns = [*DROPOFF_CSV_COLUMNS, *CSV_DISCLOSURE_COLUMNS]
    rows: list[list[Any]] = [
        [
            *(getattr(row, name) for name in DROPOFF_CSV_COLUMNS),
            *disclosure_csv_values(result.disclosure),
        ]
        for row in result.questions
    ]
    return columns, rows
