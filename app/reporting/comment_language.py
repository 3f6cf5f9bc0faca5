"""Is a comment written in English? (pure functions)

Redaction is built for English, and analysts read English, so a comment that is not plainly
English waits for a person's check (app.reporting.comment_checks). The rule errs towards
holding: a comment is English when

- its response was in English, and
- lingua's detector (all 75 of its languages, low-accuracy mode: no model download, about
  0.5 ms a comment, ~110 MB once loaded) finds English at least half likely, or
- the detector is unsure (no other language at least 90% likely) and at least 80% of the
  words, names, titles and abbreviations aside, are English words ("ok", "Thanks", "PC
  Smith was kind"): on short text the detector guesses (it takes "Thanks" for Afrikaans
  and "PC Jones was kind" for Dutch).

A comment with no letters at all ("10/10") has nothing to read and is English enough.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from app.reporting import name_lists
from app.reporting.redaction import redact_emails, redact_links
from app.reporting.redaction_names import TITLES

if TYPE_CHECKING:
    from lingua import LanguageDetector

UNDETERMINED = "und"  # BCP 47 for "language not identified"
NO_LINGUISTIC_CONTENT = "zxx"
# A word counted this often in pyspellchecker's English list is English ("july" 610,
# "filler" 402); its list holds few foreign words, and those rarely ("bine" 59, "el" 50).
ENGLISH_WORD_FREQUENCY = 100
ENGLISH_LIKELY = 0.5  # lingua's confidence in English that settles it
OTHER_LANGUAGE_CERTAIN = 0.9  # lingua's confidence in another language that settles it
# Otherwise, English when at least this share of its words (names aside) are English words:
# "=HYPERLINK(...) PC Jones kept me informed" is, "sa va fie rusine" (2 of 4) is not.
ENGLISH_SHARE = 0.8

# Shorthand that English comments use and word lists lack.
ENGLISH_SHORTHAND = frozenset(
    {"n/a", "na", "tbh", "lol", "thx", "pls", "plz", "omg", "idk", "imo", "asap", "u", "ur"}
)


@dataclass(frozen=True)
class LanguageVerdict:
    language: str  # ISO 639-1 code of the language detected, or "und" / "zxx"
    needs_check: bool


@cache
def _detector() -> LanguageDetector:
    from lingua import LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_all_languages().with_low_accuracy_mode().build()


def detect_language(text: str) -> tuple[str, float]:
    """The ISO 639-1 code of the language lingua finds most likely ("und" if none), and how
    likely it finds it (0 to 1)."""
    values = _detector().compute_language_confidence_values(text)
    if not values or values[0].value <= 0:
        return UNDETERMINED, 0.0
    return values[0].language.iso_code_639_1.name.lower(), values[0].value


def words_of(text: str) -> list[str]:
    """Runs of letters and their combining marks, in any script ("don't" is one word)."""
    words: list[str] = []
    current: list[str] = []
    for char in text + " ":
        category = unicodedata.category(char)
        if category[0] in "LM" or (char in "'’" and current):
            current.append(char)
            continue
        if current:
            words.append("".join(current).strip("'’"))
            current = []
    return [word for word in words if len(word) > 1]  # a stray letter says nothing


def _language_neutral(word: str) -> bool:
    """Names, titles and abbreviations say nothing of the language around them."""
    key = name_lists.fold(word)
    return (
        key.rstrip(".") in TITLES
        or (word.isupper() and word.isascii() and len(word) <= 5)  # CPS, ISVA, ASB
        or key in name_lists.first_names()
        or key in name_lists.surnames()
    )


def english_share(words: list[str]) -> float:
    """The share of words (names, titles and abbreviations aside) that are English words."""
    judged = [word for word in words if not _language_neutral(word)]
    if not judged:
        return 1.0
    english = sum(
        1
        for word in judged
        if name_lists.english_frequency(word) >= ENGLISH_WORD_FREQUENCY
        or name_lists.fold(word) in ENGLISH_SHORTHAND
    )
    return english / len(judged)


def is_english_response(response_language: str) -> bool:
    """`en`, `en-GB`, `EN`: the survey was answered in English."""
    return response_language.strip().lower().split("-")[0] == "en"


def language_verdict(text: str, response_language: str) -> LanguageVerdict:
    """The comment's language, and whether a person must check it before analysts see it."""
    # Links and email addresses are in no language (and are redacted anyway).
    text = redact_links(redact_emails(text))
    words = words_of(text)
    if not words:
        return LanguageVerdict(NO_LINGUISTIC_CONTENT, not is_english_response(response_language))
    detected, likelihood = detect_language(text)
    if detected == "en" and likelihood >= ENGLISH_LIKELY:
        english = True
    elif detected != "en" and likelihood >= OTHER_LANGUAGE_CERTAIN:
        english = False
    else:
        english = english_share(words) >= ENGLISH_SHARE
    language = "en" if english else detected
    return LanguageVerdict(
        language, needs_check=not (english and is_english_response(response_language))
    )
