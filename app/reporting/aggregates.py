"""Metric aggregates from the rollup counts: n, positive, rate, Wilson interval, suppression.

A metric's inputs are the (bank version, question, touchpoint) triples whose question is tagged
with the metric's measure and asked at that touchpoint. They come from the published versions'
documents, read once per version: a published document never changes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement, and_, case, func, select, tuple_
from sqlmodel import Session, col

from app import audit
from app.banks import metrics as metric_registry
from app.banks.localize import asked_at, iter_questions
from app.banks.metrics import Metric
from app.banks.models import BankVersion, QuestionBank
from app.enums import CrimeGroup, Touchpoint
from app.errors import InvalidInput, NotFound
from app.reporting import periods
from app.reporting.models import utc_now
from app.reporting.rollups import ALL, SKIPPED_CODE, rollup_table
from app.reporting.stats import wilson_interval
from app.reporting.suppression import suppress_small_cells

GROUP_DIMENSIONS: tuple[str, ...] = (
    "crime_group",
    "touchpoint",
    "area",
    "month",
    "quarter",
    "financial_year",
    "language",
)
FILTER_DIMENSIONS: tuple[str, ...] = ("crime_group", "touchpoint", "area", "language")
# Dimensions read from the month column and labelled in Python.
_MONTH_LABELS: dict[str, Callable[[date], str]] = {
    "month": periods.month_label,
    "quarter": periods.quarter_label,
    "financial_year": periods.financial_year_label,
}
ANSWERED_STATUSES = ("published", "retired")  # versions victims can have answered

GroupValue = str | None


class MetricCell(BaseModel):
    group: dict[str, GroupValue]
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool


class AggregateResult(BaseModel):
    metric: str
    title: str
    lower_is_better: bool
    group_by: list[str]
    min_cell: int
    cells: list[MetricCell]


class MetricInfo(BaseModel):
    id: str
    title: str
    description: str
    question_ids: list[str]
    positive_codes: list[str]
    excluded_codes: list[str]
    crime_groups: list[str]
    touchpoints: list[str]
    lower_is_better: bool


@dataclass(frozen=True)
class MonthRange:
    """Inclusive range of touchpoint months (first days); None is open-ended."""

    first: date | None = None
    last: date | None = None


# --- parameters -----------------------------------------------------------------------------


def parse_group_by(values: Iterable[str] | None) -> list[str]:
    """`group_by` given comma-separated or repeated → the dimensions in order, without repeats."""
    dimensions: list[str] = []
    unknown: list[str] = []
    for value in values or ():
        for part in value.split(","):
            name = part.strip()
            if not name:
                continue
            if name not in GROUP_DIMENSIONS:
                unknown.append(name)
            elif name not in dimensions:
                dimensions.append(name)
    if unknown:
        raise InvalidInput(
            "group_by takes only: " + ", ".join(GROUP_DIMENSIONS) + ".",
            errors=[
                {
                    "loc": ["query", "group_by"],
                    "msg": f"Unknown dimension; use any of {', '.join(GROUP_DIMENSIONS)}.",
                }
            ],
        )
    return dimensions


def parse_month_range(period_from: str | None, period_to: str | None) -> MonthRange:
    """`from` and `to` (YYYY-MM or YYYY-Qn, inclusive) → a month range; 422 when invalid."""
    errors: list[dict[str, Any]] = []
    first = last = None
    if period_from:
        try:
            first = periods.parse_period(period_from)[0]
        except ValueError as exc:
            errors.append({"loc": ["query", "from"], "msg": str(exc)})
    if period_to:
        try:
            last = periods.parse_period(period_to)[1]
        except ValueError as exc:
            errors.append({"loc": ["query", "to"], "msg": str(exc)})
    if first and last and first > last:
        errors.append({"loc": ["query", "to"], "msg": "The end of the period is before its start."})
    if errors:
        raise InvalidInput("The period is not valid.", errors=errors)
    return MonthRange(first, last)


def parse_filters(filters: Mapping[str, str | None] | None) -> dict[str, str]:
    """Filters on crime group, touchpoint, area and language; blank values are ignored."""
    chosen = {name: value for name, value in (filters or {}).items() if value not in (None, "")}
    errors: list[dict[str, Any]] = []
    for name, value in chosen.items():
        if name not in FILTER_DIMENSIONS:
            errors.append({"loc": ["query", name], "msg": "Not a filter."})
        elif name == "crime_group" and value not in {g.value for g in CrimeGroup}:
            errors.append({"loc": ["query", name], "msg": "Use general, rasso or vawg."})
        elif name == "touchpoint" and value not in {t.value for t in Touchpoint}:
            errors.append(
                {"loc": ["query", name], "msg": "Use reporting, investigation, outcome or court."}
            )
    if errors:
        raise InvalidInput("A filter is not valid.", errors=errors)
    return {name: str(value) for name, value in chosen.items()}


def get_metric_or_404(metric_id: str) -> Metric:
    metric = metric_registry.get_metric(metric_id)
    if metric is None:
        raise NotFound("There is no metric with that id.")
    return metric


# --- which questions feed a metric ----------------------------------------------------------

# (version id, content hash) → measure → {(question id, touchpoint)}. Keyed by hash as well as
# id, so a reused id (a test database emptied between tests) can never serve a stale document.
_FEEDS_CACHE: dict[tuple[int, str], dict[str, frozenset[tuple[str, str]]]] = {}
_ALL_TOUCHPOINTS = tuple(t.value for t in Touchpoint)


def measure_feeds(document: Mapping[str, Any]) -> dict[str, frozenset[tuple[str, str]]]:
    """For one bank document: measure → the (question id, touchpoint) pairs that feed it."""
    feeds: dict[str, set[tuple[str, str]]] = {}
    for _section, question in iter_questions(document):
        for measure in question.get("measures") or ():
            for touchpoint in _ALL_TOUCHPOINTS:
                if asked_at(question, touchpoint):
                    feeds.setdefault(str(measure), set()).add((str(question["id"]), touchpoint))
    return {measure: frozenset(pairs) for measure, pairs in feeds.items()}


def _answered_versions(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(col(BankVersion.id), col(BankVersion.content_hash)).where(
            col(BankVersion.status).in_(ANSWERED_STATUSES)
        )
    ).all()
    return [(int(version_id), str(content_hash)) for version_id, content_hash in rows]


def _feeds_by_version(
    session: Session, versions: Sequence[tuple[int, str]]
) -> dict[int, dict[str, frozenset[tuple[str, str]]]]:
    missing = [version for version in versions if version not in _FEEDS_CACHE]
    if missing:
        ids = [version_id for version_id, _ in missing]
        for version_id, content_hash, document in session.execute(
            select(
                col(BankVersion.id), col(BankVersion.content_hash), col(BankVersion.document)
            ).where(col(BankVersion.id).in_(ids))
        ).all():
            _FEEDS_CACHE[(int(version_id), str(content_hash))] = measure_feeds(document)
    return {version_id: _FEEDS_CACHE.get((version_id, h), {}) for version_id, h in versions}


def metric_inputs(session: Session, metric_id: str) -> list[tuple[int, str, str]]:
    """(bank version id, question id, touchpoint) triples that feed `metric_id`."""
    feeds = _feeds_by_version(session, _answered_versions(session))
    return sorted(
        (version_id, question_id, touchpoint)
        for version_id, by_measure in feeds.items()
        for question_id, touchpoint in by_measure.get(metric_id, ())
    )


def latest_question_ids(session: Session) -> dict[str, list[str]]:
    """Measure → ids of the questions feeding it in each bank's latest published version."""
    latest = (
        select(col(BankVersion.bank_id), func.max(col(BankVersion.version)).label("version"))
        .where(col(BankVersion.status) == "published")
        .group_by(col(BankVersion.bank_id))
        .subquery()
    )
    rows = session.execute(
        select(col(BankVersion.id), col(BankVersion.content_hash))
        .join(
            latest,
            and_(
                col(BankVersion.bank_id) == latest.c.bank_id,
                col(BankVersion.version) == latest.c.version,
            ),
        )
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
    ).all()
    versions = [(int(version_id), str(content_hash)) for version_id, content_hash in rows]
    by_measure: dict[str, set[str]] = {}
    for feeds in _feeds_by_version(session, versions).values():
        for measure, pairs in feeds.items():
            by_measure.setdefault(measure, set()).update(question for question, _ in pairs)
    return {measure: sorted(ids) for measure, ids in by_measure.items()}


def list_metrics(session: Session) -> list[MetricInfo]:
    """The metric registry, with the questions that feed each metric today."""
    question_ids = latest_question_ids(session)
    return [
        MetricInfo(
            id=metric.id,
            title=metric.title,
            description=metric.description,
            question_ids=question_ids.get(metric.id, []),
            positive_codes=sorted(metric.positive_codes),
            excluded_codes=sorted(metric.excluded_codes),
            crime_groups=sorted(metric.crime_groups),
            touchpoints=[t for t in _ALL_TOUCHPOINTS if t in metric.touchpoints],
            lower_is_better=metric.lower_is_better,
        )
        for metric in metric_registry.METRICS
    ]


# --- grouping helpers shared with the funnel ------------------------------------------------


def month_dimension_needed(group_by: Sequence[str]) -> bool:
    return any(name in _MONTH_LABELS for name in group_by)


def group_label(name: str, row: Mapping[str, Any]) -> GroupValue:
    """The label of dimension `name` for a row holding the base columns."""
    if name in _MONTH_LABELS:
        month = row["month"]
        if isinstance(month, str):  # SQLite may hand back text
            month = date.fromisoformat(month[:10])
        return _MONTH_LABELS[name](month)
    value = row[name]
    if name == "area" and not value:
        return None  # area unknown
    return None if value is None else str(value)


def sort_key(key: tuple[GroupValue, ...]) -> tuple[tuple[int, str], ...]:
    """Order cells by their labels, unknown (None) last in each dimension."""
    return tuple((1, "") if value is None else (0, value) for value in key)


# --- the aggregate --------------------------------------------------------------------------


FINE_DIMENSIONS = ("area", "language")


def rollup_level(group_by: Sequence[str], filters: Mapping[str, str]) -> ColumnElement[bool]:
    """Read the coarse rows (area and language ALL) unless area or language is asked for."""
    if any(name in FINE_DIMENSIONS for name in (*group_by, *filters)):
        return rollup_table.c.language != ALL
    return rollup_table.c.language == ALL


def _rollup_filters(filters: Mapping[str, str], months: MonthRange) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    for name, value in filters.items():
        conditions.append(rollup_table.c[name] == value)
    if months.first is not None:
        conditions.append(rollup_table.c.month >= months.first)
    if months.last is not None:
        conditions.append(rollup_table.c.month <= months.last)
    return conditions


def metric_counts(
    session: Session,
    metric: Metric,
    group_by: Sequence[str],
    filters: Mapping[str, str],
    months: MonthRange,
) -> dict[tuple[GroupValue, ...], tuple[int, int]]:
    """Group key → (n, positive) for one metric, unsuppressed; groups with n = 0 left out."""
    inputs = metric_inputs(session, metric.id)
    if not inputs:
        return {}
    base = [name for name in FILTER_DIMENSIONS if name in group_by]
    if month_dimension_needed(group_by):
        base.append("month")
    base_columns = [rollup_table.c[name] for name in base]
    code = rollup_table.c.code
    counted = and_(code != SKIPPED_CODE, code.not_in(sorted(metric.excluded_codes)))
    statement = (
        select(
            *base_columns,
            func.sum(case((counted, rollup_table.c.count), else_=0)).label("n"),
            func.sum(
                case((code.in_(sorted(metric.positive_codes)), rollup_table.c.count), else_=0)
            ).label("positive"),
        )
        .where(
            # The question_id predicate lets the planner use the rollup key's index.
            rollup_table.c.question_id.in_(sorted({q for _, q, _ in inputs})),
            tuple_(
                rollup_table.c.bank_version_id,
                rollup_table.c.question_id,
                rollup_table.c.touchpoint,
            ).in_(inputs),
            rollup_level(group_by, filters),
            *_rollup_filters(filters, months),
        )
        .group_by(*base_columns)
    )
    totals: dict[tuple[GroupValue, ...], tuple[int, int]] = {}
    for row in session.execute(statement).mappings():
        values = dict(row)
        key = tuple(group_label(name, values) for name in group_by)
        n, positive = totals.get(key, (0, 0))
        totals[key] = (n + int(row["n"] or 0), positive + int(row["positive"] or 0))
    return {key: value for key, value in totals.items() if value[0] > 0}


CountsT = TypeVar("CountsT")


def shown_groups(
    group_by: Sequence[str],
    counts: Mapping[tuple[GroupValue, ...], CountsT],
    size: Callable[[CountsT], int],
    min_cell: int,
) -> Iterator[tuple[dict[str, GroupValue], CountsT | None]]:
    """Each group's labels in label order, with its counts, or None where suppression hides
    them (primary and secondary, on the group's `size`)."""
    keys = sorted(counts, key=sort_key)
    hidden = suppress_small_cells(keys, [size(counts[key]) for key in keys], min_cell)
    for key, suppressed in zip(keys, hidden, strict=True):
        yield dict(zip(group_by, key, strict=True)), None if suppressed else counts[key]


def build_cells(
    group_by: Sequence[str], counts: Mapping[tuple[GroupValue, ...], tuple[int, int]], min_cell: int
) -> list[MetricCell]:
    """Cells in label order with rates, intervals and suppression applied."""
    cells: list[MetricCell] = []
    for group, count in shown_groups(group_by, counts, lambda count: count[0], min_cell):
        if count is None:
            cells.append(
                MetricCell(
                    group=group,
                    n=None,
                    positive=None,
                    rate=None,
                    ci_low=None,
                    ci_high=None,
                    suppressed=True,
                )
            )
            continue
        n, positive = count
        interval = wilson_interval(positive, n)
        assert interval is not None  # n > 0 for every listed cell
        cells.append(
            MetricCell(
                group=group,
                n=n,
                positive=positive,
                rate=positive / n,
                ci_low=interval[0],
                ci_high=interval[1],
                suppressed=False,
            )
        )
    return cells


def aggregate_metric(
    session: Session,
    metric_id: str,
    group_by: Sequence[str] | None = None,
    filters: Mapping[str, str | None] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    min_cell: int = 10,
) -> AggregateResult:
    """One metric by any combination of dimensions, suppressed; raises NotFound/InvalidInput."""
    metric = get_metric_or_404(metric_id)
    dimensions = parse_group_by(group_by)
    chosen = parse_filters(filters)
    months = parse_month_range(period_from, period_to)
    counts = metric_counts(session, metric, dimensions, chosen, months)
    return AggregateResult(
        metric=metric.id,
        title=metric.title,
        lower_is_better=metric.lower_is_better,
        group_by=dimensions,
        min_cell=min_cell,
        cells=build_cells(dimensions, counts, min_cell),
    )


def record_aggregate_read(
    session: Session, *, actor: str, metric: str, params: Mapping[str, Any]
) -> None:
    """Audit one aggregate read: who, which figure, which parameters (never personal data)."""
    detail = {"metric": metric, "params": {k: v for k, v in params.items() if v not in (None, "")}}
    event = audit.record(
        session,
        actor=actor,
        action="aggregates.read",
        object_type="metric",
        object_id=metric,
        detail=detail,
    )
    event.occurred_at = utc_now()  # the column takes aware times only


CSV_VALUE_COLUMNS = ("n", "positive", "rate", "ci_low", "ci_high", "suppressed")


def aggregate_csv_rows(result: AggregateResult) -> tuple[list[str], list[list[Any]]]:
    """Columns and rows of an aggregate as CSV: the group dimensions, then the figures."""
    columns = [*result.group_by, *CSV_VALUE_COLUMNS]
    rows = [
        [
            *(cell.group.get(name) for name in result.group_by),
            cell.n,
            cell.positive,
            cell.rate,
            cell.ci_low,
            cell.ci_high,
            cell.suppressed,
        ]
        for cell in result.cells
    ]
    return columns, rows
