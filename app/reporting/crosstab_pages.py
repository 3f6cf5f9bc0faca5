"""The analyst's cross-tab page: a measure by another closed question's answer. It says the
table shows association, not cause. Thin, calling app.reporting.crosstabs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import AnalystDep
from app.banks import metrics as metric_registry
from app.db import SessionDep, read_only
from app.errors import InvalidInput, NotFound, PageTexts, error_summary
from app.reporting import crosstabs, figure_text
from app.reporting.compliance_pages import field_errors
from app.reporting.crosstabs import NOT_CLOSED, NOT_CROSSTAB, NOT_QUARTERS, SENSITIVE_QUESTION
from app.reporting.parameters import Kind
from app.templating import render

router = APIRouter(include_in_schema=False)

PERIOD = "Enter quarters like 2026-Q3"
TEXTS: PageTexts = {
    ("from", Kind.FORMAT): (PERIOD, "from"),
    ("to", Kind.FORMAT): (PERIOD, "to"),
    ("from", NOT_QUARTERS): ("Cross-tabs cover whole quarters: " + PERIOD.lower(), "from"),
    ("to", Kind.ORDER): ("The end of the period must not be before its start", "to"),
    ("to", Kind.SPAN): ("A period can cover at most five financial years", "to"),
    ("by", NOT_CLOSED): ("Enter the id of another closed question in a published bank", "by"),
    ("by", SENSITIVE_QUESTION): (
        "Choose a question that does not feed a sensitive measure (for example attrition)",
        "by",
    ),
    ("group_by", NOT_CROSSTAB): (
        "Cross-tabs are quarterly or longer, at force level: group by quarter or year",
        "group_by",
    ),
    ("crime_group", Kind.CHOICE): ("Choose a crime group", "crime_group"),
}
GROUPINGS = {"quarter": "Quarter", "financial_year": "Financial year", "crime_group": "Crime group"}


@router.get("/staff/crosstab")
def crosstab_page(request: Request, session: SessionDep, caller: AnalystDep) -> Response:
    params = request.query_params
    chosen = {name: (params.get(name) or "")[:120] for name in ("metric", "by", "from", "to")}
    chosen["crime_group"] = (params.get("crime_group") or "")[:16]
    group_by = [value[:32] for value in params.getlist("group_by")][:4]
    result = None
    summary: list[dict[str, str]] = []
    if chosen["metric"] and chosen["by"]:
        try:
            with read_only(session):
                result = crosstabs.crosstab(
                    session,
                    chosen["metric"],
                    chosen["by"],
                    group_by,
                    {"crime_group": chosen["crime_group"] or None},
                    chosen["from"] or None,
                    chosen["to"] or None,
                )
        except InvalidInput as exc:
            summary = error_summary(exc.field_errors, TEXTS)
        except NotFound:
            summary = [{"text": "Choose a measure", "href": "#metric"}]
    return render(
        request,
        "reporting/crosstab.html",
        status_code=422 if summary else 200,
        page_title="Cross-tab",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        result=result,
        chosen=chosen,
        group_by=group_by,
        groupings=GROUPINGS,
        metrics=[(m.id, m.title) for m in metric_registry.METRICS],
        crime_groups=figure_text.CRIME_GROUP_LABELS,
        error_summary=summary,
        field_errors=field_errors(summary),
        association=crosstabs.ASSOCIATION,
    )
