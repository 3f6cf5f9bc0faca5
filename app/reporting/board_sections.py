"""The board's priorities in the quarterly report: one section each, by crime group.

Each section holds one or more measures (published cells of the aggregates API, by crime group
and for all groups) and, for attrition, the force's own count of victim-withdrawn outcomes
beside the survey's "thought about stepping back". The withdrawn outcomes are invitations whose
`outcome` is `victim_withdrew`, counted by the touchpoint date's quarter under the same
disclosure control as the funnel: each quarter × crime group is one count published once
through the cell-key table (the sum of its invitations' record keys), and a count below
min_cell is suppressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.banks.metrics import get_metric
from app.enums import CRIME_GROUPS, Outcome
from app.invitations.models import Invitation
from app.reporting import periods
from app.reporting.aggregates import MetricCell, aggregate_metric
from app.reporting.disclosure import Tally, adjustment_bound, is_low_base, tally

ALL_GROUPS = "all"


@dataclass(frozen=True)
class Priority:
    id: str
    title: str
    metric_ids: tuple[str, ...]
    summary: str  # what the section shows, in a sentence


# The board's priorities (docs/product.md), in the order the board reads them.
BOARD_PRIORITIES: tuple[Priority, ...] = (
    Priority(
        "satisfaction",
        "Satisfaction",
        ("satisfaction.overall",),
        "Share satisfied with their whole experience of the police.",
    ),
    Priority(
        "report-again",
        "Would report again",
        ("report_again",),
        "Share who would definitely or probably report a crime to the police again.",
    ),
    Priority(
        "attrition",
        "Attrition",
        ("attrition",),
        "Share who have thought about stepping back from the case (lower is better), beside "
        "the cases the force records as withdrawn by the victim.",
    ),
    Priority(
        "retraumatisation",
        "Not retraumatised",
        ("retraumatisation",),
        "Share who said dealing with the police made them feel worse. Lower is better: the "
        "fewer, the more victims were not retraumatised.",
    ),
    Priority(
        "trust",
        "Trust and confidence",
        ("procedural_justice.trust", "confidence"),
        "Share who trusted the officers dealing with them, and share with confidence in the "
        "local police.",
    ),
    Priority(
        "feel-safe",
        "Feeling safer",
        ("feel_safe",),
        "Share who feel safer now than before they contacted the police.",
    ),
)


@dataclass(frozen=True)
class MeasureRows:
    """One measure by crime group (those with any figure), then all groups."""

    metric_id: str
    title: str
    lower_is_better: bool
    by_group: list[tuple[str, MetricCell]]  # (crime group or ALL_GROUPS, cell)
    max_adjustment: int


@dataclass(frozen=True)
class WithdrawnCell:
    crime_group: str
    count: int | None  # None: suppressed
    suppressed: bool
    low_base: bool | None


@dataclass
class BoardSection:
    priority: Priority
    measures: list[MeasureRows]
    withdrawn: list[WithdrawnCell] = field(default_factory=list)  # attrition only


def _measure(session: Session, metric_id: str, period: str) -> MeasureRows:
    metric = get_metric(metric_id)
    assert metric is not None, metric_id
    grouped = aggregate_metric(
        session, metric_id, group_by=["crime_group"], period_from=period, period_to=period
    )
    total = aggregate_metric(session, metric_id, group_by=[], period_from=period, period_to=period)
    rows: list[tuple[str, MetricCell]] = [
        (str(cell.group.get("crime_group")), cell)
        for cell in grouped.cells
        if cell.group.get("crime_group") in metric.crime_groups
    ]
    rows.sort(key=lambda item: CRIME_GROUPS.index(item[0]) if item[0] in CRIME_GROUPS else 99)
    rows += [(ALL_GROUPS, cell) for cell in total.cells]
    return MeasureRows(
        metric_id=metric_id,
        title=metric.title,
        lower_is_better=metric.lower_is_better,
        by_group=rows,
        max_adjustment=max(grouped.disclosure.max_adjustment, total.disclosure.max_adjustment),
    )


def victim_withdrawn(
    session: Session, first: date, last: date, min_cell: int
) -> list[WithdrawnCell]:
    """Invitations with a victim-withdrawn outcome of the quarter, by crime group and all."""
    statement = (
        select(
            col(Invitation.crime_group),
            func.count(),
            func.sum(col(Invitation.record_key)),
        )
        .where(
            col(Invitation.outcome) == Outcome.victim_withdrew.value,
            col(Invitation.touchpoint_date) >= first,
            col(Invitation.touchpoint_date) < periods.next_month(last),
        )
        .group_by(col(Invitation.crime_group))
    )
    tallies = {row[0]: tally(row[1], row[2]) for row in session.execute(statement)}
    total = Tally()
    for value in tallies.values():
        total = total + value
    cells = [
        _withdrawn_cell(group, tallies.get(group, Tally()), min_cell) for group in CRIME_GROUPS
    ]
    return [*cells, _withdrawn_cell(ALL_GROUPS, total, min_cell)]


def _withdrawn_cell(group: str, counted: Tally, min_cell: int) -> WithdrawnCell:
    value = counted.published()
    if value < min_cell:
        return WithdrawnCell(group, None, suppressed=True, low_base=None)
    return WithdrawnCell(group, value, suppressed=False, low_base=is_low_base(value))


# One published count per crime group and one for all groups.
WITHDRAWN_MAX_ADJUSTMENT = adjustment_bound(1)


def board_sections(
    session: Session, period: str, first: date, last: date, min_cell: int
) -> list[BoardSection]:
    sections: list[BoardSection] = []
    for priority in BOARD_PRIORITIES:
        section = BoardSection(
            priority, [_measure(session, metric_id, period) for metric_id in priority.metric_ids]
        )
        if priority.id == "attrition":
            section.withdrawn = victim_withdrawn(session, first, last, min_cell)
        sections.append(section)
    return sections


def max_adjustment(sections: list[BoardSection]) -> int:
    bounds = [measure.max_adjustment for section in sections for measure in section.measures]
    if any(section.withdrawn for section in sections):
        bounds.append(WITHDRAWN_MAX_ADJUSTMENT)
    return max(bounds, default=0)
