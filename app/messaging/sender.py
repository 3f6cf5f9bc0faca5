"""One interface for every way of sending a message (outbox, GOV.UK Notify, SMTP)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """A rendered message: what to send, where, and our own reference for it."""

    channel: str  # sms | email
    to: str  # E.164 for sms, an address for email
    body: str
    reference: str  # OutboundMessage.id: the provider carries it back on receipts
    subject: str | None = None  # email only
    html_body: str | None = None  # email only
    stop_url: str | None = None  # List-Unsubscribe target (email)

    def __repr__(self) -> str:
        # Never let a destination or a link reach a log through a repr.
        return f"OutgoingMessage(channel={self.channel!r}, reference={self.reference!r})"


@dataclass(frozen=True)
class SendReceipt:
    provider: str
    provider_id: str | None = None


class SendRejected(Exception):
    """The provider certainly did not accept the message (refused, or never reached).

    `retryable` when trying again later may work (rate limit, connection refused). Any other
    exception from `send` means the outcome is unknown: the message may have gone.
    """

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


class Sender(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> SendReceipt:
        """Hand the message to the provider; raise SendRejected if it was surely not taken."""
        ...
