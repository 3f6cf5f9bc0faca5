"""Assisted completion, only when the victim asks for help (issue 12).

The worker starts a survey session on their own device from a match, after ticking that the
victim asked for help and agreed that the worker sees the answers. The session is marked
`assisted`: it opens on a page that says so (app/survey/assisted_pages.py), every page offers
"Answer on my own", and a response sent from it is `assisted` (app/survey/submit.py).

"Answer on my own" ends the assisted session (the worker's device keeps nothing of the survey)
and gives the victim a fresh one-time code, to carry on alone on their own device: answers
already saved are kept, and shown there as answered, never their values (a new session sees no
saved value: app/survey/visibility.py).
"""

from __future__ import annotations

from sqlmodel import Session

from app.auth.deps import Caller
from app.db import utcnow
from app.handover.acts import record_act
from app.handover.handing import chosen_match, record_agreement, replace_code
from app.handover.models import Handover
from app.survey.entry import LinkNotFound, check_usable, lock_invitation
from app.survey.outcomes import Entered
from app.survey.service import enter_invitation
from app.survey.session import (
    NoSurveySession,
    check_csrf,
    end_session,
    load_session_by_cookie,
)

REQUESTED_FIELD = "requested"


def start_assisted(
    session: Session,
    caller: Caller,
    *,
    case_ref: str,
    invitation_id: str,
    requested: bool,
    previous_cookie: str | None,
) -> Entered:
    """An assisted survey session on the worker's device (the look-up already counted)."""
    match = chosen_match(
        session,
        caller,
        case_ref=case_ref,
        invitation_id=invitation_id,
        field=REQUESTED_FIELD,
        agreed=requested,
    )
    now = utcnow()
    invitation, _handover = record_agreement(session, caller, match, at=now)
    check_usable(invitation)
    record_act(
        session,
        actor=caller.actor,
        action="assisted_started",
        service=match.support_service,
        at=now,
    )
    return enter_invitation(session, invitation, previous_cookie=previous_cookie, assisted=True)


def answer_alone(session: Session, *, cookie: str | None, csrf_token: object) -> str:
    """End the assisted session and return a fresh code for the victim (shown once)."""
    survey_session, invitation = load_session_by_cookie(session, cookie)
    check_csrf(survey_session, csrf_token)
    if not survey_session.assisted:
        raise LinkNotFound
    # Under the invitation's row lock, the session read again: of two presses at once (a double
    # tap), the second finds it ended, so the code the victim is shown is never one replaced.
    invitation = lock_invitation(session, invitation.id)
    session.refresh(survey_session)
    if survey_session.ended_at is not None:
        raise NoSurveySession
    handover = session.get(Handover, invitation.id, populate_existing=True)
    if handover is None:
        raise LinkNotFound
    end_session(session, survey_session)
    now = utcnow()
    code = replace_code(handover, at=now)
    session.add(handover)
    record_act(
        session, actor="system", action="answer_alone", service=handover.support_service, at=now
    )
    return code
