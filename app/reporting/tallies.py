"""Where the aggregates read their month-level tallies (counts and cell keys).

The aggregates (metrics, funnel, drop-off) turn month-level tallies into published cells in
plain functions; `Tallies` is all they need from storage. `DatabaseTallies` reads the rollups
and the invitation and answer tables. The disclosure tests run most of their thousands of key
draws through the same functions with the records held in memory (tests/disclosure/), and
check on the database that both give the same answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, Table, case, func, or_, select, tuple_
from sqlmodel import Session

from app.banks.metrics import Metric
from app.enums import Mode
from app.invitations.lifecycle import InvitationStatus
from app.invitations.models import Invitation
from app.reporting import periods
from app.reporting.characteristics import (
    characteristic_months,
    characteristic_used,
    characteristic_values,
)
from app.reporting.disclosure import Tally, tally
from app.reporting.metric_sums import side_sums, side_tallies
from app.reporting.rollups import (
    ALL,
    RESPONSES,
    SKIPPED_CODE,
    answer_table,
    response_table,
    rollup_table,
)
from app.reporting.tally_source import MonthTallies, Period, QuestionMonth, Tallies, as_month

__all__ = ["STAGE_NAMES", "DatabaseTallies", "MonthTallies", "QuestionMonth", "Tallies"]

invitation_table: Table = Invitation.__table__  # type: ignore[attr-defined]

# Funnel stage → the timestamps of which any one means the invitation reached it (None: all).
# A stage counts invitations that reached it or any later stage, so counts never rise along
# the chain invited → … → completed.
REACHED_BY: tuple[tuple[str, tuple[str, ...] | None], ...] = (
    ("invited", None),
    ("sent", ("first_sent_at", "delivered_at", "opened_at", "started_at", "completed_at")),
    ("delivered", ("delivered_at", "opened_at", "started_at", "completed_at")),
    ("opened", ("opened_at", "started_at", "completed_at")),
    ("started", ("started_at", "completed_at")),
    ("completed", ("completed_at",)),
    ("withdrawn", ("withdrawn_at",)),
)
STAGE_NAMES = tuple(name for name, _ in REACHED_BY)
IN_PROGRESS = InvitationStatus.started  # a survey begun and not submitted


class MetricInputs(Protocol):
    def __call__(self, session: Session, metric_id: str) -> list[tuple[int, str, str]]: ...


class DatabaseTallies:
    """Tallies read from the rollups, invitations and answers of one session."""

    def __init__(self, session: Session, metric_inputs: MetricInputs) -> None:
        self.session = session
        self._metric_inputs = metric_inputs

    # --- metrics ------------------------------------------------------------------------

    def metric_months(
        self,
        metric: Metric,
        columns: Sequence[str],
        filters: Mapping[str, str],
        period: Period,
        *,
        fine: bool,
    ) -> list[MonthTallies]:
        inputs = self._metric_inputs(self.session, metric.id)
        if not inputs:
            return []
        characteristic = characteristic_used(columns, filters)
        if characteristic is not None:  # an equality dimension: its own rows
            return characteristic_months(
                self.session, metric, inputs, columns, filters, period, characteristic
            )
        base = [rollup_table.c[name] for name in columns]
        conditions = [
            # The question_id predicate lets the planner use the rollup key's index.
            rollup_table.c.question_id.in_(sorted({q for _, q, _ in inputs})),
            tuple_(
                rollup_table.c.bank_version_id,
                rollup_table.c.question_id,
                rollup_table.c.touchpoint,
            ).in_(inputs),
            rollup_table.c.language != ALL if fine else rollup_table.c.language == ALL,
            rollup_table.c.month >= period.first,
            rollup_table.c.month <= period.last,
            *(rollup_table.c[name] == value for name, value in filters.items()),
        ]
        statement = (
            select(
                *base,
                rollup_table.c.month,
                *side_sums(rollup_table, metric),
            )
            .where(*conditions)
            .group_by(*base, rollup_table.c.month)
        )
        return [
            MonthTallies(
                {name: row[name] for name in columns},
                as_month(row["month"]),
                side_tallies(row),
            )
            for row in self.session.execute(statement).mappings()
        ]

    def characteristic_values(self, name: str) -> list[str]:
        return characteristic_values(self.session, name)

    def response_months(self, dimension: str, first: date, last: date) -> list[MonthTallies]:
        column = rollup_table.c[dimension]
        statement = (
            select(
                column,
                rollup_table.c.month,
                func.sum(rollup_table.c.count),
                func.sum(rollup_table.c.key_sum),
            )
            .where(
                rollup_table.c.question_id == RESPONSES,
                rollup_table.c.language != ALL,
                rollup_table.c.month >= first,
                rollup_table.c.month <= last,
            )
            .group_by(column, rollup_table.c.month)
        )
        return [
            MonthTallies({dimension: value}, as_month(month), {"responses": tally(count, key)})
            for value, month, count, key in self.session.execute(statement).all()
        ]

    def live_response_months(self, first: date, last: date) -> set[date]:
        rows = self.session.execute(
            select(rollup_table.c.month)
            .where(
                rollup_table.c.question_id == RESPONSES,
                rollup_table.c.language == ALL,
                rollup_table.c.month >= first,
                rollup_table.c.month <= last,
                rollup_table.c.count > 0,
            )
            .distinct()
        ).all()
        return {as_month(month) for (month,) in rows}

    # --- invitations --------------------------------------------------------------------

    def _month_text(self) -> ColumnElement[str]:
        """`YYYY-MM` of the touchpoint date, in the database's own dialect."""
        column = invitation_table.c.touchpoint_date
        if self.session.get_bind().dialect.name == "postgresql":
            return func.to_char(column, "YYYY-MM")
        return func.strftime("%Y-%m", column)

    @staticmethod
    def _in_months(first: date, last: date) -> list[ColumnElement[bool]]:
        column = invitation_table.c.touchpoint_date
        return [column >= first, column < periods.next_month(last)]

    def invitation_months(
        self, columns: Sequence[str], filters: Mapping[str, str], period: Period
    ) -> list[MonthTallies]:
        month = self._month_text().label("month_text")
        base: list[ColumnElement[Any]] = [invitation_table.c[name] for name in columns]
        figures: list[ColumnElement[Any]] = []
        for name, stage in REACHED_BY:
            if stage is None:
                figures += [
                    func.count().label(name),
                    func.sum(invitation_table.c.record_key).label(f"{name}_key"),
                ]
                continue
            reached = or_(*(invitation_table.c[column].is_not(None) for column in stage))
            figures += [
                func.sum(case((reached, 1), else_=0)).label(name),
                func.sum(case((reached, invitation_table.c.record_key), else_=0)).label(
                    f"{name}_key"
                ),
            ]
        conditions = [
            *self._in_months(period.first, period.last),
            *(invitation_table.c[name] == value for name, value in filters.items()),
        ]
        statement = select(*base, month, *figures).where(*conditions).group_by(*base, month)
        return [
            MonthTallies(
                {name: row[name] for name in columns},
                date.fromisoformat(f"{row['month_text']}-01"),
                {name: tally(row[name], row[f"{name}_key"]) for name in STAGE_NAMES},
            )
            for row in self.session.execute(statement).mappings()
        ]

    def live_invitation_months(self, first: date, last: date) -> set[date]:
        month = self._month_text()
        rows = self.session.execute(
            select(month).where(*self._in_months(first, last)).distinct()
        ).all()
        return {date.fromisoformat(f"{text}-01") for (text,) in rows}

    # --- questions ----------------------------------------------------------------------

    def question_months(
        self,
        version_ids: Sequence[int],
        single: Sequence[str],
        multi: Sequence[str],
        touchpoint: str | None,
        period: Period,
        mode: str | None = None,
    ) -> list[QuestionMonth]:
        statements = []
        if single:
            statements.append(_single_answer_months(version_ids, single, touchpoint, period, mode))
        if multi:
            statements.append(_multi_answer_months(version_ids, multi, touchpoint, period, mode))
        found: dict[tuple[str, date], dict[bool, Tally]] = {}
        for statement in statements:
            for question_id, month, skipped, count, key in self.session.execute(statement).all():
                slot = found.setdefault((str(question_id), as_month(month)), {})
                slot[bool(skipped)] = slot.get(bool(skipped), Tally()) + tally(count, key)
        return [
            QuestionMonth(
                question_id, month, figures.get(False, Tally()), figures.get(True, Tally())
            )
            for (question_id, month), figures in found.items()
        ]

    def stopped(self, version_ids: Sequence[int], touchpoint: str | None) -> dict[str, Tally]:
        conditions: list[ColumnElement[bool]] = [
            invitation_table.c.status == IN_PROGRESS,
            invitation_table.c.bank_version_id.in_(version_ids),
            invitation_table.c.resume_at.like("q:%"),
        ]
        if touchpoint:
            conditions.append(invitation_table.c.touchpoint == touchpoint)
        rows = self.session.execute(
            select(
                invitation_table.c.resume_at,
                func.count(),
                func.sum(invitation_table.c.record_key),
            )
            .where(*conditions)
            .group_by(invitation_table.c.resume_at)
        ).all()
        return {str(resume_at)[2:]: tally(count, key) for resume_at, count, key in rows}


# --- per question and month: answered and skipped (rows of question, month, skipped, n, key)


def _in_slice(table: Table, touchpoint: str | None, period: Period) -> list[ColumnElement[bool]]:
    conditions = [table.c.month >= period.first, table.c.month <= period.last]
    if touchpoint:
        conditions.append(table.c.touchpoint == touchpoint)
    return conditions


def _rollups_of_mode(mode: str | None) -> list[ColumnElement[bool]]:
    """Rollup rows of one mode, or of both when `mode` is None."""
    return [] if mode is None else [rollup_table.c.mode == mode]


def _responses_of_mode(mode: str | None) -> list[ColumnElement[bool]]:
    """Responses of one mode, or of both when `mode` is None."""
    if mode is None:
        return []
    return [response_table.c.assisted == (mode == Mode.assisted.value)]


def _single_answer_months(
    version_ids: Sequence[int],
    single: Sequence[str],
    touchpoint: str | None,
    period: Period,
    mode: str | None,
) -> Select[Any]:
    """Single-answer questions, from the rollup's coarse rows (no area or language asked)."""
    is_skip = rollup_table.c.code == SKIPPED_CODE
    return (
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
            rollup_table.c.language == ALL,
            *_in_slice(rollup_table, touchpoint, period),
            *_rollups_of_mode(mode),
        )
        .group_by(rollup_table.c.question_id, rollup_table.c.month, is_skip)
    )


def _multi_answer_months(
    version_ids: Sequence[int],
    multi: Sequence[str],
    touchpoint: str | None,
    period: Period,
    mode: str | None,
) -> Select[Any]:
    """Multi-answer questions: one row per code, so responses are counted from the answers."""
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
    return (
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
            *_in_slice(response_table, touchpoint, period),
            *_responses_of_mode(mode),
        )
        .group_by(per_response.c.question_id, response_table.c.month, per_response.c.skipped)
    )
