"""Staff pages of issue 14's compliance evidence: the MoJ key compliance metrics view, and the
joint compliance review records (list and add form). Thin, calling services; the form carries
the session's CSRF token (checked by the role dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import AnalystDep, Caller
from app.db import SessionDep, read_only
from app.enums import Role
from app.errors import InvalidInput, PageTexts, error_summary
from app.reporting import compliance_reviews, figure_text, moj_mapping
from app.reporting.compliance_reviews import ReviewProblem
from app.reporting.compliance_routes import ReviewReaderDep, ReviewWriterDep, check_crime_group
from app.reporting.parameters import Kind
from app.templating import render

router = APIRouter(include_in_schema=False)

MOJ_TEXTS: PageTexts = {
    ("from", Kind.FORMAT): ("Enter months like 2026-07 or quarters like 2026-Q3", "from"),
    ("to", Kind.FORMAT): ("Enter months like 2026-07 or quarters like 2026-Q3", "to"),
    ("to", Kind.ORDER): ("The end of the period must not be before its start", "to"),
    ("to", Kind.SPAN): ("A period can cover at most five financial years", "to"),
    ("crime_group", Kind.CHOICE): ("Choose a crime group", "crime_group"),
}
REVIEW_TEXTS: PageTexts = {
    ("held_on", ReviewProblem.MISSING): ("Enter the date of the meeting", "held_on"),
    ("held_on", ReviewProblem.FORMAT): ("Enter the date like 2026-11-30", "held_on"),
    ("held_on", ReviewProblem.FUTURE): (
        "The date of the meeting must be today or earlier",
        "held_on",
    ),
    ("bodies", ReviewProblem.MISSING): ("Choose the bodies that were present", "bodies"),
    ("bodies", ReviewProblem.CHOICE): ("Choose the bodies that were present", "bodies"),
    ("decisions", ReviewProblem.MISSING): ("Enter the decisions taken", "decisions"),
    ("decisions", ReviewProblem.TOO_LONG): (
        f"Decisions must be {compliance_reviews.MAX_DECISIONS} characters or fewer",
        "decisions",
    ),
    ("other_bodies", ReviewProblem.TOO_LONG): (
        f"Other bodies must be {compliance_reviews.MAX_OTHER_BODIES} characters or fewer",
        "other_bodies",
    ),
    ("rights", ReviewProblem.CHOICE): ("Choose rights from 1 to 12", "rights"),
}


def field_errors(summary: list[dict[str, str]]) -> dict[str, dict[str, str]]:
    return {item["href"].lstrip("#"): {"text": item["text"]} for item in summary if "href" in item}


@router.get("/staff/compliance/moj-metrics")
def moj_metrics_page(request: Request, session: SessionDep, caller: AnalystDep) -> Response:
    params = request.query_params
    chosen = {name: (params.get(name) or "")[:64] for name in ("from", "to", "crime_group")}
    view = None
    summary: list[dict[str, str]] = []
    try:
        check_crime_group(chosen["crime_group"] or None)
        with read_only(session):
            view = moj_mapping.moj_view(
                session,
                chosen["from"] or None,
                chosen["to"] or None,
                crime_group=chosen["crime_group"] or None,
            )
    except InvalidInput as exc:
        summary = error_summary(exc.field_errors, MOJ_TEXTS)
    return render(
        request,
        "reporting/moj_metrics.html",
        status_code=422 if summary else 200,
        page_title="MoJ key compliance metrics",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        view=view,
        chosen=chosen,
        error_summary=summary,
        field_errors=field_errors(summary),
        crime_groups=figure_text.CRIME_GROUP_LABELS,
        agencies=AGENCY_LABELS,
    )


AGENCY_LABELS = {
    "police": "Police",
    "witness_care": "Witness Care Unit",
    "cps": "Crown Prosecution Service",
    "courts": "Courts",
    "probation": "Probation Service",
    "several": "Several agencies",
}


def _reviews_page(
    request: Request,
    session: SessionDep,
    caller: Caller,
    *,
    status_code: int = 200,
    summary: list[dict[str, str]] | None = None,
    entered: dict[str, Any] | None = None,
    recorded: bool = False,
) -> Response:
    rows = compliance_reviews.list_reviews(session)
    return render(
        request,
        "reporting/compliance_reviews.html",
        status_code=status_code,
        page_title="Joint compliance reviews",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        reviews=rows,
        may_record=caller.has_any(Role.approver, Role.uploader),
        error_summary=summary or [],
        field_errors=field_errors(summary or []),
        entered=entered or {"bodies": [], "rights": []},
        bodies=compliance_reviews.BODIES,
        recorded=recorded,
        max_decisions=compliance_reviews.MAX_DECISIONS,
        max_other_bodies=compliance_reviews.MAX_OTHER_BODIES,
    )


@router.get("/staff/compliance/reviews")
def reviews_page(
    request: Request, session: SessionDep, caller: ReviewReaderDep, recorded: str | None = None
) -> Response:
    return _reviews_page(request, session, caller, recorded=recorded == "yes")


@router.post("/staff/compliance/reviews")
def reviews_record(
    request: Request,
    session: SessionDep,
    caller: ReviewWriterDep,
    held_on: Annotated[str, Form()] = "",
    bodies: Annotated[list[str] | None, Form()] = None,
    other_bodies: Annotated[str, Form()] = "",
    decisions: Annotated[str, Form()] = "",
    rights: Annotated[list[str] | None, Form()] = None,
) -> Response:
    entered = {
        "held_on": held_on,
        "bodies": bodies or [],
        "other_bodies": other_bodies[: compliance_reviews.MAX_OTHER_BODIES * 2],
        "decisions": decisions[: compliance_reviews.MAX_DECISIONS * 2],
        "rights": rights or [],
    }
    try:
        review = compliance_reviews.clean_review(
            held_on=held_on,
            bodies=bodies or [],
            other_bodies=other_bodies,
            decisions=decisions,
            rights=rights or [],
        )
        compliance_reviews.record_review(session, review, actor=caller.actor)
    except InvalidInput as exc:
        return _reviews_page(
            request,
            session,
            caller,
            status_code=422,
            summary=error_summary(exc.field_errors, REVIEW_TEXTS),
            entered=entered,
        )
    return RedirectResponse("/staff/compliance/reviews?recorded=yes", status_code=303)
