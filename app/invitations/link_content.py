"""What a page reached through a survey or stop link may show about the case behind it."""

from __future__ import annotations

from app.db import as_utc, utcnow
from app.invitations.lifecycle import LINK_ENDED, InvitationStatus
from app.invitations.models import Invitation


def crime_group_shown(invitation: Invitation) -> str | None:
    """The crime group whose support services and actions a page of this link may show.

    None (the general list, for every crime group) once the survey is completed or the link
    has ended: from then on the link is no use to the victim for answering, and someone else
    holding it must not learn the kind of crime from the pages it reaches.
    """
    if invitation.status == InvitationStatus.completed or invitation.status in LINK_ENDED:
        return None
    if invitation.expires_at is not None and as_utc(invitation.expires_at) <= utcnow():
        return None
    return invitation.crime_group
