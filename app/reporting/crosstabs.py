"""Cross-tabs: one measure tabulated by another closed question's answer (issue 14, point 3).

For example attrition by whether an ISVA was offered. It shows association, not cause: victims
offered an ISVA may differ in many other ways from those who were not.

Disclosure (docs/disclosure-control.md, "Cross-tabs"): the answer is one of the query's two
limited extra dimensions (the other can only be mode: area, language and the equality
characteristics are refused, the rows do not keep them), so a cross-tab is at force level, by
crime group, touchpoint and mode at most. Its period is whole calendar quarters, grouped by
quarter or financial year, never by month (422), so no piece is smaller than a quarter. Each
cell is built like a metric cell (app.reporting.aggregates.metric_cell) from its own tallies
in the cross-tab rollup (app.reporting.crosstab_rollup), whose cell keys come from the records'
keys: the same records give the same published count however they are asked for, and a cell's
count is never the plain metric's count less other published counts. A cell is suppressed below
min_cell (for sensitive measures also when too few answered either way), decided on published
counts only. Every answer a bank offers is listed, whether or not anyone gave it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select, tuple_
from sqlmodel import Session

from app import clock
from app.banks.aspects import aspects_of
from app.banks.metrics import Metric, is_right_rate
from app.banks.schema import CHARACTERISTICS
from app.enums import CRIME_GROUPS, MODES, TOUCHPOINTS
from app.errors import FieldError, InvalidInput
from app.reporting.aggregates import (
    EMPTY_METRIC_PIECE,
    MetricCell,
    MetricPiece,
    aggregate_csv_rows,
    database_tallies,
    get_metric_or_404,
    is_live,
    metric_cell,
    shows_dont_know,
)
from app.reporting.cells import (
    LIMITED_DIMENSIONS,
    TOO_MANY_DIMENSIONS,
    UNKNOWN_DIMENSION,
    CellKey,
    Grouping,
    check_dimension_limit,
    parse_filters,
    parse_group_by,
    resolve_period,
)
from app.reporting.crosstab_rollup import closed_questions, crosstab_table
from app.reporting.disclosure import (
    SENSITIVE_MEASURES,
    Disclosure,
    Tally,
    adjustment_bound,
    configured_min_cell,
)
from app.reporting.feeds import answered_version_ids, metric_inputs
from app.reporting.metric_sums import side_sums, side_tallies
from app.reporting.offered import Offered
from app.reporting.periods import Piece
from app.reporting.tally_source import Period, as_month

ANSWER = "answer"  # the group label of the by-question's answer
GROUP_BY: tuple[str, ...] = ("crime_group", "touchpoint", "mode", "quarter", "financial_year")
FILTERS: tuple[str, ...] = ("crime_group", "touchpoint", "mode")
REFUSED: dict[str, str] = {
    "month": "Cross-tabs are quarterly or longer: group by quarter or financial_year.",
    "area": "Cross-tabs are at force level: they are not split or filtered by area.",
    "language": "Cross-tabs are not split or filtered by language.",
    **{
        name: "Cross-tabs are not split or filtered by an equality characteristic."
        for name in CHARACTERISTICS
    },
}
NOT_CROSSTAB = "not_for_crosstab"
NOT_QUARTERS = "not_whole_quarters"
NOT_CLOSED = "not_a_closed_question"
SENSITIVE_QUESTION = "sensitive_question"
SENSITIVE_BY = (
    "A question feeding a sensitive measure (attrition, retraumatisation, believed, trust) "
    "cannot split a cross-tab: choose another question."
)
ASSOCIATION = (
    "A cross-tab shows association, not cause: people who gave one answer may differ from the "
    "others in many ways besides it."
)


class CrosstabResult(BaseModel):
    metric: str
    title: str
    by_question: str
    answers: list[str]
    lower_is_better: bool
    group_by: list[str]
    period_from: str
    period_to: str
    min_cell: int
    cells: list[MetricCell]
    note: str = ASSOCIATION
    disclosure: Disclosure


def _refuse(field: str, message: str, kind: str) -> InvalidInput:
    return InvalidInput(message, errors=[FieldError(("query", field), message, kind)])


def check_dimensions(group_by: Sequence[str], filters: Mapping[str, str | None]) -> None:
    """422 for month, area, language, a characteristic, or any other unknown dimension."""
    for name in [*group_by, *(k for k, v in filters.items() if v not in (None, ""))]:
        if name in REFUSED:
            place = "group_by" if name in group_by else name
            raise _refuse(place, REFUSED[name], NOT_CROSSTAB)
        if name not in (*GROUP_BY, *FILTERS):
            raise _refuse("group_by", f"Use any of {', '.join(GROUP_BY)}.", UNKNOWN_DIMENSION)


def whole_quarters(period: Period) -> None:
    """422 unless the period starts and ends on calendar quarter boundaries."""
    if period.first.month % 3 != 1 or period.last.month % 3 != 0:
        raise _refuse(
            "from", "Cross-tabs cover whole quarters: use from and to like 2026-Q1.", NOT_QUARTERS
        )


def by_question_codes(session: Session, by_question: str) -> list[str]:
    """The by-question's answer codes in the published (and retired) banks, in order; 422 when
    no bank asks it as a closed question (from the banks, never from the answers)."""
    codes: list[str] = []
    if len(by_question) <= 120:
        for questions in closed_questions(session, answered_version_ids(session)).values():
            for code in questions.get(by_question, ()):
                if code not in codes:
                    codes.append(code)
    if not codes:
        raise _refuse(
            "by",
            "No published bank asks that as a closed question (single, yes/no or scale) "
            "outside a sensitive or equality section.",
            NOT_CLOSED,
        )
    return codes


@dataclass(frozen=True)
class CrosstabRow:
    values: dict[str, Any]
    by_code: str
    month: date
    tallies: dict[str, Tally]


def crosstab_months(
    session: Session,
    metric: Metric,
    by_question: str,
    columns: Sequence[str],
    filters: Mapping[str, str],
    period: Period,
) -> list[CrosstabRow]:
    """The metric's tallies per by-code, `columns` and month, from the cross-tab rows."""
    inputs = metric_inputs(session, metric.id)
    if not inputs:
        return []
    table = crosstab_table
    base = [table.c[name] for name in columns]
    statement = (
        select(*base, table.c.by_code, table.c.month, *side_sums(table, metric))
        .where(
            table.c.question_id.in_(sorted({q for _, q, _ in inputs})),
            tuple_(table.c.bank_version_id, table.c.question_id, table.c.touchpoint).in_(inputs),
            table.c.by_question == by_question,
            table.c.month >= period.first,
            table.c.month <= period.last,
            *(table.c[name] == value for name, value in filters.items()),
        )
        .group_by(*base, table.c.by_code, table.c.month)
    )
    return [
        CrosstabRow(
            {name: row[name] for name in columns},
            str(row["by_code"]),
            as_month(row["month"]),
            side_tallies(row),
        )
        for row in session.execute(statement).mappings()
    ]


def crosstab(
    session: Session,
    metric_id: str,
    by_question: str,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    on: date | None = None,
) -> CrosstabResult:
    """One metric by the answer to `by_question`, under the disclosure control; raises
    NotFound / InvalidInput."""
    metric = get_metric_or_404(metric_id)
    dimensions, chosen, period = _plan(group_by, filters, period_from, period_to, on)
    codes = by_question_codes(session, by_question)
    check_by_question(session, metric, by_question)
    allowed = {"crime_group": CRIME_GROUPS, "touchpoint": TOUCHPOINTS, "mode": MODES}
    grouping = Grouping(dimensions, chosen, period, Offered({}), allowed)
    accumulated = _accumulate(session, metric, by_question, grouping, chosen, period)
    live = database_tallies(session).live_response_months(period.first, period.last)
    min_cell = configured_min_cell()
    sensitive = metric.id in SENSITIVE_MEASURES
    cells: list[MetricCell] = []
    most = 0
    specs = grouping.cells()
    if len(specs) * len(codes) > 10_000:
        raise _refuse("group_by", "Too many cells: narrow the query.", TOO_MANY_DIMENSIONS)
    for code in codes:
        for spec in specs:
            pieces = [
                accumulated.get((code, spec.key, piece), EMPTY_METRIC_PIECE)
                for piece in spec.pieces
                if is_live(piece, live)
            ]
            most = max(most, len(pieces))
            cells.append(
                metric_cell(
                    {ANSWER: code, **spec.group},
                    pieces,
                    min_cell=min_cell,
                    sensitive=sensitive,
                    dont_know=shows_dont_know(metric),
                )
            )
    return CrosstabResult(
        metric=metric.id,
        title=metric.title,
        by_question=by_question,
        answers=codes,
        lower_is_better=metric.lower_is_better,
        group_by=[ANSWER, *dimensions],
        period_from=period.label_from,
        period_to=period.label_to,
        min_cell=min_cell,
        cells=cells,
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=adjustment_bound(2 * most)),
    )


def _plan(
    group_by: Sequence[str] | None,
    filters: Mapping[str, str | None] | None,
    period_from: str | None,
    period_to: str | None,
    on: date | None,
) -> tuple[list[str], dict[str, str], Period]:
    """Checked dimensions, filters and whole-quarter period; InvalidInput otherwise."""
    dimensions = parse_group_by(group_by)
    given = dict(filters or {})
    check_dimensions(dimensions, given)
    chosen = parse_filters(given)
    # The answer is one of the query's limited dimensions.
    check_dimension_limit([*dimensions, ANSWER], chosen, limited=LIMITED_DIMENSIONS | {ANSWER})
    period = resolve_period(period_from, period_to, on or clock.today())
    whole_quarters(period)
    return dimensions, chosen, period


def _accumulate(
    session: Session,
    metric: Metric,
    by_question: str,
    grouping: Grouping,
    chosen: Mapping[str, str],
    period: Period,
) -> dict[tuple[str, CellKey, Piece], MetricPiece]:
    """The tallies of each (answer, cell, period piece)."""
    columns = [name for name in FILTERS if name in grouping.group_by or name in chosen]
    accumulated: dict[tuple[str, CellKey, Piece], MetricPiece] = {}
    for row in crosstab_months(session, metric, by_question, columns, chosen, period):
        placed = grouping.place(row.values, row.month)
        if placed is None:
            continue
        slot = (row.by_code, *placed)
        before = accumulated.get(slot, EMPTY_METRIC_PIECE)
        accumulated[slot] = MetricPiece(
            before.positive + row.tallies["positive"],
            before.negative + row.tallies["negative"],
            before.dont_know + row.tallies.get("dont_know", Tally()),
        )
    return accumulated


def check_by_question(session: Session, metric: Metric, by_question: str) -> None:
    """422 for the measure's own question or one feeding a sensitive measure."""
    if by_question in metric_inputs_questions(session, metric):
        raise _refuse("by", "Choose a question other than the measure's own.", NOT_CLOSED)
    if by_question in sensitive_questions(session):
        raise _refuse("by", SENSITIVE_BY, SENSITIVE_QUESTION)


def sensitive_questions(session: Session) -> set[str]:
    """Questions feeding a sensitive measure. Split by one, a cross-tab's cells count its
    answers outside that measure's rule: 12 victims who all thought about stepping back make
    an attrition cell that is hidden, but a "yes" column of 12 beside a plain count of 12."""
    return {
        question
        for measure in SENSITIVE_MEASURES
        for _, question, _ in metric_inputs(session, measure)
    }


def metric_inputs_questions(session: Session, metric: Metric) -> set[str]:
    """The questions that feed the measure: for a right's own figure (derived from its
    aspects), the questions of every aspect, so a right is never split by its own answers."""
    measures = [metric.id]
    if metric.right is not None and is_right_rate(metric.id):
        measures += [aspect.id for aspect in aspects_of(metric.right)]
    return {question for measure in measures for _, question, _ in metric_inputs(session, measure)}


def crosstab_csv_rows(result: CrosstabResult) -> tuple[list[str], list[list[Any]]]:
    """The same columns as an aggregate's CSV, the answer being one of the group columns."""
    return aggregate_csv_rows(result)
