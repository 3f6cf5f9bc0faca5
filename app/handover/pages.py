"""The support worker's pages under /staff/support/: a look-up form, its matches, a handover.

There is no listing page: the only way to an invitation is its crime reference, typed by the
worker who has the client in front of them. Every result page is a POST answer (the reference is
never in an address, so never in the browser history or a server log). Staff sign-in and CSRF as
on every staff page; only a support worker (or an admin) may open them.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.auth.deps import Caller, SupportWorkerDep
from app.auth.staff_page import FormText
from app.db import SessionDep
from app.errors import InvalidInput, PageTexts, error_summary
from app.handover.assisted import start_assisted
from app.handover.codes import shown
from app.handover.handing import NoSuchMatch, hand_over
from app.handover.lookup import Match, TooManyLookUps, find_matches
from app.settings import get_settings
from app.survey.entry import LinkEnded, LinkNotFound
from app.survey.page_kit import go
from app.survey.session import cookie_of, set_cookie
from app.templating import render

router = APIRouter(include_in_schema=False)

LOOKUP_URL = "/staff/support/"
HANDOVER_URL = "/staff/support/handover"
ASSISTED_URL = "/staff/support/assisted"
TEXTS: PageTexts = {
    ("agreed", "required"): ("Confirm that the person agreed to take part", "agreed"),
    ("requested", "required"): ("Confirm that the person asked you to help them", "requested"),
}


def _page(
    request: Request, caller: Caller, template: str, *, status_code: int = 200, **values: Any
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        staff_user=caller,
        csrf_token=caller.csrf_token,
        **values,
    )


def _lookup_page(
    request: Request,
    caller: Caller,
    *,
    case_ref: str | None = None,
    matches: list[Match] | None = None,
    status_code: int = 200,
    **values: Any,
) -> Response:
    return _page(
        request,
        caller,
        "handover/lookup.html",
        status_code=status_code,
        page_title="Find a client’s survey",
        case_ref=case_ref,
        matches=matches or [],
        searched=case_ref is not None,
        **values,
    )


def _too_many(request: Request, caller: Caller, retry_after: timedelta) -> Response:
    seconds = max(1, math.ceil(retry_after.total_seconds()))
    response = _page(
        request,
        caller,
        "handover/too_many_lookups.html",
        status_code=429,
        page_title="Too many look-ups",
        wait_minutes=math.ceil(seconds / 60),
    )
    response.headers["Retry-After"] = str(seconds)
    return response


def _form_errors(
    request: Request,
    caller: Caller,
    exc: InvalidInput,
    case_ref: str,
    matches: list[Match],
    chosen: str,
) -> Response:
    """The look-up's result again, with the unticked box of the chosen match in error."""
    [problem] = exc.field_errors
    return _lookup_page(
        request,
        caller,
        case_ref=case_ref.strip(),
        matches=matches,
        status_code=400,
        chosen=chosen,
        error_summary=error_summary(exc.field_errors, TEXTS),
        **{f"{problem.field}_error": TEXTS[(problem.field, "required")][0]},
    )


@router.get(LOOKUP_URL)
def lookup_form(request: Request, caller: SupportWorkerDep) -> Response:
    return _lookup_page(request, caller)


@router.post(LOOKUP_URL)
def lookup(
    request: Request, session: SessionDep, caller: SupportWorkerDep, case_ref: FormText = ""
) -> Response:
    try:
        matches = find_matches(session, caller, case_ref)
    except TooManyLookUps as exc:
        return _too_many(request, caller, exc.retry_after)
    return _lookup_page(request, caller, case_ref=case_ref.strip(), matches=matches)


@router.post(HANDOVER_URL)
def handover(
    request: Request,
    session: SessionDep,
    caller: SupportWorkerDep,
    case_ref: FormText = "",
    invitation: FormText = "",
    agreed: FormText = "",
) -> Response:
    """Record the victim's agreement and show a new code, once. The form's reference is
    looked up again, and counted as a look-up, so this is no unthrottled way to test one."""
    try:
        matches = find_matches(session, caller, case_ref)
    except TooManyLookUps as exc:
        return _too_many(request, caller, exc.retry_after)
    try:
        done = hand_over(
            session,
            caller,
            case_ref=case_ref,
            invitation_id=invitation,
            agreed=agreed == "yes",
        )
    except NoSuchMatch:
        return _lookup_page(request, caller, case_ref=case_ref.strip(), matches=[])
    except InvalidInput as exc:
        return _form_errors(request, caller, exc, case_ref, matches, invitation)
    return _page(
        request,
        caller,
        "handover/code_shown.html",
        page_title="The person’s code",
        match=done.match,
        code=shown(done.code),
        code_url=f"{get_settings().base_url.rstrip('/')}/code",
        link_ttl_days=get_settings().link_ttl_days,
    )


@router.post(ASSISTED_URL)
def assisted(
    request: Request,
    session: SessionDep,
    caller: SupportWorkerDep,
    case_ref: FormText = "",
    invitation: FormText = "",
    requested: FormText = "",
) -> Response:
    """Start an assisted session on this device, at the victim's request (counted as a
    look-up, as the handover is)."""
    try:
        matches = find_matches(session, caller, case_ref)
    except TooManyLookUps as exc:
        return _too_many(request, caller, exc.retry_after)
    try:
        entered = start_assisted(
            session,
            caller,
            case_ref=case_ref,
            invitation_id=invitation,
            requested=requested == "yes",
            previous_cookie=cookie_of(request),
        )
    except (NoSuchMatch, LinkEnded, LinkNotFound):
        # A survey that cannot be opened (withdrawn, ended) records no agreement and no
        # assisted start: the look-up's count is already committed, nothing else is kept.
        session.rollback()
        return _lookup_page(request, caller, case_ref=case_ref.strip(), matches=[])
    except InvalidInput as exc:
        return _form_errors(request, caller, exc, case_ref, matches, invitation)
    response = go(entered.next)
    set_cookie(response, entered.cookie_value)
    return response
