"""Withdrawing: erase this invitation's answers (in progress and submitted); the link then ends.

Possible only while the link lives: at expiry the tie from invitation to response is cut and the
response can no longer be found, by the victim or anyone else.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.db import utcnow
from app.invitations.lifecycle import mark_withdrawn
from app.invitations.models import Invitation
from app.survey.answers import erase_answers
from app.survey.entry import lock_invitation
from app.survey.models import Answer, Comment, ContactRequestFiled, Response
from app.survey.reporting_link import uncount_response
from app.survey.session import end_all_sessions


def withdraw(session: Session, invitation_id: str) -> Invitation:
    """Erase everything this invitation answered and mark it withdrawn (no audit names it)."""
    invitation = lock_invitation(session, invitation_id)
    response_id = invitation.response_id
    if response_id is not None:
        response = session.get(Response, response_id)
        invitation.response_id = None
        session.add(invitation)
        session.flush()
        if response is not None:
            answers = list(
                session.exec(select(Answer).where(col(Answer.response_id) == response_id)).all()
            )
            # Take the response out of the counts before its rows go.
            uncount_response(session, response, answers)
            session.execute(delete(Answer).where(col(Answer.response_id) == response_id))
            session.execute(delete(Comment).where(col(Comment.response_id) == response_id))
            session.execute(delete(Response).where(col(Response.id) == response_id))
    erase_answers(session, invitation.id)
    # A contact request already filed stays (it is the victim's wish, kept apart from answers);
    # the note that this link filed one goes, with everything else the link holds.
    session.execute(
        delete(ContactRequestFiled).where(col(ContactRequestFiled.invitation_id) == invitation.id)
    )
    mark_withdrawn(invitation, at=utcnow())
    invitation.resume_at = None
    session.add(invitation)
    end_all_sessions(session, invitation.id)
    session.flush()
    return invitation
