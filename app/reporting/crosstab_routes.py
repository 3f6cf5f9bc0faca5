"""`GET /api/v1/aggregates/crosstab`: one measure by another closed question's answer.

Mounted before the reporting router, whose `/aggregates/{metric_id}` would otherwise take the
path as a metric id."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from app.auth.deps import AnalystDep
from app.db import SessionDep, read_only
from app.reporting import aggregates, crosstabs
from app.reporting.csv_download import csv_response, wants_csv
from app.reporting.csv_export import CsvContext

router = APIRouter(tags=["aggregates"])


def _characteristic_filters(request: Request) -> dict[str, str]:
    """An equality characteristic given as a filter, so that it is refused (422) like area,
    never silently ignored (the answer would look filtered and is not)."""
    named = ("month", "area", "language")
    return {
        name: value
        for name, value in request.query_params.items()
        if name in crosstabs.REFUSED and name not in named
    }


@router.get("/aggregates/crosstab", response_model=crosstabs.CrosstabResult)
def get_crosstab(
    request: Request,
    session: SessionDep,
    caller: AnalystDep,
    metric: Annotated[str, Query(max_length=120, description="A metric id (GET /metrics).")],
    by: Annotated[
        str,
        Query(
            max_length=120,
            description="A closed question's id (single, yes/no or scale, not an equality "
            "question): the measure is tabulated by its answer.",
        ),
    ],
    group_by: Annotated[
        list[str] | None,
        Query(
            description="Any of crime_group, touchpoint, mode, quarter, financial_year. Not "
            "month, area, language or an equality characteristic (422)."
        ),
    ] = None,
    period_from: Annotated[str | None, Query(alias="from")] = None,
    period_to: Annotated[str | None, Query(alias="to")] = None,
    crime_group: str | None = None,
    touchpoint: str | None = None,
    mode: str | None = None,
    area: str | None = None,
    language: str | None = None,
    format_: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
) -> Any:
    """The measure per answer to `by` (and the groups asked for), with disclosure control.
    Association, not cause. `area` and `language` are refused (422), never ignored."""
    filters = {
        "crime_group": crime_group,
        "touchpoint": touchpoint,
        "mode": mode,
        "area": area,
        "language": language,
        **_characteristic_filters(request),
    }
    with read_only(session):
        result = crosstabs.crosstab(session, metric, by, group_by, filters, period_from, period_to)
    as_csv = wants_csv(request, format_)
    aggregates.record_aggregate_read(
        session,
        actor=caller.actor,
        metric=metric,
        params={
            "crosstab_by": by,
            "group_by": result.group_by,
            "from": period_from,
            "to": period_to,
            **filters,
            "format": "csv" if as_csv else "json",
        },
    )
    if as_csv:
        context = CsvContext(metric, result.period_from, result.period_to, {"by": by, **filters})
        return csv_response(context, crosstabs.crosstab_csv_rows(result), "crosstab.csv")
    return result
