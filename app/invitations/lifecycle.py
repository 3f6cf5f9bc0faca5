"""The one owner of every invitation and outbound-message status: what they are, the sets code
reads, and every change between them.

Nothing else in `app/` writes `Invitation.status` or `OutboundMessage.status`
(tests/invitations/test_lifecycle.py reads the whole tree to keep it so): a new status or a new
rule about who may move where is added here, and every reader (dispatch, purge, callbacks,
opt-out, cancellation, the survey's link checks) sees it. The values are the strings stored in
the database; a `StrEnum` member compares equal to them.

Transitions never move the funnel backwards: each one names the statuses it may leave and
leaves any other status as it is (or refuses, where the caller has already checked).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, update
from sqlmodel import Session, col

from app.db import utcnow
from app.invitations.models import Invitation, OutboundMessage


class InvitationStatus(StrEnum):
    """Where one survey link is, as the funnel counts it."""

    pending = "pending"  # nothing sent yet
    sent = "sent"  # a message carrying the link was (or may have been) handed to a sender
    delivered = "delivered"
    failed = "failed"  # the provider refused or could not deliver the first message
    opened = "opened"
    started = "started"
    completed = "completed"
    withdrawn = "withdrawn"
    cancelled = "cancelled"
    expired = "expired"


class MessageStatus(StrEnum):
    """One outbound message: claimed, then handed over, then settled.

    `claimed` means a worker holds it and it has certainly NOT reached a sender: the
    `handing_over` mark is committed before the sender is called. So a claim left by a worker
    that died is safe to send again, and only a `handing_over` left behind may have reached
    the provider (it goes to `review`).
    """

    importing = "importing"  # its batch is still arriving: dispatch never claims it
    due = "due"
    claimed = "claimed"
    handing_over = "handing_over"
    sent = "sent"
    failed = "failed"
    skipped = "skipped"
    cancelled = "cancelled"
    review = "review"


# --- messages ---------------------------------------------------------------------------------

# Never reached a sender: a cancellation or an opt-out can still stop them.
UNSENT_MESSAGES = frozenset({MessageStatus.importing, MessageStatus.due, MessageStatus.claimed})
# Not settled yet: an invitation with one of these is not finished (purge leaves it alone).
OUTSTANDING_MESSAGES = UNSENT_MESSAGES | {MessageStatus.handing_over, MessageStatus.review}
# Settled for good: nothing changes them any more.
TERMINAL_MESSAGES = frozenset(
    {MessageStatus.sent, MessageStatus.failed, MessageStatus.skipped, MessageStatus.cancelled}
)

# --- invitations ------------------------------------------------------------------------------

# Nothing more is sent for these (dispatch skips their messages at send time).
FINISHED_INVITATIONS = frozenset(
    {
        InvitationStatus.cancelled,
        InvitationStatus.withdrawn,
        InvitationStatus.expired,
        InvitationStatus.completed,
    }
)
# Still worth a message: the invitation has not finished.
SENDABLE_INVITATIONS = frozenset(InvitationStatus) - FINISHED_INVITATIONS
# Purge keeps these when a link ends (the funnel counts them); the others become `expired`.
KEPT_AT_EXPIRY = frozenset(
    {
        InvitationStatus.completed,
        InvitationStatus.withdrawn,
        InvitationStatus.cancelled,
        InvitationStatus.failed,
    }
)
# A link answers only once a message carrying it has been sent.
LINK_OPEN = frozenset(
    {
        InvitationStatus.sent,
        InvitationStatus.delivered,
        InvitationStatus.failed,
        InvitationStatus.opened,
        InvitationStatus.started,
        InvitationStatus.completed,
    }
)
LINK_ENDED = frozenset(
    {InvitationStatus.expired, InvitationStatus.withdrawn, InvitationStatus.cancelled}
)
# A delivery receipt may replace these: the funnel never moves backwards.
BEFORE_DELIVERY = frozenset(
    {InvitationStatus.pending, InvitationStatus.sent, InvitationStatus.failed}
)
# A failure receipt may replace these.
BEFORE_FAILURE = frozenset({InvitationStatus.pending, InvitationStatus.sent})
# Opening the link may replace these.
BEFORE_OPENED = frozenset(
    {InvitationStatus.sent, InvitationStatus.delivered, InvitationStatus.failed}
)
# Opening the link, or saving a first answer, may replace these.
BEFORE_STARTED = BEFORE_OPENED | {InvitationStatus.opened}
# A link in one of these answers, or has answered, the victim: the survey's own pages.
USABLE_LINK = LINK_OPEN

# Handed to a sender (or maybe): its outcome is recorded even after the claim has run out.
HANDED_OVER_MESSAGES = frozenset({MessageStatus.handing_over, MessageStatus.review})
# Stopped while a worker held the claim (an opt-out or a cancellation): never handed over.
STOPPED_MESSAGES = frozenset({MessageStatus.skipped, MessageStatus.cancelled})

# What a row is created with (bulk inserts name the status; the models' defaults agree).
NEW_INVITATION = InvitationStatus.pending
# A message whose batch is still arriving: dispatch never claims it until the batch is whole.
WAITING_FOR_IMPORT = MessageStatus.importing
# No sending time left in the safe time within the link's life: created or ends skipped.
NO_SENDING_TIME, NO_SAFE_TIME = MessageStatus.skipped, "no_safe_time"
OUTSIDE_SAFE_TIME = "outside_safe_time"  # a claim that waits for the safe time's next window


class TransitionRefused(ValueError):
    """A change the caller should have ruled out (a bug, never a victim's doing)."""


def _require(current: str, allowed: Collection[str], target: str) -> None:
    if current not in allowed:
        raise TransitionRefused(f"status {current!r} cannot become {target!r}")


# --- invitations, one at a time -------------------------------------------------------------


def mark_sent(invitation: Invitation, *, at: datetime, expires_at: datetime) -> None:
    """The first message carrying the link was (or may have been) handed over: the link lives."""
    invitation.first_sent_at = at
    invitation.expires_at = expires_at
    if invitation.status == InvitationStatus.pending:
        invitation.status = InvitationStatus.sent


def mark_failed(invitation: Invitation) -> None:
    """The first message could not be sent at all (a receipt uses mark_delivery_failed)."""
    if invitation.status == InvitationStatus.pending:
        invitation.status = InvitationStatus.failed


def mark_delivered(invitation: Invitation, *, at: datetime) -> bool:
    """A delivery receipt for the first message; False when the funnel is already further."""
    if invitation.status not in BEFORE_DELIVERY:
        return False
    invitation.status = InvitationStatus.delivered
    invitation.delivered_at = at
    return True


def mark_delivery_failed(invitation: Invitation) -> bool:
    """A failure receipt for the first message; False when it changes nothing."""
    if invitation.status not in BEFORE_FAILURE:
        return False
    invitation.status = InvitationStatus.failed
    return True


def mark_opened(invitation: Invitation, at: datetime | None = None) -> None:
    """Record the first opening for the funnel; never moves an invitation backwards.

    "Opened" counts the first human step, never a GET: mail scanners and link previews fetch
    every link in a message, follow its redirects and often the plain links of the page it
    reaches, but do not press buttons. So the start page's "Start now" (and its language
    choice) are form POSTs that call this, and a first saved answer counts too (mark_started);
    opening the link, the JSON API's GET and every page GET change nothing.
    """
    at = at or utcnow()
    if invitation.opened_at is None:
        invitation.opened_at = at
    if invitation.status in BEFORE_OPENED:
        invitation.status = InvitationStatus.opened


def mark_started(invitation: Invitation, at: datetime | None = None) -> None:
    """The first saved answer: the survey is in progress."""
    at = at or utcnow()
    if invitation.opened_at is None:
        invitation.opened_at = at
    if invitation.started_at is None:
        invitation.started_at = at
    if invitation.status in BEFORE_STARTED:
        invitation.status = InvitationStatus.started


def mark_completed(invitation: Invitation, *, at: datetime) -> None:
    """The survey was submitted (the caller holds a usable link, so this always applies)."""
    _require(invitation.status, USABLE_LINK, InvitationStatus.completed)
    invitation.status = InvitationStatus.completed
    invitation.completed_at = at
    invitation.link_encrypted = None  # no reminder follows: the link's copy has no further use


def mark_withdrawn(invitation: Invitation, *, at: datetime) -> None:
    """The victim withdrew: the link ends (the caller holds a usable link)."""
    _require(invitation.status, USABLE_LINK, InvitationStatus.withdrawn)
    invitation.status = InvitationStatus.withdrawn
    invitation.withdrawn_at = at
    invitation.link_encrypted = None


def cancel(invitation: Invitation, *, at: datetime) -> bool:
    """The force cancelled it: only an invitation never sent ends; True when it did."""
    if invitation.status != InvitationStatus.pending:
        return False
    invitation.status = InvitationStatus.cancelled
    invitation.cancelled_at = at
    return True


# --- invitations, in bulk -------------------------------------------------------------------

Ids = Collection[str] | Select[Any]


def _id_in(column: Any, ids: Ids) -> ColumnElement[bool]:
    return col(column).in_(ids)


def expire(session: Session, invitation_ids: Ids) -> None:
    """Links that have ended become `expired`, except those the funnel counts as they are."""
    session.execute(
        update(Invitation)
        .where(_id_in(Invitation.id, invitation_ids))
        .where(col(Invitation.status).not_in(KEPT_AT_EXPIRY))
        .values(status=InvitationStatus.expired)
    )


def cancel_unsent(session: Session, invitation_ids: Ids, *, at: datetime) -> int:
    """Invitations never sent end as `cancelled` (a later stage of the case took their place)."""
    result = session.execute(
        update(Invitation)
        .where(_id_in(Invitation.id, invitation_ids))
        .where(col(Invitation.status) == InvitationStatus.pending)
        .values(status=InvitationStatus.cancelled, cancelled_at=at)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- messages, one at a time ----------------------------------------------------------------


def hand_over(message: OutboundMessage, *, at: datetime, until: datetime) -> None:
    """Committed just before the sender is called: from then on the message may have gone."""
    _require(message.status, {MessageStatus.claimed}, MessageStatus.handing_over)
    message.status = MessageStatus.handing_over
    message.handed_over_at = at
    message.claim_expires_at = until


def settle_sent(
    message: OutboundMessage, *, provider: str, provider_id: str | None, at: datetime
) -> None:
    """The sender took it."""
    message.status = MessageStatus.sent
    message.sent_at = at
    message.provider = provider
    message.provider_id = provider_id[:120] if provider_id else None
    message.error = None


def requeue(message: OutboundMessage, *, error: str, due_at: datetime | None = None) -> None:
    """Due again (a claim that never reached a sender, or a sender that surely refused it)."""
    message.status = MessageStatus.due
    message.error = error[:200]
    if due_at is not None:
        message.due_at = due_at
    message.claimed_by = None
    message.claim_expires_at = None


def fail(message: OutboundMessage, reason: str) -> None:
    """Never to be sent: refused for good, unbuildable, or claimed too often."""
    message.status = MessageStatus.failed
    message.error = reason[:200]


def hold_for_review(message: OutboundMessage, reason: str) -> None:
    """It may have reached the provider: never resent automatically (docs/dispatch.md)."""
    message.status = MessageStatus.review
    message.error = reason[:200]


def skip(message: OutboundMessage, reason: str | None) -> None:
    """Checked again at send time and found not to go (finished, opted out, erased, …)."""
    message.status = MessageStatus.skipped
    message.error = reason


def cancel_message(message: OutboundMessage, reason: str) -> None:
    """Stopped by the force before it reached a sender (the caller picked unsent ones)."""
    _require(message.status, UNSENT_MESSAGES, MessageStatus.cancelled)
    message.status = MessageStatus.cancelled
    message.error = reason


def settle_held(message: OutboundMessage, *, sent: bool, at: datetime) -> MessageStatus:
    """An operator checked the provider for a message held for review: sent, or due again."""
    _require(message.status, {MessageStatus.review}, "settled")
    status = MessageStatus.sent if sent else MessageStatus.due
    message.status = status
    message.claimed_by = None
    message.claim_expires_at = None
    if not sent:
        message.due_at = at
    return status


def wait_for_window(message: OutboundMessage, *, due_at: datetime) -> None:
    """Claimed outside its safe time: due at the next window (not an attempt: never sent)."""
    _require(message.status, {MessageStatus.claimed}, MessageStatus.due)
    requeue(message, error=OUTSIDE_SAFE_TIME, due_at=due_at)
    message.attempts = max(0, message.attempts - 1)


def new_reminder(
    invitation_id: str, *, due_at: datetime, skip: str | None = None
) -> OutboundMessage:
    """The one reminder; created skipped, with its reason, when it has no time to go."""
    status = MessageStatus.due if skip is None else MessageStatus.skipped
    return OutboundMessage(
        invitation_id=invitation_id, kind="reminder", status=status, due_at=due_at, error=skip
    )


# --- messages, in bulk ----------------------------------------------------------------------


def claim(
    session: Session, message_ids: list[str], *, worker: str, at: datetime, until: datetime
) -> None:
    """Mark due messages as claimed by `worker` (a message another worker took stays its)."""
    session.execute(
        update(OutboundMessage)
        .where(col(OutboundMessage.id).in_(message_ids))
        .where(col(OutboundMessage.status) == MessageStatus.due)
        .values(
            status=MessageStatus.claimed,
            claimed_at=at,
            claimed_by=worker,
            claim_expires_at=until,
            handed_over_at=None,
            attempts=col(OutboundMessage.attempts) + 1,
        )
    )


def release_imported(
    session: Session, invitation_ids: Ids, *, execution_options: dict[str, Any] | None = None
) -> None:
    """The batch is whole: its waiting messages become due."""
    session.execute(
        update(OutboundMessage)
        .where(col(OutboundMessage.status) == WAITING_FOR_IMPORT)
        .where(_id_in(OutboundMessage.invitation_id, invitation_ids))
        .values(status=MessageStatus.due),
        execution_options=execution_options or {},
    )


def skip_unsent(
    session: Session,
    invitation_ids: Ids,
    *,
    reason: str,
    statuses: Collection[str] = UNSENT_MESSAGES,
) -> int:
    """Stop the messages of these invitations that have not reached a sender (or, with
    `statuses`, only those in them: the links ended, so a due message is never sent); how many."""
    result = session.execute(
        update(OutboundMessage)
        .where(_id_in(OutboundMessage.invitation_id, invitation_ids))
        .where(col(OutboundMessage.status).in_(statuses))
        .values(status=MessageStatus.skipped, error=reason)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
