""" "Answer on my own", on every page of an assisted session (app/handover/assisted.py): the
session on the worker's device ends, and the victim is shown a fresh code to carry on alone."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.db import SessionDep
from app.handover.assisted import answer_alone
from app.handover.codes import shown
from app.settings import get_settings
from app.survey.page_kit import ANSWER_ALONE_URL, FormDep, victim_page
from app.survey.session import cookie_of, delete_cookie
from app.victim_page import render_victim

router = APIRouter(include_in_schema=False)


@router.post(ANSWER_ALONE_URL)
@victim_page
def on_my_own(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    code = answer_alone(session, cookie=cookie_of(request), csrf_token=form.get("csrf_token"))
    response = render_victim(
        request,
        session,
        "handover/own_code.html",
        code=shown(code),
        code_url=f"{get_settings().base_url.rstrip('/')}/code",
    )
    delete_cookie(response)
    return response
