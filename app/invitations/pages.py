"""HTML pages of the invitations domain: the stop page, thin, calling services.

`GET /s/{token}/stop` explains and offers one button; `POST /s/{token}/stop` opts the contact
out of every message. The random token in the address is the only key: someone who can't read
the message can't guess it, so no further CSRF token is needed, and mail clients' one-click
unsubscribe (RFC 8058: a POST with `List-Unsubscribe=One-Click`) works without a form.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.db import SessionDep, as_utc, utcnow
from app.errors import NotFound
from app.invitations.lifecycle import LINK_ENDED
from app.invitations.link_content import crime_group_shown
from app.invitations.links import InvalidLink, find_invitation, survey_url
from app.invitations.models import Invitation
from app.invitations.optout import opt_out_invitation
from app.victim_page import render_victim

router = APIRouter(include_in_schema=False)


def _invitation(session: Session, token: str) -> tuple[Invitation | None, bool]:
    """The invitation a stop link names, and whether its survey link is still within its life.

    A stop link keeps working after its survey link ends (the invitation keeps the link's
    hash): stopping must never fail. A malformed or unknown token is 404, as for any link.
    """
    try:
        invitation = find_invitation(session, token)
    except InvalidLink as exc:
        raise NotFound("There is nothing at this address.") from exc
    if invitation is None:
        raise NotFound("There is nothing at this address.")
    fresh = invitation.expires_at is None or as_utc(invitation.expires_at) > utcnow()
    return invitation, fresh


def _link_open(invitation: Invitation | None, fresh: bool) -> bool:
    return invitation is not None and fresh and invitation.status not in LINK_ENDED


def _render(
    request: Request,
    session: Session,
    template: str,
    invitation: Invitation | None,
    *,
    link_open: bool,
    **values: Any,
) -> HTMLResponse:
    shown_to_open_link = invitation if link_open else None
    return render_victim(
        request,
        session,
        template,
        language=(invitation.survey_language if invitation else None) or "en",
        # The general list once the link has ended or the survey is finished: an ended link
        # tells no crime group, as on the survey's own ended-link page.
        crime_group=crime_group_shown(shown_to_open_link) if shown_to_open_link else None,
        area=shown_to_open_link.area if shown_to_open_link else None,
        **values,
    )


@router.get("/s/{token}/stop")
def stop_page(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    invitation, fresh = _invitation(session, token)
    return _render(
        request,
        session,
        "stop/confirm.html",
        invitation,
        link_open=_link_open(invitation, fresh),
        form_action=f"/s/{token}/stop",
    )


@router.post("/s/{token}/stop")
def stop_messages(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    invitation, fresh = _invitation(session, token)
    if invitation is not None:
        # Already erased details (opted out before, or purged at expiry) stop nothing more,
        # and the page says the same.
        opt_out_invitation(session, invitation, source="stop_page")
    link_open = _link_open(invitation, fresh)
    return _render(
        request,
        session,
        "stop/done.html",
        invitation,
        link_open=link_open,
        survey_link=survey_url(token) if link_open else None,
    )
