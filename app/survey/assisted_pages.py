"""The page that opens an assisted session (issue 12): before the usual start page, it tells the
victim that the support worker helping them will see their answers, that nobody else will, and
that they can answer on their own instead. "Answer on my own" is on every page of the session
(app/templates/layouts/victim.html; served by app/handover/assisted_pages.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.db import SessionDep
from app.i18n import N_
from app.survey import service
from app.survey.entry import LinkNotFound
from app.survey.page_kit import ASSISTED_URL, titled_page, victim_page
from app.survey.session import cookie_of
from app.victim_page import START_URL

router = APIRouter(include_in_schema=False)


@router.get(ASSISTED_URL)
@victim_page
def assisted_start(request: Request, session: SessionDep) -> Response:
    visit = service.visit(session, cookie=cookie_of(request))
    if not visit.survey_session.assisted:
        raise LinkNotFound
    return titled_page(
        request,
        session,
        visit,
        "survey/assisted_start.html",
        title=N_("Answering with help"),
        start_url=START_URL,
    )
