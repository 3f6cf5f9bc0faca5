"""GOV.UK Notify: one template per channel whose content is ((body)) (and ((subject)))."""

from __future__ import annotations

from typing import Any

import requests
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from app.messaging.sender import OutgoingMessage, SendReceipt, SendRejected
from app.settings import Settings

DEFAULT_BASE_URL = "https://api.notifications.service.gov.uk"


class NotifySender:
    """Sends through the official client; our message id travels as Notify's `reference`."""

    name = "notify"

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str,
        sms_template_id: str,
        email_template_id: str,
        sms_sender_id: str = "",
    ) -> None:
        self._client = NotificationsAPIClient(api_key, base_url=base_url or DEFAULT_BASE_URL)
        self._sms_template_id = sms_template_id
        self._email_template_id = email_template_id
        # The inbound number's sender (VV_NOTIFY_SMS_SENDER_ID); None leaves Notify's default,
        # which production refuses (app/settings.py).
        self._sms_sender_id = sms_sender_id.strip() or None

    @classmethod
    def from_settings(cls, settings: Settings) -> NotifySender:
        return cls(
            api_key=settings.notify_api_key,
            base_url=settings.notify_base_url,
            sms_template_id=settings.notify_sms_template_id,
            email_template_id=settings.notify_email_template_id,
            sms_sender_id=settings.notify_sms_sender_id,
        )

    def send(self, message: OutgoingMessage) -> SendReceipt:
        try:
            if message.channel == "sms":
                answer = self._client.send_sms_notification(
                    phone_number=message.to,
                    template_id=self._sms_template_id,
                    personalisation={"body": message.body},
                    reference=message.reference,
                    sms_sender_id=self._sms_sender_id,
                )
            else:
                answer = self._client.send_email_notification(
                    email_address=message.to,
                    template_id=self._email_template_id,
                    personalisation={"subject": message.subject or "", "body": message.body},
                    reference=message.reference,
                    one_click_unsubscribe_url=message.stop_url,
                )
        except APIError as exc:
            raise _classify(exc) from exc
        provider_id = answer.get("id") if isinstance(answer, dict) else None
        return SendReceipt(provider=self.name, provider_id=_text(provider_id))


def _text(value: Any) -> str | None:
    return str(value) if value is not None else None


def _classify(exc: APIError) -> Exception:
    """SendRejected when Notify surely did not take the message; `exc` itself when unsure."""
    response = exc.response
    if response is None:
        cause = exc.__cause__
        # Never connected: certainly not sent. A read timeout or a dropped connection after
        # the request went out leaves the outcome unknown.
        if isinstance(cause, requests.ConnectTimeout) or "NewConnectionError" in repr(cause):
            return SendRejected("provider unreachable", retryable=True)
        return exc
    status = response.status_code
    if status == 429 or status == 503:
        return SendRejected(f"provider answered {status}", retryable=True)
    if 400 <= status < 500:
        return SendRejected(f"provider refused the message ({status})", retryable=False)
    return exc
