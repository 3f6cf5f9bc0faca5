"""What becomes of a message once dispatch has acted on it: sent (and the invitation's first
send, link expiry and reminder), refused by the provider (retried or failed), failed, or held
for review when the outcome is unknown.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from app.crypto import DecryptionFailed, decrypt
from app.db import as_utc
from app.invitations import lifecycle
from app.invitations.contacts import configured_quiet_hours
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.safe_time import SafeTime, SafeTimeError, parse_safe_time
from app.invitations.scheduling import (
    REMINDER_MARGIN,
    link_expires_at,
    next_send_time,
    next_sending_time,
    reminder_due_at,
)
from app.messaging.sender import SendRejected
from app.settings import get_settings

MAX_ATTEMPTS = 5
RETRY_AFTER = timedelta(minutes=5)


def fail_message(session: Session, message: OutboundMessage, reason: str) -> None:
    lifecycle.fail(message, reason)
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and message.kind == "invitation":
        lifecycle.mark_failed(invitation)
        session.add(invitation)


def hold_message_for_review(
    session: Session, message: OutboundMessage, reason: str, at: datetime
) -> None:
    lifecycle.hold_for_review(message, reason)
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if invitation is not None and invitation.expires_at is None:
        # The message may have reached the victim: treat it as sent, so the link works and
        # ends on time (purge then erases the contact details), but schedule no reminder.
        sent_at = as_utc(message.handed_over_at or message.claimed_at or at)
        expires = link_expires_at(sent_at, ttl_days=get_settings().link_ttl_days)
        lifecycle.mark_sent(invitation, at=sent_at, expires_at=expires)
        session.add(invitation)
    if invitation is not None:
        # No message carries the link again (no reminder follows a held one).
        invitation.link_encrypted = None
        session.add(invitation)


def record_sent(
    session: Session, message: OutboundMessage, provider: str, provider_id: str | None, at: datetime
) -> None:
    lifecycle.settle_sent(message, provider=provider, provider_id=provider_id, at=at)
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    if message.kind != "invitation":
        if invitation is not None:
            # The reminder carried the link: its encrypted copy has no further use.
            invitation.link_encrypted = None
            session.add(invitation)
        return
    if invitation is None or invitation.first_sent_at is not None:
        return
    settings = get_settings()
    expires = link_expires_at(at, ttl_days=settings.link_ttl_days)
    lifecycle.mark_sent(invitation, at=at, expires_at=expires)
    session.add(invitation)
    if invitation.contact_id is not None:
        contact = session.get(Contact, invitation.contact_id)
        if contact is not None:
            erase_after = as_utc(contact.erase_after) if contact.erase_after else None
            contact.erase_after = max(erase_after, expires) if erase_after else expires
            session.add(contact)
    _add_reminder(session, invitation, at, expires)


def _add_reminder(
    session: Session, invitation: Invitation, sent_at: datetime, expires: datetime
) -> None:
    """The one reminder, inside the contact's safe time; recorded as skipped if none is left."""
    quiet = configured_quiet_hours()
    after = get_settings().reminder_after_days
    reminder_at = reminder_due_at(sent_at, after_days=after, quiet=quiet, expires_at=expires)
    if reminder_at is None:
        return
    safe = _safe_time_of(session, invitation)
    if safe is None:
        session.add(lifecycle.new_reminder(invitation.id, due_at=reminder_at))
        return
    due = next_sending_time(reminder_at, quiet=quiet, safe=safe, until=expires - REMINDER_MARGIN)
    if due is None:
        skip = lifecycle.NO_SAFE_TIME
        session.add(lifecycle.new_reminder(invitation.id, due_at=reminder_at, skip=skip))
    else:
        session.add(lifecycle.new_reminder(invitation.id, due_at=due))


def _safe_time_of(session: Session, invitation: Invitation) -> SafeTime | None:
    contact = session.get(Contact, invitation.contact_id) if invitation.contact_id else None
    if contact is None or contact.safe_time_encrypted is None:
        return None
    try:
        return parse_safe_time(decrypt(contact.safe_time_encrypted))
    except (DecryptionFailed, SafeTimeError):
        # Dispatch skips a message whose safe time it cannot read; schedule as if by quiet hours.
        return None


def record_rejected(
    session: Session, message: OutboundMessage, exc: SendRejected, at: datetime
) -> bool:
    """Record the provider's refusal; True if the message is tried again later, False if failed."""
    if exc.retryable and message.attempts < MAX_ATTEMPTS:
        retry_at = next_send_time(at + RETRY_AFTER * message.attempts, configured_quiet_hours())
        lifecycle.requeue(message, error=exc.reason, due_at=retry_at)
        session.add(message)
        return True
    fail_message(session, message, exc.reason)
    return False
