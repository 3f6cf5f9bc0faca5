"""`/code`: the victim types the one-time code a support worker gave them.

A victim page (app/victim_page.py: render_victim: Exit this page, support, footer). The first
right code becomes a survey session on this device, as opening a link does
(app/handover/redeem.py). Every attempt is counted per client address before the code is
checked (app/auth/throttle.py: 10 an hour, then an hour's wait; for IPv6, 50 an hour per /48
as well); a right code takes its count back. A wrong, used or expired code gets the same page,
so the page tells nothing.

No CSRF token: nothing here acts for someone already signed in, and the code in the form is
the only secret. A form posted from another site is refused all the same (Sec-Fetch-Site), so a
page elsewhere cannot put a browser into a survey of its choosing.
"""

from __future__ import annotations

import math

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.client_address import client_address
from app.auth.staff_page import FormText
from app.auth.throttle import clear_failures, code_subjects, reserve_attempt
from app.db import SessionDep
from app.errors import Forbidden
from app.handover.redeem import CodeNotAccepted, redeem_code
from app.survey.page_kit import go
from app.survey.session import cookie_of, set_cookie
from app.victim_page import render_victim

router = APIRouter(include_in_schema=False)

CODE_URL = "/code"
CROSS_SITE = "This form can only be sent from this website. Open the page again and type your code."


@router.get(CODE_URL)
def code_form(request: Request, session: SessionDep) -> Response:
    return render_victim(request, session, "handover/code.html")


@router.post(CODE_URL)
def enter_code(request: Request, session: SessionDep, code: FormText = "") -> Response:
    if request.headers.get("sec-fetch-site", "") == "cross-site":
        raise Forbidden(CROSS_SITE)
    subjects = code_subjects(client_address(request))
    reservation = reserve_attempt(session, subjects)
    if not reservation.granted:
        seconds = max(1, math.ceil(reservation.retry_after.total_seconds()))
        response = render_victim(
            request,
            session,
            "handover/code_wait.html",
            status_code=429,
            wait_minutes=math.ceil(seconds / 60),
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    try:
        entered = redeem_code(session, typed=code, previous_cookie=cookie_of(request))
    except CodeNotAccepted:
        session.rollback()
        return render_victim(request, session, "handover/code.html", status_code=400, wrong=True)
    clear_failures(session, subjects)
    redirect = go(entered.next)
    set_cookie(redirect, entered.cookie_value)
    return redirect
