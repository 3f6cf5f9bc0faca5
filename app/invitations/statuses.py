"""Every status an invitation or an outbound message can have, and the sets code reads.

One module, beside the models, so that a new status is added in one place and every reader
(dispatch, purge, callbacks, opt-out, cancellation, the survey's link checks) sees it. The
values are the strings stored in the database; a `StrEnum` member compares equal to them.
"""

from __future__ import annotations

from enum import StrEnum


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
OUTSTANDING_MESSAGES = frozenset(
    {
        MessageStatus.importing,
        MessageStatus.due,
        MessageStatus.claimed,
        MessageStatus.handing_over,
        MessageStatus.review,
    }
)
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
