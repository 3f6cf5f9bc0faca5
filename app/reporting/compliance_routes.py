"""JSON API of issue 14's compliance evidence (mounted under /api/v1): the MoJ key compliance
metrics view and joint compliance review records. Thin, calling services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.auth.deps import AnalystDep, Caller, require_roles
from app.db import SessionDep, read_only
from app.enums import Role
from app.errors import InvalidInput
from app.reporting import aggregates, compliance_reviews, moj_mapping, parameters
from app.reporting.csv_download import csv_response, wants_csv
from app.reporting.csv_export import CsvContext

router = APIRouter(tags=["compliance"])

# Approvers, and the roles that upload self-assessments, record meetings; analysts also read.
ReviewWriterDep = Annotated[Caller, Depends(require_roles(Role.approver, Role.uploader))]
ReviewReaderDep = Annotated[
    Caller, Depends(require_roles(Role.approver, Role.uploader, Role.analyst))
]


def check_crime_group(crime_group: str | None) -> None:
    if problem := parameters.choice_problem("crime_group", crime_group):
        raise InvalidInput("A filter is not valid.", errors=[problem.field_error()])


@router.get("/compliance/moj-metrics", response_model=moj_mapping.MojView)
def get_moj_metrics(
    request: Request,
    session: SessionDep,
    caller: AnalystDep,
    period_from: Annotated[str | None, Query(alias="from")] = None,
    period_to: Annotated[str | None, Query(alias="to")] = None,
    crime_group: str | None = None,
    format_: Annotated[Literal["json", "csv"] | None, Query(alias="format")] = None,
) -> Any:
    """Each MoJ key compliance metric (app/reporting/data/moj_metrics.yaml) with our published
    figures for the period, under the disclosure control; CSV with `format=csv`."""
    check_crime_group(crime_group)
    with read_only(session):
        view = moj_mapping.moj_view(session, period_from, period_to, crime_group=crime_group)
    as_csv = wants_csv(request, format_)
    aggregates.record_aggregate_read(
        session,
        actor=caller.actor,
        metric="moj-metrics",
        params={
            "from": period_from,
            "to": period_to,
            "crime_group": crime_group,
            "format": "csv" if as_csv else "json",
        },
    )
    if as_csv:
        context = CsvContext(
            "moj-metrics", view.period_from, view.period_to, {"crime_group": crime_group}
        )
        return csv_response(context, moj_mapping.moj_csv_rows(view), "moj-metrics.csv")
    return view


class ReviewIn(BaseModel):
    held_on: str = Field(max_length=10, description="The meeting's date, YYYY-MM-DD.")
    bodies: list[str] = Field(
        max_length=len(compliance_reviews.BODIES),
        description="Bodies present: " + ", ".join(compliance_reviews.BODIES) + ".",
    )
    other_bodies: str | None = Field(
        default=None,
        max_length=compliance_reviews.MAX_OTHER_BODIES,
        description="Any other body present (free text, no personal names).",
    )
    decisions: str = Field(max_length=compliance_reviews.MAX_DECISIONS)
    rights: list[Annotated[int, Field(strict=True, ge=1, le=12)]] = Field(
        default=[], max_length=12, description="Linked rights, whole numbers 1-12."
    )


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from a ComplianceReview row

    id: int
    held_on: date
    bodies: list[str]
    other_bodies: str | None
    decisions: str
    rights: list[int]
    recorded_by: str
    recorded_at: datetime


@router.get("/compliance/reviews", response_model=list[ReviewOut])
def get_reviews(
    session: SessionDep,
    _caller: ReviewReaderDep,
    right: Annotated[int | None, Query(ge=1, le=12)] = None,
) -> list[ReviewOut]:
    """Joint compliance review meetings, latest first (with `right`: those linked to it)."""
    with read_only(session):
        rows = compliance_reviews.list_reviews(session, right=right)
        return [ReviewOut.model_validate(row) for row in rows]


@router.post("/compliance/reviews", response_model=ReviewOut, status_code=201)
def post_review(body: ReviewIn, session: SessionDep, caller: ReviewWriterDep) -> ReviewOut:
    """Record a joint compliance review meeting."""
    review = compliance_reviews.clean_review(
        held_on=body.held_on,
        bodies=body.bodies,
        other_bodies=body.other_bodies,
        decisions=body.decisions,
        rights=body.rights,
    )
    row = compliance_reviews.record_review(session, review, actor=caller.actor)
    return ReviewOut.model_validate(row)
