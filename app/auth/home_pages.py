"""Staff sign-out and the staff home page, which lists what the caller's roles open."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.audit import record as record_event
from app.auth import sessions
from app.auth.deps import Caller, CallerDep
from app.auth.models import StaffUser
from app.auth.staff_page import HOME_URL, LOGIN_URL, FormText, check_form_token, redirect
from app.db import SessionDep
from app.enums import Role
from app.security import SURVEY_COOKIE_NAME
from app.settings import get_settings
from app.templating import render

router = APIRouter(include_in_schema=False)


@router.post("/staff/logout")
def logout(request: Request, session: SessionDep, csrf_token: FormText = "") -> Response:
    active = sessions.session_from_request(session, request)
    if active is None:
        response = redirect(LOGIN_URL)
    else:
        check_form_token(active, csrf_token)
        sessions.end_session(session, active.record)
        record_event(
            session,
            actor=f"user:{active.user.id}",
            action="auth.sign_out",
            object_type="staff_user",
            object_id=str(active.user.id),
        )
        response = redirect(f"{LOGIN_URL}?signed_out=true")
    sessions.clear_session_cookie(response)
    # A survey session on this browser (a support worker's assisted session) goes too.
    response.delete_cookie(
        SURVEY_COOKIE_NAME,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().is_https,
    )
    return response


# What each role opens, in the words of the product brief; links where a staff page exists
# (the rest is done through the API, or by other domains' pages as they arrive).
EVERYONE: tuple[tuple[str, str | None], ...] = (
    ("Read the “you said, we did” actions", "/staff/actions"),
)
ROLE_ABILITIES: dict[Role, tuple[tuple[str, str | None], ...]] = {
    Role.approver: (
        ("Approve and publish question bank changes", "/staff/banks"),
        ("Publish “you said, we did” actions", "/staff/actions"),
        ("Check comments not written in English", "/staff/comments/checks"),
        ("Edit support services", None),
        ("Record joint compliance review meetings", "/staff/compliance/reviews"),
    ),
    Role.editor: (
        ("Draft changes to the question banks listed on your account", "/staff/banks"),
        ("See the figures for your banks’ crime groups", "/staff/partner-figures"),
    ),
    Role.analyst: (
        ("See the results dashboard", "/staff/dashboard"),
        ("Read redacted comments", "/staff/comments"),
        ("Print the quarterly report", "/reports/quarterly"),
        ("Map our figures to the MoJ key compliance metrics", "/staff/compliance/moj-metrics"),
        ("Tabulate a measure by another answer (cross-tab)", "/staff/crosstab"),
        ("Read joint compliance review meetings", "/staff/compliance/reviews"),
    ),
    Role.uploader: (
        ("Upload invitation batches and cancellations", None),
        ("Record the force’s Victims’ Code self-assessment", "/staff/self-assessment"),
        ("Record joint compliance review meetings", "/staff/compliance/reviews"),
    ),
    Role.victims_team: (("Read and close “contact me” requests", "/staff/contact-requests"),),
    Role.support_worker: (
        ("Find a client’s survey by their crime reference and hand it over", "/staff/support/"),
    ),
}


def abilities_for(caller: Caller) -> list[dict[str, str | None]]:
    """What the caller's roles allow, each once, in a fixed order (admin: everything)."""
    # A support worker alone reads nothing else (app/auth/deps.py: require_staff).
    everyone = () if caller.is_support_worker_only else EVERYONE
    items = [{"text": text, "href": href} for text, href in everyone]
    for role, abilities in ROLE_ABILITIES.items():
        if caller.has_any(role):
            for text, href in abilities:
                if {"text": text, "href": href} not in items:  # two roles may share one
                    items.append({"text": text, "href": href})
    return items


@router.get(HOME_URL)
def staff_home(request: Request, session: SessionDep, caller: CallerDep) -> Response:
    user = session.get(StaffUser, caller.user_id) if caller.user_id is not None else None
    return render(
        request,
        "staff/home.html",
        page_title="Staff home",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        roles=sorted(role.value for role in caller.roles),
        bank_scopes=sorted(caller.bank_scopes),
        language_scopes=user.language_scopes if user is not None else [],
        abilities=abilities_for(caller),
    )
