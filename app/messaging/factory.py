"""Which sender this deployment uses (VV_SENDER): the one place that knows every adapter.

Kept apart from app/messaging/sender.py, the protocol the adapters implement, so that the
adapters import the protocol and nothing imports back.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.messaging.notify import NotifySender
from app.messaging.outbox import OutboxSender
from app.messaging.sender import OutgoingMessage, Sender, SendReceipt
from app.messaging.smtp import SmtpSender
from app.settings import get_settings


def get_sender() -> Sender:
    """The sender chosen by VV_SENDER (smtp sends email by SMTP and SMS to the outbox)."""
    settings = get_settings()
    if settings.sender == "notify":
        return NotifySender.from_settings(settings)
    if settings.sender == "smtp":
        return ChannelRouter(email=SmtpSender.from_settings(settings), sms=OutboxSender())
    return OutboxSender()


@dataclass
class ChannelRouter:
    """Sends email with one sender and SMS with another."""

    email: Sender
    sms: Sender
    name: str = "smtp"

    def send(self, message: OutgoingMessage) -> SendReceipt:
        return (self.email if message.channel == "email" else self.sms).send(message)
