"""Question-level drop-off for bank authors: who reached each question, skipped it, or stopped.

`reached` counts submitted responses that were shown the question (skipped included), `skipped`
those that left it unanswered, `stopped` the surveys in progress now whose place is that
question. Read by analysts and by the bank's partner editors alike, with the same disclosure
control as every aggregate (docs/disclosure-control.md): in each period piece, the answered and
the skipped responses are two tallies published once through the cell-key table, `reached` is
their sum; a row is suppressed when any live piece has fewer than min_cell published, and
`stopped` (a tally of invitations) is shown only at min_cell or more: never a count of one,
never a 0 that stands for a suppressed row.

`mode` (`self` or `assisted`) keeps to the responses given alone or with a support worker. A
survey in progress has no mode yet (only a submitted response has one), so with a mode `stopped`
is null.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from app import clock
from app.banks.localize import asked_at, iter_questions
from app.banks.models import BankVersion, QuestionBank
from app.errors import FieldError, InvalidInput, NotFound
from app.reporting import parameters
from app.reporting.aggregates import (
    ANSWERED_STATUSES,
    CSV_DISCLOSURE_COLUMNS,
    database_tallies,
    disclosure_csv_values,
    is_live,
)
from app.reporting.cells import Period, resolve_period
from app.reporting.disclosure import Disclosure, Tally, adjustment_bound, configured_min_cell
from app.reporting.periods import Piece, canonical_pieces
from app.reporting.tallies import Tallies


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
    mode: str | None = None
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
    mode: str | None = None,
    on: date | None = None,
) -> DropoffResult:
    """Per question of the bank's latest published version: reached, skipped, stopped."""
    if parameters.choice_problem("touchpoint", touchpoint):
        raise InvalidInput(
            "The touchpoint is not valid.",
            errors=[FieldError(("query", "touchpoint"), "Use a touchpoint of the contract.")],
        )
    if problem := parameters.choice_problem("mode", mode):
        raise InvalidInput("The mode is not valid.", errors=[problem.field_error()])
    versions = _bank_versions(session, bank)
    if not versions:
        raise NotFound("There is no published bank with that slug.")
    return dropoff_from(
        database_tallies(session),
        bank,
        versions[0].version,
        versions[0].document,
        [int(v.id) for v in versions if v.id is not None],
        touchpoint,
        period_from,
        period_to,
        mode=mode or None,
        on=on,
    )


def _question_pieces(
    tallies: Tallies,
    questions: Sequence[Mapping[str, Any]],
    version_ids: Sequence[int],
    touchpoint: str | None,
    period: Period,
    pieces: Sequence[Piece],
    mode: str | None,
) -> dict[tuple[str, Piece], QuestionPiece]:
    """Each question's answered and skipped responses per period piece."""
    multi = [str(q["id"]) for q in questions if q.get("type") == "multi"]
    single = [str(q["id"]) for q in questions if q.get("type") != "multi"]
    counts: dict[tuple[str, Piece], QuestionPiece] = {}
    for row in tallies.question_months(version_ids, single, multi, touchpoint, period, mode):
        piece = next(piece for piece in pieces if piece.first <= row.month <= piece.last)
        figures = counts.setdefault((row.question_id, piece), QuestionPiece(Tally(), Tally()))
        figures.answered = figures.answered + row.answered
        figures.skipped = figures.skipped + row.skipped
    return counts


def dropoff_from(
    tallies: Tallies,
    bank: str,
    version: int | None,
    document: Mapping[str, Any],
    version_ids: Sequence[int],
    touchpoint: str | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    mode: str | None = None,
    on: date | None = None,
) -> DropoffResult:
    """The drop-off of the questions of `document` (the bank's latest published version),
    counting the responses of `version_ids` (of `mode` only, when given), reading its tallies
    from `tallies`."""
    period = resolve_period(period_from, period_to, on or clock.today())
    min_cell = configured_min_cell()
    questions = [
        (section, question)
        for section, question in iter_questions(document)
        if question.get("type") != "text" and (not touchpoint or asked_at(question, touchpoint))
    ]
    pieces = canonical_pieces(period.first, period.last)
    counts = _question_pieces(
        tallies, [q for _, q in questions], version_ids, touchpoint, period, pieces, mode
    )
    # In-progress surveys have no mode: with a mode, none is counted as stopped (null).
    stopped = {} if mode else tallies.stopped(version_ids, touchpoint)
    live = tallies.live_response_months(period.first, period.last)
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
        version=version,
        touchpoint=touchpoint,
        period_from=period.label_from,
        period_to=period.label_to,
        min_cell=min_cell,
        mode=mode,
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
