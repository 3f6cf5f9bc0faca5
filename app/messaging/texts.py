"""The invitation and reminder texts: one service-wide file, translated like a bank.

`question_banks/messages.yaml`:

    translations: {ur: {status: draft}, pl: {status: draft}}
    messages:                 # the general set (crime groups of contact class general)
      invitation:
        sms: {body: <localized>}
        email: {subject: <localized>, body: <localized>}
      reminder: (the same)
    specialist_messages:      # the specialist set (contact: specialist): the same shape

A localized value is an English string or `{en: ..., ur: ..., pl: ...}`, where a language's
value may be `{text: ..., status: approved}` to override that language's status for one
string. Only approved text is ever sent; otherwise English. A specialist message is only ever
built from the specialist set: if it is missing, nothing is sent (never the general text).
Placeholders: {organisation}, {link}, {stop_link}, {verify_url}.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from app.i18n import is_rtl
from app.settings import Settings

ROOT = Path(__file__).resolve().parent.parent.parent
MESSAGES_PATH = ROOT / "question_banks" / "messages.yaml"
KINDS = ("invitation", "reminder")
CONTACT_CLASSES = ("general", "specialist")
# The key of each contact class's message set in the file.
MESSAGE_SETS = {"general": "messages", "specialist": "specialist_messages"}
# A survey link is VV_BASE_URL + "/s/" + a token of this many characters (app/invitations/links.py).
LINK_TOKEN_LENGTH = 17
# Every SMS ends with this, in its language: replies reach the service's inbound number, whose
# callback opts the number out (app/invitations/callbacks.py).
STOP_REPLY = {
    "en": "Reply STOP to stop",
    "ur": "روکنے کے لیے STOP بھیجیں",
    "pl": "Odpisz STOP, aby zrezygnować",
}
PLACEHOLDERS = ("organisation", "link", "stop_link", "verify_url")
PLACEHOLDER_RE = re.compile(r"\{([a-z_]*)\}")
_URL_RE = re.compile(r"https?://[^\s<>\"]+")


@dataclass(frozen=True)
class Deployment:
    """The values a message is filled with that come from the deployment's settings."""

    base_url: str
    verify_url: str
    organisation: str
    # The From address of an email, where this service sets it (VV_SENDER=smtp); with Notify
    # the sender is the Notify service's own name, set in Notify (docs/links-and-messages.md).
    email_sender: str = ""
    # VV_SERVICE_NAME: it ends every page title, so it stays in the browser history.
    service_name: str = "Your views"

    @classmethod
    def from_settings(cls, settings: Settings) -> Deployment:
        # Without VV_VERIFY_URL, the genuine-message page at the root of VV_BASE_URL.
        return cls(
            base_url=settings.base_url.rstrip("/"),
            verify_url=settings.verify_url or settings.base_url,
            organisation=settings.organisation,
            email_sender=_smtp_sender(settings),
            service_name=settings.service_name,
        )


def _smtp_sender(settings: Settings) -> str:
    if settings.sender != "smtp" or not settings.smtp_url:
        return ""
    from app.messaging.smtp import SmtpSender

    try:
        return SmtpSender.from_settings(settings).config.from_address
    except ValueError:
        return ""


def survey_link(base_url: str, token: str) -> str:
    """The survey link of a token (the one address form, shared with the lint)."""
    return f"{base_url.rstrip('/')}/s/{token}"


def stop_link(base_url: str, token: str) -> str:
    return f"{survey_link(base_url, token)}/stop"


@dataclass(frozen=True)
class RenderedText:
    language: str
    body: str
    subject: str | None = None
    html_body: str | None = None


class MessageFileError(RuntimeError):
    """The message file is missing or malformed (run `victim-voice banks check`)."""


def load_messages(path: Path = MESSAGES_PATH) -> dict[str, Any]:
    stat = path.stat()
    return _load(str(path), stat.st_mtime_ns)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        raise MessageFileError("the message file has no `messages` mapping")
    return data


def message_set(document: dict[str, Any], contact: str) -> dict[str, Any]:
    """The kinds of messages for a contact class; MessageFileError when it has none."""
    found = document.get(MESSAGE_SETS.get(contact, ""))
    if not isinstance(found, dict):
        raise MessageFileError(f"no {contact} message set in the message file")
    return found


def language_status(document: dict[str, Any], language: str) -> str:
    if language == "en":
        return "approved"
    info = (document.get("translations") or {}).get(language)
    if isinstance(info, dict):
        return str(info.get("status", "draft"))
    return "missing"


def text_in(document: dict[str, Any], value: Any, language: str) -> tuple[str, str] | None:
    """(text, effective status) of a localized value in `language`, or None if absent."""
    if isinstance(value, str):
        return (value, "approved") if language == "en" else None
    if not isinstance(value, dict) or language not in value:
        return None
    entry = value[language]
    if isinstance(entry, dict):
        text = entry.get("text")
        status = str(entry.get("status") or language_status(document, language))
    else:
        text, status = entry, language_status(document, language)
    if not isinstance(text, str):
        return None
    return text, ("approved" if language == "en" else status)


def _approved_text(document: dict[str, Any], value: Any, language: str) -> str | None:
    found = text_in(document, value, language)
    if found is None or found[1] != "approved":
        return None
    return found[0]


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known placeholders only (a stray brace in a translation stays as is)."""
    return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _candidates(language: str) -> list[str]:
    primary = language.split("-")[0].lower()
    return [language, primary] if primary != language else [language]


def render_message(
    kind: str,
    channel: str,
    language: str,
    *,
    link: str,
    stop_link: str,
    organisation: str,
    verify_url: str,
    contact: str = "general",
    path: Path = MESSAGES_PATH,
) -> RenderedText:
    """The message in `language` where every part is approved in it, otherwise English,
    from the message set of the `contact` class (general or specialist)."""
    document = load_messages(path)
    try:
        parts = message_set(document, contact)[kind][channel]
    except (KeyError, TypeError) as exc:
        raise MessageFileError(f"no {contact} {kind} {channel} text in the message file") from exc
    fields = ("subject", "body") if channel == "email" else ("body",)
    chosen = "en"
    for candidate in _candidates(language):
        if all(_approved_text(document, parts.get(name), candidate) for name in fields):
            chosen = candidate
            break
    values = {
        "organisation": organisation,
        "link": link,
        "stop_link": stop_link,
        "verify_url": verify_url,
    }
    texts = {}
    for name in fields:
        text = _approved_text(document, parts.get(name), chosen)
        if text is None:
            raise MessageFileError(f"no English {kind} {channel} {name} in the message file")
        texts[name] = fill(text.strip(), values)
    if channel != "email":
        return RenderedText(language=chosen, body=texts["body"])
    return RenderedText(
        language=chosen,
        subject=" ".join(texts["subject"].split()),
        body=texts["body"],
        html_body=_as_html(texts["body"], chosen),
    )


def _as_html(body: str, language: str) -> str:
    def paragraph(block: str) -> str:
        escaped = html.escape(block)
        linked = _URL_RE.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        return "<p>" + linked.replace("\n", "<br>") + "</p>"

    blocks = [block.strip() for block in re.split(r"\n\s*\n", body) if block.strip()]
    direction = ' dir="rtl"' if is_rtl(language) else ""
    return (
        f'<!DOCTYPE html><html lang="{html.escape(language)}"{direction}><body>'
        + "".join(paragraph(block) for block in blocks)
        + "</body></html>"
    )
