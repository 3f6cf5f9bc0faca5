"""Carrying on elsewhere with a handed-over survey (issue 12).

A survey a support service handed over came with a one-time code, not a link in a message: once
the code is used, the victim has no way back to it from another device or another day. So its
pages offer a personal address to write down: a new link token for the invitation
(app/invitations/links.py: replace_link), shown once and kept only as its hash. Asking again
makes a new one, and the old one stops working, so an address someone else saw can be undone.
A survey sent by text or email has its link already, and is not offered this (404).
"""

from __future__ import annotations

from sqlmodel import Session

from app.invitations.links import replace_link, survey_url
from app.invitations.models import Invitation
from app.invitations.row_contact import SUPPORT_SERVICE
from app.survey.entry import LinkNotFound, lock_invitation
from app.survey.outcomes import Stage, Visit
from app.survey.service import visit
from app.survey.session import check_csrf

ANOTHER_DEVICE_URL = "/survey/another-device"


def offered(invitation: Invitation) -> bool:
    """Whether this survey's pages offer a personal address."""
    return invitation.contact_via == SUPPORT_SERVICE


def visit_offering(session: Session, *, cookie: str | None) -> Visit:
    """The session's survey, if it offers a personal address (else LinkNotFound: 404)."""
    seen = visit(session, cookie=cookie, stage=Stage.ANSWERING)
    # Not in an assisted session: the address would be shown on the worker's device (there,
    # "Answer on my own" gives the victim a code instead).
    if not offered(seen.invitation) or seen.survey_session.assisted:
        raise LinkNotFound
    return seen


def new_address(session: Session, *, cookie: str | None, csrf_token: object) -> tuple[Visit, str]:
    """A new personal address for the session's survey (the old one stops working)."""
    seen = visit_offering(session, cookie=cookie)
    check_csrf(seen.survey_session, csrf_token)
    invitation = lock_invitation(session, seen.invitation.id)
    token = replace_link(invitation)
    session.add(invitation)
    return seen, survey_url(token)
