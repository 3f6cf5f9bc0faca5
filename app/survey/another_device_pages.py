"""The page of a handed-over survey that gives a personal address to carry on elsewhere
(app/survey/another_device.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from app.db import SessionDep
from app.i18n import N_
from app.survey import another_device
from app.survey.page_kit import FormDep, titled_page, victim_page
from app.survey.session import cookie_of

router = APIRouter(include_in_schema=False)

TITLE = N_("Carry on another time or on another device")


@router.get(another_device.ANOTHER_DEVICE_URL)
@victim_page
def another_device_page(request: Request, session: SessionDep) -> Response:
    seen = another_device.visit_offering(session, cookie=cookie_of(request))
    return titled_page(request, session, seen, "survey/another_device.html", title=TITLE)


@router.post(another_device.ANOTHER_DEVICE_URL)
@victim_page
def show_address(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    seen, address = another_device.new_address(
        session, cookie=cookie_of(request), csrf_token=form.get("csrf_token")
    )
    return titled_page(
        request, session, seen, "survey/another_device.html", title=TITLE, address=address
    )
