"""JSON API routes of the reporting domain (mounted under /api/v1): thin, calling services.

Route order matters: the fixed paths under /aggregates/ come before /aggregates/{metric_id}.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.auth.deps import AggregateReaderDep, AnalystDep, Caller, UploaderDep, deny, require_roles
from app.banks.schema import CHARACTERISTICS
from app.db import SessionDep, read_only
from app.enums import Role
from app.reporting import aggregates, dropoff, funnel, self_assessments, skipped, victims_code
from app.reporting.cells import refuse_parameters
from app.reporting.csv_download import csv_response, wants_csv
from app.reporting.csv_export import CsvContext

# The Victims' Code view is one row per right: it cannot be grouped, nor split by area,
# language or an equality characteristic, and says so rather than answering unsplit.
VICTIMS_CODE_REFUSED = ("group_by", "area", "language", *CHARACTERISTICS)
VICTIMS_CODE_REFUSAL = (
    "The Victims' Code view takes only from, to, mode, crime_group and touchpoint."
)

router = APIRouter(tags=["aggregates"])

ResultT = TypeVar("ResultT")

# Editors pass the role check; the route then keeps them to the banks in their scope.
DropoffReaderDep = Annotated[Caller, Depends(require_roles(Role.analyst, Role.editor))]
SelfAssessmentReaderDep = Annotated[Caller, Depends(require_roles(Role.uploader, Role.analyst))]

GroupByQuery = Annotated[
    list[str] | None,
    Query(
        description="Dimensions, comma-separated or repeated: crime_group, touchpoint, area, "
        "month, quarter, financial_year, language, mode, age_band, sex, disability, ethnicity. "
        "At most two of area, language, mode and the equality characteristics, counting the "
        "filters too; at most one characteristic, and not with area or language."
    ),
]
FunnelGroupByQuery = Annotated[
    list[str] | None,
    Query(
        description="Dimensions, comma-separated or repeated: crime_group, touchpoint, area, "
        "month, quarter, financial_year, language. Not mode: the funnel counts invitations, "
        "which have no mode (422)."
    ),
]
ModeQuery = Annotated[
    str | None,
    Query(
        description="self (answered alone) or assisted (answered with a support worker at the "
        "victim's request): only those responses. Without it, both."
    ),
]
FromQuery = Annotated[
    str | None,
    Query(
        alias="from",
        description="First month, YYYY-MM or YYYY-Qn (inclusive). Without it: the start of "
        "the financial year `to` falls in (of this financial year when neither is given).",
    ),
]
ToQuery = Annotated[
    str | None,
    Query(
        alias="to",
        description="Last month, YYYY-MM or YYYY-Qn (inclusive). Without it: the end of the "
        "financial year `from` falls in. A period covers at most five financial years.",
    ),
]
FormatQuery = Annotated[
    Literal["json", "csv"] | None, Query(alias="format", description="csv for a CSV file.")
]


def _filters(
    crime_group: str | None = None,
    touchpoint: str | None = None,
    area: str | None = None,
    language: str | None = None,
    mode: ModeQuery = None,
) -> dict[str, str | None]:
    """The filter query parameters every grouped aggregate takes, as the services want them
    (the funnel refuses `mode`: it counts invitations)."""
    return {
        "crime_group": crime_group,
        "touchpoint": touchpoint,
        "area": area,
        "language": language,
        "mode": mode,
    }


FiltersDep = Annotated[dict[str, str | None], Depends(_filters)]


def _equality_filters(
    filters: FiltersDep,
    age_band: str | None = None,
    sex: str | None = None,
    disability: str | None = None,
    ethnicity: str | None = None,
) -> dict[str, str | None]:
    """The metric aggregates' filters: the common ones and the equality characteristics (at
    most one; figures using one are suppressed below twice min_cell)."""
    return {
        **filters,
        "age_band": age_band,
        "sex": sex,
        "disability": disability,
        "ethnicity": ethnicity,
    }


MetricFiltersDep = Annotated[dict[str, str | None], Depends(_equality_filters)]


class SelfAssessmentIn(BaseModel):
    rights: dict[str, Any] | None = Field(
        default=None,
        description='Self-assessed compliance rate per right, 0 to 1: {"1": 0.92, …}.',
    )
    entries: list[Any] | None = Field(
        default=None,
        description="Per right × agency (× crime group): numerator, denominator, definition, "
        "method, rag (red, amber, green) and narrative.",
    )


def _audited_answer(
    request: Request,
    session: SessionDep,
    caller: Caller,
    format_: str | None,
    result: ResultT,
    csv_rows: Callable[[ResultT], tuple[list[str], list[list[Any]]]],
    *,
    metric: str,
    params: dict[str, Any],
    filename: str,
    filters: dict[str, Any],
) -> ResultT | Response:
    """Audit the read, then answer with the result as JSON or, if asked for, as a CSV file
    whose rows say the metric, the period the result covers and `filters`.

    The result was read under `read_only`: the audit event is the request's only write, in a
    short transaction committed with the request."""
    as_csv = wants_csv(request, format_)
    aggregates.record_aggregate_read(
        session,
        actor=caller.actor,
        metric=metric,
        params={**params, "format": "csv" if as_csv else "json"},
    )
    if as_csv:
        period = (getattr(result, "period_from", None), getattr(result, "period_to", None))
        context = CsvContext(metric, *period, filters)
        return csv_response(context, csv_rows(result), filename)
    return result


@router.get("/metrics", response_model=list[aggregates.MetricInfo])
def list_metrics(session: SessionDep, caller: AnalystDep) -> list[aggregates.MetricInfo]:
    """Every metric: what it measures, which questions feed it, which codes count."""
    with read_only(session):
        return aggregates.list_metrics(session)


@router.get("/aggregates/victims-code", response_model=victims_code.VictimsCodeView)
def get_victims_code(
    request: Request,
    session: SessionDep,
    caller: AggregateReaderDep,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    mode: ModeQuery = None,
    crime_group: str | None = None,
    touchpoint: str | None = None,
    format_: FormatQuery = None,
) -> Any:
    """Per right 1–12: victims' rate with its interval, the force's own rate, and the gap;
    who delivers the right (`agency`) and, for information rights, the don't know share."""
    refuse_parameters(request.query_params, VICTIMS_CODE_REFUSED, VICTIMS_CODE_REFUSAL)
    with read_only(session):
        view = victims_code.victims_code_view(
            session,
            period_from,
            period_to,
            mode=mode,
            crime_group=crime_group,
            touchpoint=touchpoint,
        )
    return _audited_answer(
        request,
        session,
        caller,
        format_,
        view,
        victims_code.victims_code_csv_rows,
        metric="victims-code",
        params={
            "from": period_from,
            "to": period_to,
            "mode": mode,
            "crime_group": crime_group,
            "touchpoint": touchpoint,
        },
        filename="victims-code.csv",
        filters={"crime_group": crime_group, "touchpoint": touchpoint, "mode": mode},
    )


@router.get("/aggregates/funnel", response_model=funnel.FunnelResult)
def get_funnel(
    request: Request,
    session: SessionDep,
    caller: AnalystDep,
    filters: FiltersDep,
    group_by: FunnelGroupByQuery = None,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    format_: FormatQuery = None,
) -> Any:
    """Invited, sent, delivered, opened, started, completed and withdrawn, by group.

    Invitations have no mode, so `mode` (as a filter or in group_by) is refused with 422."""
    with read_only(session):
        result = funnel.funnel(
            session,
            group_by=group_by,
            filters=filters,
            period_from=period_from,
            period_to=period_to,
        )
    return _audited_answer(
        request,
        session,
        caller,
        format_,
        result,
        funnel.funnel_csv_rows,
        metric="funnel",
        params={"group_by": result.group_by, "from": period_from, "to": period_to, **filters},
        filename="funnel.csv",
        filters=filters,
    )


@router.get("/aggregates/skipped", response_model=skipped.SkippedResult)
def get_skipped(
    request: Request,
    session: SessionDep,
    caller: AnalystDep,
    group_by: Annotated[
        list[str] | None,
        Query(
            description="Dimensions, comma-separated or repeated: reason, crime_group, "
            "touchpoint, month, quarter, financial_year (the month of the upload)."
        ),
    ] = None,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    format_: FormatQuery = None,
) -> Any:
    """Upload rows that were skipped, by reason, crime group and touchpoint: who was not heard."""
    with read_only(session):
        result = skipped.skipped_rows(
            session, group_by=group_by, period_from=period_from, period_to=period_to
        )
    return _audited_answer(
        request,
        session,
        caller,
        format_,
        result,
        skipped.skipped_csv_rows,
        metric="skipped",
        params={"group_by": result.group_by, "from": period_from, "to": period_to},
        filename="skipped.csv",
        filters={},
    )


@router.get("/aggregates/dropoff", response_model=dropoff.DropoffResult)
def get_dropoff(
    request: Request,
    session: SessionDep,
    caller: DropoffReaderDep,
    bank: Annotated[str, Query(description="Bank slug.")],
    touchpoint: str | None = None,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    mode: ModeQuery = None,
    format_: FormatQuery = None,
) -> Any:
    """Per question: reached, skipped, and surveys stopped there (analysts, the bank's editors).

    With `mode`, `stopped` is null: a survey in progress has no mode yet."""
    if not (caller.has_any(Role.analyst) or caller.may_edit(bank)):
        deny(request, session, caller, reason="bank not in scope", bank=bank)
    with read_only(session):
        result = dropoff.question_dropoff(
            session,
            bank,
            touchpoint=touchpoint,
            period_from=period_from,
            period_to=period_to,
            mode=mode,
        )
    return _audited_answer(
        request,
        session,
        caller,
        format_,
        result,
        dropoff.dropoff_csv_rows,
        metric="dropoff",
        params={
            "bank": bank,
            "touchpoint": touchpoint,
            "from": period_from,
            "to": period_to,
            "mode": mode,
        },
        filename=f"dropoff-{bank}.csv",
        filters={"bank": bank, "touchpoint": touchpoint, "mode": mode},
    )


@router.get("/aggregates/{metric_id}", response_model=aggregates.AggregateResult)
def get_aggregate(
    metric_id: str,
    request: Request,
    session: SessionDep,
    caller: AggregateReaderDep,
    filters: MetricFiltersDep,
    group_by: GroupByQuery = None,
    period_from: FromQuery = None,
    period_to: ToQuery = None,
    format_: FormatQuery = None,
) -> Any:
    """One metric by any combination of dimensions, with suppression and 95% intervals.

    Equality characteristics (age_band, sex, disability, ethnicity) are dimensions too: at
    most one per query, not with area or language, and a cell using one is suppressed below
    twice min_cell (the answer's `min_cell` says so)."""
    with read_only(session):
        result = aggregates.aggregate_metric(
            session,
            metric_id,
            group_by=group_by,
            filters=filters,
            period_from=period_from,
            period_to=period_to,
        )
    return _audited_answer(
        request,
        session,
        caller,
        format_,
        result,
        aggregates.aggregate_csv_rows,
        metric=result.metric,
        params={"group_by": result.group_by, "from": period_from, "to": period_to, **filters},
        filename=f"aggregates-{result.metric}.csv",
        filters=filters,
    )


@router.put("/self-assessments/{period}", response_model=self_assessments.SelfAssessmentResult)
def put_self_assessment(
    period: str, body: SelfAssessmentIn, session: SessionDep, caller: UploaderDep
) -> self_assessments.SelfAssessmentResult:
    """The agencies' self-assessed compliance for one quarter (upsert): bare `rights`, and/or
    `entries` per right × agency (× crime group) with numerator and denominator."""
    return self_assessments.save_self_assessment(
        session, period=period, body=body.model_dump(), actor=caller.actor
    )


@router.get("/self-assessments/{period}", response_model=self_assessments.SelfAssessmentResult)
def get_self_assessment(
    period: str, session: SessionDep, caller: SelfAssessmentReaderDep
) -> self_assessments.SelfAssessmentResult:
    """The stored self-assessment of one quarter, both formats (uploaders and analysts)."""
    return self_assessments.get_self_assessment(session, period)
