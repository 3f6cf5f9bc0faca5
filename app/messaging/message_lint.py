"""Checks of the message file, on the text as it will be sent.

`lint_messages(path, deployment)` gives `(location, message, severity)` tuples; `victim-voice
banks check` prints them and fails on any error. Every kind × channel × language × contact
class is filled with the deployment's real VV_BASE_URL, VV_VERIFY_URL and VV_ORGANISATION
and a link of real length, then:

- every template: no word that tells what it is about (app/messaging/neutral_words.py), the
  placeholders it needs, and (SMS) the STOP ending of its language;
- a specialist message, as sent: nothing names the police, a commissioner, the PCC or OPCC, a
  crime or a victim, in any line, any link or its domain, or the email subject; so it never
  carries {organisation};
- an SMS as sent: English at most 2 GSM-7 fragments, other languages at most 3.

Without a `deployment`, the settings are read from the environment (and `.env`), as the
service reads them: run the check with the deployment's own settings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.messaging.fragments import sms_size
from app.messaging.neutral_words import forbidden_words, named_as_sent, named_in_sender
from app.messaging.texts import (
    KINDS,
    LINK_TOKEN_LENGTH,
    MESSAGE_SETS,
    PLACEHOLDER_RE,
    PLACEHOLDERS,
    STOP_REPLY,
    Deployment,
    fill,
    stop_link,
    survey_link,
    text_in,
)
from app.time_estimates import states_time_estimate

Problem = tuple[str, str, str]

# English must stay in GSM-7 within two fragments; other languages within three of either.
MAX_FRAGMENTS = {"en": 2}
MAX_FRAGMENTS_OTHER = 3
NO_ORGANISATION = "must not name {organisation} (it is named on the genuine-message page)"
FIELDS = (("sms", ("body",)), ("email", ("subject", "body")))
# What a body needs. An SMS is stopped by replying STOP (to the inbound number), so its stop
# link is optional there; an email has no such reply and must carry it.
REQUIRED = {
    ("general", "sms"): ("organisation", "link", "verify_url"),
    ("general", "email"): ("organisation", "link", "verify_url", "stop_link"),
    ("specialist", "sms"): ("link", "verify_url"),
    ("specialist", "email"): ("link", "verify_url", "stop_link"),
}


TIME_ESTIMATE_PROBLEM = "states a time estimate: the start page gives the one estimate"


def deployment_from_environment() -> Deployment:
    """The deployment's values as the service would read them (VV_ variables, `.env`)."""
    from app.settings import Settings

    return Deployment.from_settings(Settings())


def sent_values(deployment: Deployment) -> dict[str, str]:
    """Placeholder values as a real message has them (a token of real length)."""
    token = "x" * LINK_TOKEN_LENGTH
    return {
        "organisation": deployment.organisation,
        "link": survey_link(deployment.base_url, token),
        "stop_link": stop_link(deployment.base_url, token),
        "verify_url": deployment.verify_url,
    }


def lint_messages(path: Path | str, deployment: Deployment | None = None) -> list[Problem]:
    """Every problem of the message file at `path`, rendered for `deployment`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [("file", f"cannot read the message file ({type(exc).__name__})", "error")]
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        return [("messages", "the file needs a `messages` mapping", "error")]
    if deployment is None:
        try:
            deployment = deployment_from_environment()
        except ValidationError as exc:
            return [("settings", f"cannot read the deployment's settings ({exc})", "error")]
    problems, languages = _lint_translations(data)
    named = named_in_sender(deployment.email_sender)
    if named:
        # Specialist emails go from the same address: its name or domain is on the lock screen.
        where = "specialist_messages.email.sender"
        problems.append(
            (where, "the email sender (VV_SMTP_URL) names " + ", ".join(named), "error")
        )
    titled = named_in_sender(deployment.service_name)
    if titled:
        # Every page title ends with it: a victim's browser history would name the police.
        problems.append(
            ("settings.VV_SERVICE_NAME", "the service name names " + ", ".join(titled), "error")
        )
    values = sent_values(deployment)
    for contact, key in MESSAGE_SETS.items():
        message_set = data.get(key)
        if not isinstance(message_set, dict):
            problems.append((key, f"the {contact} message set is missing", "error"))
            continue
        prefix = "" if contact == "general" else f"{key}."
        for kind in KINDS:
            kind_doc = message_set.get(kind)
            if not isinstance(kind_doc, dict):
                problems.append((f"{prefix}{kind}", f"the {kind} messages are missing", "error"))
                continue
            for channel, fields in FIELDS:
                parts = kind_doc.get(channel)
                if not isinstance(parts, dict):
                    problems.append((f"{prefix}{kind}.{channel}", "missing", "error"))
                    continue
                for name in fields:
                    where = f"{prefix}{kind}.{channel}.{name}"
                    value = parts.get(name)
                    check = _Check(data, contact, channel, name, values)
                    problems.extend(check.value(value, where, languages))
    return problems


def _lint_translations(data: dict[str, Any]) -> tuple[list[Problem], list[str]]:
    problems: list[Problem] = []
    translations = data.get("translations") or {}
    if not isinstance(translations, dict):
        problems.append(("translations", "must map language to {status: ...}", "error"))
        translations = {}
    for language, info in translations.items():
        status = info.get("status") if isinstance(info, dict) else None
        if status not in ("draft", "approved"):
            problems.append(
                (f"translations.{language}", "status must be draft or approved", "error")
            )
    return problems, ["en", *[str(language) for language in translations]]


class _Check:
    """The checks of one field (an SMS body, an email subject or body) of one message set."""

    def __init__(
        self, data: dict[str, Any], contact: str, channel: str, name: str, values: dict[str, str]
    ) -> None:
        self.data = data
        self.contact = contact
        self.channel = channel
        self.is_body = name == "body"
        self.values = values

    def value(self, value: Any, where: str, languages: list[str]) -> list[Problem]:
        if text_in(self.data, value, "en") is None:
            return [(where, "needs English text", "error")]
        problems: list[Problem] = []
        for language in languages:
            found = text_in(self.data, value, language)
            location = f"{where}[{language}]"
            if found is None:
                if language != "en":
                    problems.append((location, "no translation (English is sent)", "warning"))
                continue
            text, status = found
            # A draft is never sent: its problems wait (as warnings) until someone approves it.
            severity = "error" if status == "approved" else "warning"
            problems.extend(
                (location, message, level)
                for message, level in self.text(text.strip(), language, severity)
            )
        return problems

    def text(self, text: str, language: str, severity: str) -> list[tuple[str, str]]:
        problems = [
            (f"unknown placeholder {{{placeholder}}}", "error")
            for placeholder in PLACEHOLDER_RE.findall(text)
            if placeholder not in PLACEHOLDERS
        ]
        words = forbidden_words(text)
        if words:
            problems.append(("not neutral: must not say " + ", ".join(words), "error"))
        if states_time_estimate(text):
            problems.append(
                ("states a time estimate: the start page gives the one estimate", "error")
            )
        problems.extend(self._placeholders(text, severity))
        sent = fill(text, self.values)
        if self.contact == "specialist":
            named = named_as_sent(sent)
            if named:
                problems.append(("as sent, names " + ", ".join(named), severity))
        if self.channel == "sms" and self.is_body:
            problems.extend(self._sms(text, sent, language, severity))
        return problems

    def _placeholders(self, text: str, severity: str) -> list[tuple[str, str]]:
        if self.contact == "specialist" and "{organisation}" in text:
            return [
                ("must not name {organisation} (it is named on the genuine-message page)", "error")
            ]
        if self.is_body:
            return [
                (f"must include {{{required}}}", severity)
                for required in REQUIRED[(self.contact, self.channel)]
                if "{" + required + "}" not in text
            ]
        if self.contact == "general" and "{organisation}" not in text:
            return [("should name {organisation}", "warning")]
        return []

    def _sms(self, text: str, sent: str, language: str, severity: str) -> list[tuple[str, str]]:
        problems = []
        ending = STOP_REPLY.get(language)
        if ending is None:
            problems.append((f"no STOP reply wording known for {language}", "warning"))
        elif not text.endswith(ending):
            problems.append((f"must end with “{ending}”", severity))
        size = sms_size(sent)
        limit = MAX_FRAGMENTS.get(language, MAX_FRAGMENTS_OTHER)
        if language == "en" and size.encoding != "gsm7":
            problems.append((f"must stay in GSM-7 (as sent: {size.describe()})", severity))
        elif size.fragments > limit:
            problems.append(
                (f"too long: at most {limit} fragments, as sent {size.describe()}", severity)
            )
        return problems
