"""HTML pages of the reporting domain: thin, calling services.

Dashboard, quarterly report (and its CSV pack), comment review, "you said, we did" (the
action log, app.reporting.action_pages) and "contact me" requests. Every page is for
signed-in staff with the right role; forms carry the session's CSRF token (checked by the role
dependency).
"""

from __future__ import annotations

import contextlib
import dataclasses
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app import audit, clock
from app.auth.deps import (
    AnalystDep,
    Caller,
    VictimsTeamDep,
)
from app.db import SessionDep, read_only
from app.errors import Conflict, InvalidInput, error_summary
from app.reporting import (
    action_pages,
    comment_quotes,
    comments,
    contact_requests,
    dashboard,
    dashboard_filters,
    figure_text,
    page_texts,
    parameters,
    report,
    report_pack,
    report_pdf,
    themes,
)
from app.reporting.disclosure import configured_min_cell
from app.templating import render

router = APIRouter(include_in_schema=False)


def _staff_page(request: Request, caller: Caller, template: str, **values: Any) -> Response:
    return render(
        request,
        template,
        staff_user=caller,
        csrf_token=caller.csrf_token,
        **values,
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


# --- dashboard ------------------------------------------------------------------------------


@router.get("/staff/dashboard")
def dashboard_page(request: Request, session: SessionDep, caller: AnalystDep) -> Response:
    params = {key: value for key, value in request.query_params.items()}
    filters, errors = dashboard_filters.parse_dashboard_filters(params, clock.today())
    try:
        with read_only(session):
            board = dashboard.build_dashboard(session, filters)
    except InvalidInput as exc:
        # The one filter checked against the data: an area not reported on its own.
        if not dashboard_filters.area_not_offered(exc.field_errors):
            raise
        errors += error_summary(exc.field_errors, dashboard_filters.DATA_TEXTS)
        filters = dataclasses.replace(filters, area=None)
        with read_only(session):
            board = dashboard.build_dashboard(session, filters)
    audit.record(
        session,
        actor=caller.actor,
        action="dashboard.read",
        object_type="dashboard",
        detail={
            "from": filters.period_from,
            "to": filters.period_to,
            "crime_group": filters.crime_group,
            "touchpoint": filters.touchpoint,
            "area": filters.area,
            "metric": filters.metric,
            "mode": filters.mode,
        },
    )
    return _staff_page(
        request,
        caller,
        "reporting/dashboard.html",
        page_title="Dashboard",
        dashboard=board,
        options=dashboard_filters.filter_options(filters),
        error_summary=errors,
        has_charts=any(item.chart for item in board.figures),
    )


# --- quarterly report -----------------------------------------------------------------------


def _quarterly(session: SessionDep, period: str | None) -> report.QuarterlyReport:
    """The quarter's report (read without holding SQLite's write lock: see build_report)."""
    return report.build_report(session, report.parse_report_period(period, clock.today()))


def _record_report_read(
    session: SessionDep, caller: Caller, quarterly: report.QuarterlyReport, *, action: str
) -> None:
    """The report's read, recorded under `action` with the number of quotes: the request's
    only write, made after everything slow so that it holds the write lock only briefly."""
    audit.record(
        session,
        actor=caller.actor,
        action=action,
        object_type="report",
        object_id=quarterly.period,
        detail={"quotes": sum(len(group.quotes) for group in quarterly.quotes)},
    )


def _report_page(request: Request, caller: Caller, quarterly: report.QuarterlyReport) -> Response:
    return _staff_page(
        request,
        caller,
        "reporting/report.html",
        page_title=f"Quarterly report {quarterly.period}",
        report=quarterly,
        headline_head=report.HEADLINE_HEAD,
        headline_rows=report.headline_rows(quarterly),
        crime_group_label=figure_text.crime_group_label,
        touchpoint_label=figure_text.touchpoint_label,
        # Charts are SVG drawn on the server (board_svg): the same in the page and the PDF.
        has_charts=False,
        html_lang="en-GB",
    )


@router.get("/reports/quarterly")
def quarterly_report_page(
    request: Request, session: SessionDep, caller: AnalystDep, period: str | None = None
) -> Response:
    quarterly = _quarterly(session, period)
    page = _report_page(request, caller, quarterly)
    _record_report_read(session, caller, quarterly, action="reports.quarterly.read")
    return page


@router.get("/reports/quarterly.pdf")
def quarterly_report_pdf(
    request: Request, session: SessionDep, caller: AnalystDep, period: str | None = None
) -> Response:
    quarterly = _quarterly(session, period)
    page = bytes(_report_page(request, caller, quarterly).body).decode("utf-8")
    pdf = report_pdf.render_pdf(page)  # slow (WeasyPrint): no transaction is open meanwhile
    _record_report_read(session, caller, quarterly, action="reports.quarterly.pdf")
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="quarterly-{quarterly.period}.pdf"'},
    )


def _pack_response(session: SessionDep, caller: Caller, period: str | None) -> Response:
    quarterly = _quarterly(session, period)
    pack = report_pack.build_pack(quarterly)
    _record_report_read(session, caller, quarterly, action="reports.quarterly.pack")
    return Response(
        content=pack,
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="quarterly-{quarterly.period}.zip"'},
    )


@router.get("/reports/quarterly.zip")
def quarterly_report_zip(
    session: SessionDep, caller: AnalystDep, period: str | None = None
) -> Response:
    return _pack_response(session, caller, period)


@router.get("/reports/quarterly/pack")
def quarterly_report_pack(
    session: SessionDep, caller: AnalystDep, period: str | None = None
) -> Response:
    return _pack_response(session, caller, period)


# --- comments -------------------------------------------------------------------------------


def _comment_query(params: dict[str, str]) -> str:
    """The review page's own filters only, so a redirect can never leave the page."""
    kept = {
        key: value
        for key, value in params.items()
        if key in ("crime_group", "touchpoint", "from", "to", "quotable", "mode") and value
    }
    return urlencode(kept)


@router.get("/staff/comments")
def comments_page(request: Request, session: SessionDep, caller: AnalystDep) -> Response:
    params = dict(request.query_params.items())
    choices, problems = parameters.parse_choices(params)
    crime_group, touchpoint = choices["crime_group"], choices["touchpoint"]
    mode, mode_problems = dashboard_filters.parse_mode(params)
    errors = parameters.error_summary([*problems, *mode_problems], dashboard_filters.CHOICE_TEXTS)
    try:
        filters = comments.parse_filters(
            crime_group=crime_group,
            touchpoint=touchpoint,
            from_period=params.get("from"),
            to_period=params.get("to"),
            quotable_only=params.get("quotable") == "yes",
            mode=mode,
        )
    except InvalidInput as exc:
        errors += error_summary(exc.field_errors, page_texts.COMMENT_PERIOD_TEXTS)
        filters = comments.parse_filters(
            crime_group=crime_group,
            touchpoint=touchpoint,
            quotable_only=params.get("quotable") == "yes",
            mode=mode,
        )
    result = comments.read_comments(
        session, filters, actor=caller.actor, min_cell=configured_min_cell(), limit=200
    )
    options = dashboard_filters.filter_options(
        dashboard_filters.DashboardFilters(
            period_from="",
            period_to="",
            crime_group=crime_group,
            touchpoint=touchpoint,
            mode=mode,
        )
    )
    return _staff_page(
        request,
        caller,
        "reporting/comments.html",
        page_title="Review comments",
        result=result,
        params=params,
        options=options,
        themes=themes.SUGGESTED_THEMES,
        return_query=_comment_query(params),
        error_summary=errors,
        marked=params.get("marked"),
        crime_group_label=figure_text.crime_group_label,
        touchpoint_label=figure_text.touchpoint_label,
    )


@router.post("/staff/comments/{comment_id}/quotable")
def comments_mark(
    comment_id: str,
    session: SessionDep,
    caller: AnalystDep,
    quotable: Annotated[str, Form()],
    theme: Annotated[str, Form()] = "",
    return_query: Annotated[str, Form()] = "",
) -> Response:
    comment_quotes.mark_quotable(
        session,
        comment_id,
        quotable=quotable == "yes",
        theme=comment_quotes.validate_theme(theme or None),
        actor=caller.actor,
        min_cell=configured_min_cell(),
    )
    query = _comment_query(dict(parse_qsl(return_query)))
    marked = urlencode({"marked": "yes" if quotable == "yes" else "no"})
    return _redirect(f"/staff/comments?{query}&{marked}" if query else f"/staff/comments?{marked}")


# --- "you said, we did": the action log's pages, in their own module --------------------

router.include_router(action_pages.router)


# --- "contact me" requests ------------------------------------------------------------------


@router.get("/staff/contact-requests")
def contact_requests_page(
    request: Request,
    session: SessionDep,
    caller: VictimsTeamDep,
    status: str = "open",
    closed: str | None = None,
) -> Response:
    chosen: contact_requests.StatusFilter = "closed" if status == "closed" else "open"
    rows = contact_requests.list_contact_requests(session, status=chosen, actor=caller.actor)
    return _staff_page(
        request,
        caller,
        "reporting/contact_requests.html",
        page_title="Contact requests",
        requests=rows,
        status=chosen,
        just_closed=closed == "yes",
        retention_days=contact_requests.CLOSED_RETENTION.days,
        crime_group_label=figure_text.crime_group_label,
    )


@router.post("/staff/contact-requests/{request_id}/close")
def contact_requests_close(
    request_id: str, session: SessionDep, caller: VictimsTeamDep
) -> Response:
    # Closed already (in another tab): nothing more to do.
    with contextlib.suppress(Conflict):
        contact_requests.close_contact_request(session, request_id, actor=caller.actor)
    return _redirect("/staff/contact-requests?closed=yes")
