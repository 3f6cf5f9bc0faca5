"""Building a claimed message for the sender, or saying why it must not go (checked at send
time: the invitation may have ended, the contact opted out or been erased, or a specialist
group's agreement lapsed, since it was due), or that it must wait for the next window of the
contact's safe time (a message due at the edge of a window, or claimed late, never goes
outside it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from app.crime_groups import is_specialist
from app.crypto import DecryptionFailed, decrypt
from app.db import as_utc
from app.invitations.contacts import configured_quiet_hours
from app.invitations.lifecycle import FINISHED_INVITATIONS, NO_SAFE_TIME
from app.invitations.links import TOKEN_LENGTH, issue_link, link_of, stop_url, survey_url
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.row_contact import DIRECT, NO_CONSENT, consent_current
from app.invitations.safe_time import SafeTimeError, parse_safe_time
from app.invitations.scheduling import (
    LONDON,
    REMINDER_MARGIN,
    in_sending_window,
    next_sending_time,
)
from app.messaging.neutral_words import named_as_sent, named_in_sender
from app.messaging.sender import OutgoingMessage
from app.messaging.texts import Deployment, RenderedText, render_message
from app.settings import get_settings

# A specialist message that, as sent, would name the police or the topic (message lint).
NOT_NEUTRAL = "not_neutral_as_sent"
# Direct contact of a specialist group was turned off (VV_SPECIALIST_DIRECT_CONTACT) since upload.
SPECIALIST_OFF = "specialist_direct_contact_off"


@dataclass
class Prepared:
    outgoing: OutgoingMessage | None
    skip_reason: str | None = None
    # Not now: the next instant inside the contact's safe time and outside quiet hours.
    wait_until: datetime | None = None


def _safe_time_check(
    invitation: Invitation, contact: Contact, message: OutboundMessage, at: datetime
) -> Prepared | None:
    """None when the message may go now; otherwise wait for the next window, or skip."""
    if contact.safe_time_encrypted is None:
        return None
    try:
        safe = parse_safe_time(decrypt(contact.safe_time_encrypted))
    except (DecryptionFailed, SafeTimeError):
        return Prepared(None, "unreadable_safe_time")  # never guess when it is safe
    quiet = configured_quiet_hours()
    if in_sending_window(at, quiet=quiet, safe=safe):
        return None
    if invitation.expires_at is not None and message.kind != "invitation":
        until = as_utc(invitation.expires_at) - REMINDER_MARGIN
    else:
        until = at + timedelta(days=get_settings().link_ttl_days)
    due = next_sending_time(at, quiet=quiet, safe=safe, until=until)
    return Prepared(None, NO_SAFE_TIME) if due is None else Prepared(None, wait_until=due)


def _consent_lapsed(invitation: Invitation, at: datetime) -> bool:
    """A specialist direct invitation whose agreement is older than VV_CONSENT_MAX_AGE_DAYS on
    the day (in London) this message would go: judged at send as at upload, so a message
    queued, delayed or a reminder never goes on agreement that has lapsed meanwhile. An
    invitation without a recorded date (made before it was kept) is never sent either."""
    if invitation.contact_via != DIRECT:
        return False
    return not consent_current(
        invitation.consent_recorded_on,
        today=at.astimezone(LONDON).date(),
        max_age_days=get_settings().consent_max_age_days,
    )


def _render(invitation: Invitation, kind: str, token: str, *, specialist: bool) -> RenderedText:
    deployment = Deployment.from_settings(get_settings())
    return render_message(
        kind,
        invitation.channel,
        invitation.language,
        link=survey_url(token),
        stop_link=stop_url(token),
        organisation=deployment.organisation,
        verify_url=deployment.verify_url,
        contact="specialist" if specialist else "general",
    )


def _not_neutral(invitation: Invitation, kind: str) -> bool:
    """Whether a specialist message, as it would be sent, names the police, a commissioner or
    the topic (the lint's check, which only `victim-voice banks check` runs, made again here).
    Checked with a link of real length before any link is made: a token's own letters are
    random and tell nothing."""
    rendered = _render(invitation, kind, "x" * TOKEN_LENGTH, specialist=True)
    if named_as_sent(f"{rendered.subject or ''}\n{rendered.body}"):
        return True
    sender = Deployment.from_settings(get_settings()).email_sender
    return invitation.channel == "email" and bool(named_in_sender(sender))


def prepare_outgoing(session: Session, message: OutboundMessage, at: datetime) -> Prepared:
    """Build the message, or say why it must not be sent (checked at send time)."""
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is None:
        return Prepared(None, "no_invitation")
    if invitation.status in FINISHED_INVITATIONS:
        return Prepared(None, invitation.status)
    if invitation.expires_at is not None and at >= as_utc(invitation.expires_at):
        return Prepared(None, "expired")
    if invitation.contact_id is None:
        return Prepared(None, "no_contact")
    contact = session.get(Contact, invitation.contact_id)
    if contact is None:
        return Prepared(None, "no_contact")
    if contact.opted_out_at is not None:
        return Prepared(None, "opted_out")
    if contact.destination_encrypted is None:
        return Prepared(None, "erased")
    specialist = is_specialist(invitation.crime_group)
    if specialist and not get_settings().specialist_direct_contact:
        # The OPCC has withdrawn its sign-off: what was queued before must not go either.
        return Prepared(None, SPECIALIST_OFF)
    if specialist and _consent_lapsed(invitation, at):
        return Prepared(None, NO_CONSENT)
    waiting = _safe_time_check(invitation, contact, message, at)
    if waiting is not None:
        return waiting
    try:
        destination = decrypt(contact.destination_encrypted)
    except DecryptionFailed:
        return Prepared(None, "undecryptable")
    if specialist and _not_neutral(invitation, message.kind):
        return Prepared(None, NOT_NEUTRAL)
    # The first message makes the link; the reminder carries the same one, from its encrypted
    # copy (app/invitations/links.py). Without that copy there is no link to send.
    token = issue_link(invitation) if message.kind == "invitation" else link_of(invitation)
    if token is None:
        return Prepared(None, "erased")
    session.add(invitation)
    rendered = _render(invitation, message.kind, token, specialist=specialist)
    return Prepared(
        OutgoingMessage(
            channel=invitation.channel,
            to=destination,
            body=rendered.body,
            subject=rendered.subject,
            html_body=rendered.html_body,
            reference=message.id,
            stop_url=stop_url(token),
        )
    )
