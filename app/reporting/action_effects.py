"""An action's effect: each linked metric's figure before and after, as published cells.

Each figure is the one cell `GET /api/v1/aggregates/{metric}?from=…&to=…` answers at force
level (and `crime_group=` the action's group, if it has one): the same function, so the same
cell keys and suppression, and no new way to difference counts. Nothing is read from raw rows.
A period that has not ended yet has no figure (it would move as answers come in), and neither
does a side whose period is not set.
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlmodel import Session

from app import clock
from app.auth.deps import Caller
from app.banks import metrics as metric_registry
from app.enums import Role
from app.reporting import aggregates, periods
from app.reporting.aggregates import AggregateResult
from app.reporting.disclosure import Disclosure, configured_min_cell
from app.reporting.models import PublishedAction

PARTNER_ROLES = frozenset({Role.editor, Role.support_worker})


class EffectFigure(BaseModel):
    """One side of an effect: its period and, once the period has ended, its published cell."""

    period_from: str = Field(serialization_alias="from")
    period_to: str = Field(serialization_alias="to")
    ended: bool = Field(description="False while the period is still running: no figure yet.")
    n: int | None = None
    positive: int | None = None
    rate: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    suppressed: bool | None = Field(default=None, description="Null while not ended.")
    low_base: bool | None = None
    withheld: bool = Field(
        default=False,
        description="True when the caller may not read this figure: a partner (editor) "
        "reads the figures of their own banks' crime groups only.",
    )


class MetricEffect(BaseModel):
    metric: str
    title: str
    lower_is_better: bool
    before: EffectFigure | None = Field(description="Null when the action has no period before.")
    after: EffectFigure | None = Field(description="Null when the action has no period after.")


class ActionEffects(BaseModel):
    effect: list[MetricEffect]
    disclosure: Disclosure


# One read per (metric, crime group, from, to) in a request: actions often share a figure.
Cache = dict[tuple[str, str | None, str, str], AggregateResult]


def has_ended(period_to: str, today: date) -> bool:
    """Whether the last month of a period is before this month."""
    return periods.parse_period(period_to)[1] < today.replace(day=1)


def _figure(
    session: Session,
    metric: str,
    crime_group: str | None,
    span: tuple[str, str],
    cache: Cache,
    today: date,
    shown: bool,
) -> tuple[EffectFigure, AggregateResult | None]:
    first, last = span
    ended = has_ended(last, today)
    if not ended or not shown:
        figure = EffectFigure(period_from=first, period_to=last, ended=ended, withheld=not shown)
        return figure, None
    key = (metric, crime_group, first, last)
    if key not in cache:
        filters = {"crime_group": crime_group} if crime_group else {}
        cache[key] = aggregates.aggregate_metric(
            session, metric, filters=filters, period_from=first, period_to=last, on=today
        )
    result = cache[key]
    [cell] = result.cells  # no group_by: the one force-level cell
    figure = EffectFigure(
        period_from=first,
        period_to=last,
        ended=True,
        **cell.model_dump(include={"n", "positive", "rate", "ci_low", "ci_high", "suppressed"}),
        low_base=cell.low_base,
    )
    return figure, result


def _span(first: str | None, last: str | None) -> tuple[str, str] | None:
    return (first, last) if first and last else None


def action_effects(
    session: Session, action: PublishedAction, cache: Cache | None = None, *, shown: bool = True
) -> ActionEffects:
    """The figures before and after of every metric the action is linked to (only their
    periods when not `shown` to this caller)."""
    cache = {} if cache is None else cache
    today = clock.today()
    results: list[AggregateResult] = []
    effect: list[MetricEffect] = []
    for metric_id in action.metrics:
        metric = metric_registry.get_metric(metric_id)
        if metric is None:  # retired from the registry since: no figure to show, not a 404
            continue
        sides: dict[str, EffectFigure | None] = {}
        for side, span in (
            ("before", _span(action.before_from, action.before_to)),
            ("after", _span(action.after_from, action.after_to)),
        ):
            if span is None:
                sides[side] = None
                continue
            sides[side], result = _figure(
                session, metric_id, action.crime_group, span, cache, today, shown
            )
            if result is not None:
                results.append(result)
        effect.append(
            MetricEffect(
                metric=metric.id,
                title=metric.title,
                lower_is_better=metric.lower_is_better,
                before=sides["before"],
                after=sides["after"],
            )
        )
    return ActionEffects(
        effect=effect,
        disclosure=Disclosure(
            min_cell=results[0].min_cell if results else configured_min_cell(),
            max_adjustment=max((r.disclosure.max_adjustment for r in results), default=0),
        ),
    )


def sees_figures(caller: Caller, crime_group: str | None) -> bool:
    """Whether a member of staff reads an action's figures. Every staff role does, but a
    partner (an editor, and nothing more but a support worker) reads the figures of their own
    banks' crime groups only (issue 15, point 3): not force-level ones, nor another group's."""
    if caller.roles - PARTNER_ROLES:
        return True
    return crime_group is not None and crime_group in caller.bank_scopes
