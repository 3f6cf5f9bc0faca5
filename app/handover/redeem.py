"""A one-time code becomes a survey session on the device it is typed on.

The code is found by its keyed hash, under the invitation's row lock; its first use erases the
hash (so it never works again, on any device) in the same transaction that starts the session.
A code that is unknown, already used, or whose link has ended or was never handed over is the
same `CodeNotAccepted`: the page says the same for each, so it is no oracle.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.handover.codes import code_hash, normalise
from app.handover.models import Handover
from app.survey.entry import LinkEnded, LinkNotFound, lock_invitation
from app.survey.outcomes import Entered
from app.survey.service import enter_invitation


class CodeNotAccepted(Exception):
    """Wrong, used or expired: one answer for all."""


def redeem_code(session: Session, *, typed: str, previous_cookie: str | None) -> Entered:
    code = normalise(typed)
    if code is None:
        raise CodeNotAccepted
    handover = session.exec(
        select(Handover).where(col(Handover.code_hash) == code_hash(code))
    ).first()
    if handover is None:
        raise CodeNotAccepted
    try:
        invitation = lock_invitation(session, handover.invitation_id)
    except (LinkNotFound, LinkEnded) as exc:
        raise CodeNotAccepted from exc
    # Re-read under the lock: two devices typing one code at once, only one gets in.
    session.refresh(handover)
    if handover.code_hash != code_hash(code):
        raise CodeNotAccepted
    handover.code_hash = None
    session.add(handover)
    return enter_invitation(session, invitation, previous_cookie=previous_cookie)
