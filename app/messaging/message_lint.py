"""Checks of the message file: neutral words, the required placeholders, SMS length.

`lint_messages(path)` gives `(location, message, severity)` tuples; `victim-voice banks check`
prints them and fails on any error.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from app.messaging.texts import KINDS, PLACEHOLDER_RE, PLACEHOLDERS, fill, text_in

Problem = tuple[str, str, str]

# Two concatenated SMS: 153 GSM-7 septets or 67 UCS-2 characters per fragment.
GSM7_LIMIT = 306
UCS2_LIMIT = 134
# Realistic lengths for the length check: a production base URL and a token as long as
# app.invitations.links makes them (22-character id, 6-character time, 22-character tag).
REALISTIC_BASE_URL = "https://voice.example.org.uk"
REALISTIC_VERIFY_URL = "https://example.org.uk/check"
TOKEN_LENGTH = 52

_GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€\f")

# Words that would tell a reader of the phone what the message is about, case-insensitively,
# in every language we can check: English as whole words (with common endings), the others
# as word starts (stems, because of their inflection).
FORBIDDEN = {
    "en": [
        "victim",
        "survivor",
        "crime",
        "criminal",
        "offence",
        "offense",
        "offender",
        "rape",
        "raped",
        "sexual",
        "sex",
        "assault",
        "abuse",
        "abused",
        "abuser",
        "violence",
        "violent",
        "domestic",
        "stalk",
        "stalking",
        "harass",
        "harassment",
        "burglary",
        "theft",
        "robbery",
        "fraud",
        "hate",
        "attack",
        "rasso",
        "vawg",
        "cid",
        "isva",
        "idva",
        "safeguarding",
        "public protection",
        "sapphire",
        "soteria",
        "bluestone",
        "investigation",
        "court",
        "trial",
        "witness",
        "police",
    ],
    "pl": [
        "ofiar",
        "przestęp",
        "przestep",
        "gwałt",
        "gwalt",
        "przemoc",
        "napaść",
        "napasc",
        "molest",
        "seksual",
        "kradzież",
        "kradziez",
        "włamani",
        "wlamani",
        "nękani",
        "nekani",
        "policj",
        "sądow",
        "śledztw",
        "sledztw",
        "świad",
        "swiad",
    ],
    "ur": [
        "متاثر",
        "جرم",
        "زیادتی",
        "تشدد",
        "جنسی",
        "پولیس",
        "عدالت",
        "چوری",
        "حملہ",
        "ہراس",
        "گواہ",
        "تفتیش",
    ],
}
ORGANISATION_WORDS = re.compile(r"\{organisation\}")


def gsm7_length(text: str) -> int | None:
    """Septets needed in GSM-7, or None when the text needs UCS-2."""
    length = 0
    for char in text:
        if char in _GSM7_BASIC:
            length += 1
        elif char in _GSM7_EXTENDED:
            length += 2
        else:
            return None
    return length


def sms_fits(text: str) -> tuple[bool, str]:
    """Whether `text` fits two SMS fragments, and a description of the count."""
    septets = gsm7_length(text)
    if septets is not None:
        return septets <= GSM7_LIMIT, f"{septets} GSM-7 characters (limit {GSM7_LIMIT})"
    return len(text) <= UCS2_LIMIT, f"{len(text)} UCS-2 characters (limit {UCS2_LIMIT})"


def _forbidden_words(text: str) -> list[str]:
    found = []
    lowered = text.lower()
    # Placeholders are filled by settings and links, not by this file.
    lowered = PLACEHOLDER_RE.sub(" ", lowered)
    for language, words in FORBIDDEN.items():
        ending = r"(s|es|ed|ing|ly|al)?(?!\w)" if language == "en" else ""
        for word in words:
            pattern = r"(?<!\w)" + re.escape(word.strip()) + ending
            if re.search(pattern, lowered):
                found.append(word.strip())
    return sorted(set(found))


def _realistic_values() -> dict[str, str]:
    organisation = "Office of the Police and Crime Commissioner"
    base_url = REALISTIC_BASE_URL
    verify_url = REALISTIC_VERIFY_URL
    try:
        from app.settings import Settings

        settings = Settings()
        organisation = settings.organisation
        if len(settings.base_url) > len(base_url):
            base_url = settings.base_url
        if len(settings.verify_url) > len(verify_url):
            verify_url = settings.verify_url
    except Exception:  # noqa: S110 - the defaults above are realistic enough to lint with
        pass
    link = f"{base_url.rstrip('/')}/s/{'x' * TOKEN_LENGTH}"
    return {
        "organisation": organisation,
        "link": link,
        "stop_link": f"{link}/stop",
        "verify_url": verify_url,
    }


def lint_messages(path: Path | str) -> list[Problem]:
    """Every problem of the message file at `path`."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        return [("file", f"cannot read the message file ({type(exc).__name__})", "error")]
    if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
        return [("messages", "the file needs a `messages` mapping", "error")]
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
    languages = ["en", *[str(language) for language in translations]]
    values = _realistic_values()
    for kind in KINDS:
        kind_doc = data["messages"].get(kind)
        if not isinstance(kind_doc, dict):
            problems.append((kind, f"the {kind} messages are missing", "error"))
            continue
        for channel, fields in (("sms", ("body",)), ("email", ("subject", "body"))):
            parts = kind_doc.get(channel)
            if not isinstance(parts, dict):
                problems.append((f"{kind}.{channel}", "missing", "error"))
                continue
            for name in fields:
                problems.extend(
                    _lint_value(
                        data,
                        parts.get(name),
                        f"{kind}.{channel}.{name}",
                        languages,
                        values,
                        channel=channel,
                        is_body=name == "body",
                    )
                )
    return problems


def _lint_value(
    data: dict[str, Any],
    value: Any,
    where: str,
    languages: list[str],
    values: dict[str, str],
    *,
    channel: str,
    is_body: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    if text_in(data, value, "en") is None:
        return [(where, "needs English text", "error")]
    for language in languages:
        found = text_in(data, value, language)
        location = f"{where}[{language}]"
        if found is None:
            if language != "en":
                problems.append((location, "no translation (English is sent)", "warning"))
            continue
        text, status = found
        # A draft is never sent: its problems wait (as warnings) until someone approves it.
        severity = "error" if status == "approved" else "warning"
        for placeholder in PLACEHOLDER_RE.findall(text):
            if placeholder not in PLACEHOLDERS:
                problems.append((location, f"unknown placeholder {{{placeholder}}}", "error"))
        words = _forbidden_words(text)
        if words:
            problems.append((location, "not neutral: must not say " + ", ".join(words), "error"))
        if is_body:
            for required in PLACEHOLDERS:
                if "{" + required + "}" not in text:
                    problems.append((location, f"must include {{{required}}}", severity))
        elif "{organisation}" not in text:
            problems.append((location, "should name {organisation}", "warning"))
        if channel == "sms" and is_body:
            fits, count = sms_fits(fill(text.strip(), values))
            if not fits:
                problems.append((location, f"too long for two SMS fragments: {count}", severity))
    return problems
