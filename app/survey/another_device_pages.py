"""The page of a handed-over survey that gives a personal address to carry on elsewhere
(app/survey/another_device.py)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from app.db import SessionDep
from app.errors import InvalidInput
from app.i18n import N_
from app.survey import another_device
from app.survey import send_address as sending
from app.survey.page_kit import FormDep, gettext_of, titled_page, victim_page
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


@router.post(another_device.ANOTHER_DEVICE_URL + "/send")
@victim_page
def send_address(request: Request, session: SessionDep, form: FormData = FormDep) -> Response:
    """Send a new address to the victim's own number or email (used once, kept nowhere)."""
    cookie = cookie_of(request)
    typed = form.get("destination")
    try:
        sending.send_address(
            session,
            cookie=cookie,
            csrf_token=form.get("csrf_token"),
            typed=typed if isinstance(typed, str) else "",
        )
    except InvalidInput:
        return _page(request, session, cookie, status_code=400, wrong_destination=True)
    except sending.TooManySends:
        return _page(request, session, cookie, status_code=429, too_many=True)
    except sending.NotSent:
        session.rollback()  # the address it carried is not made: the one before still works
        return _page(request, session, cookie, status_code=502, not_sent=True)
    return _page(request, session, cookie, sent=True)


def _page(
    request: Request, session: Session, cookie: str | None, *, status_code: int = 200, **values: Any
) -> Response:
    seen = another_device.visit_offering(session, cookie=cookie)
    _ = gettext_of(seen)
    if values.get("wrong_destination"):
        values["error_summary"] = [{"text": str(_(sending.WRONG)), "href": "#destination"}]
    return titled_page(
        request,
        session,
        seen,
        "survey/another_device.html",
        title=TITLE,
        status_code=status_code,
        **values,
    )
