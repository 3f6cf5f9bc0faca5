"""Email by SMTP (smtp:// with STARTTLS when offered, or smtps://), text and HTML."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from app.messaging.sender import OutgoingMessage, SendReceipt, SendRejected
from app.settings import Settings


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    use_ssl: bool
    username: str | None
    password: str | None
    from_address: str

    @classmethod
    def from_url(cls, url: str, *, default_from: str) -> SmtpConfig:
        """`smtp://user:pass@host:port?from=address` or `smtps://...`."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("VV_SMTP_URL must look like smtp://user:pass@host:port")
        use_ssl = parts.scheme == "smtps"
        query = parse_qs(parts.query)
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if use_ssl else 25),
            use_ssl=use_ssl,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            from_address=query.get("from", [default_from])[0],
        )


class SmtpSender:
    name = "smtp"

    def __init__(self, config: SmtpConfig, *, timeout: float = 30) -> None:
        self.config = config
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpSender:
        host = urlsplit(settings.base_url).hostname or "localhost"
        return cls(SmtpConfig.from_url(settings.smtp_url, default_from=f"no-reply@{host}"))

    def build(self, message: OutgoingMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.config.from_address
        email["To"] = message.to
        email["Subject"] = message.subject or ""
        email["Date"] = formatdate(localtime=False)
        domain = self.config.from_address.rpartition("@")[2] or None
        email["Message-ID"] = make_msgid(idstring=message.reference, domain=domain)
        if message.stop_url:
            # RFC 2369 and RFC 8058 one-click: mail clients offer "unsubscribe" and POST to it.
            email["List-Unsubscribe"] = f"<{message.stop_url}>"
            email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        email.set_content(message.body)
        if message.html_body:
            email.add_alternative(message.html_body, subtype="html")
        return email

    def _connect(self) -> smtplib.SMTP:
        config = self.config
        if config.use_ssl:
            return smtplib.SMTP_SSL(
                config.host,
                config.port,
                timeout=self.timeout,
                context=ssl.create_default_context(),
            )
        connection = smtplib.SMTP(config.host, config.port, timeout=self.timeout)
        connection.ehlo()
        if connection.has_extn("starttls"):
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        return connection

    def send(self, message: OutgoingMessage) -> SendReceipt:
        email = self.build(message)
        try:
            connection = self._connect()
        except OSError as exc:
            # Not connected, so nothing was handed over.
            raise SendRejected("mail server unreachable", retryable=True) from exc
        try:
            if self.config.username:
                connection.login(self.config.username, self.config.password or "")
            connection.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendRejected("mail server refused the recipient", retryable=False) from exc
        except (smtplib.SMTPSenderRefused, smtplib.SMTPAuthenticationError) as exc:
            raise SendRejected("mail server refused the message", retryable=False) from exc
        finally:
            try:
                connection.quit()
            except smtplib.SMTPException:
                connection.close()
            except OSError:
                connection.close()
        return SendReceipt(provider=self.name, provider_id=email["Message-ID"])
