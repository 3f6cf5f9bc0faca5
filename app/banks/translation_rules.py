"""The wording rules in other languages: each language's phrase lists, in
`question_banks/lint_phrases.yaml`, applied to that language's text of every question, hint and
option (rule `translation_wording`, waivable with a written reason).

A list is `review: pending` until a native speaker from a partner signs it off; until then a
match is a warning, since a list nobody has checked can be wrong both ways. Once approved, a
match is an error, as in English. Either way the lint is a backstop behind the partner's review
and the approver's sign-off of every translation, never a replacement for them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app.banks.paraphrase import PARAPHRASE_CLASSES
from app.banks.problems import Collector, Problem, schema_problems
from app.banks.schema import SOURCE_LANGUAGE, Question
from app.banks.yaml_files import read_yaml, yaml_message

LINT_PHRASES_FILE = "lint_phrases.yaml"
LINT_PHRASES_PATH = (
    Path(__file__).resolve().parent.parent.parent / "question_banks" / LINT_PHRASES_FILE
)
RULE = "translation_wording"
PHRASE_MAX = 80
# What each list stands for: the English rule, and how a message completes "the text ...".
WHAT: dict[str, str] = {
    "asks_what_happened": "asks the victim to describe the offence, the offender or injuries",
    "blames": "could read as blaming the victim",
    **{item.rule: item.what for item in PARAPHRASE_CLASSES},
}
# Urdu is typed with Arabic or Urdu letter forms; read them as one.
_LETTERS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک", "ه": "ہ", "\u200c": ""})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PhraseLanguage(_Strict):
    review: Literal["pending", "approved"]
    signed_off_by: str | None = None
    signed_off_on: str | None = None
    phrases: dict[str, list[str]] = Field(min_length=1)

    @model_validator(mode="after")
    def _signed_off_when_approved(self) -> PhraseLanguage:
        if self.review == "approved" and not (self.signed_off_by and self.signed_off_on):
            raise ValueError(
                "an approved list names who signed it off (signed_off_by: the partner and the "
                "native speaker) and when (signed_off_on)"
            )
        return self


class PhrasesFile(_Strict):
    languages: dict[str, PhraseLanguage] = Field(min_length=1)


@dataclass(frozen=True)
class _Phrase:
    rule: str
    text: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Language:
    approved: bool
    phrases: tuple[_Phrase, ...]


def normalized(text: str) -> str:
    """Lower case, no diacritics (Urdu zer, zabar...; Polish accents, often left out when
    typing), no invisible characters, one form of each Urdu letter, punctuation as spaces."""
    text = unicodedata.normalize("NFKD", text.casefold().translate(_LETTERS))
    # Marks (Mn) and invisible format characters (Cf: soft hyphen, zero-width space or joiner),
    # so that nothing the reader cannot see splits a word and lets a phrase through.
    text = "".join(char for char in text if unicodedata.category(char) not in ("Mn", "Cf"))
    return " ".join(re.findall(r"[^\W_]+\*?", text))


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    words = normalized(phrase).split()
    parts = [
        re.escape(word[:-1]) + r"\w*" if word.endswith("*") else re.escape(word) for word in words
    ]
    return re.compile(r"(?<!\w)" + " ".join(parts) + r"(?!\w)")


def _file_problems(name: str, document: PhrasesFile) -> list[Problem]:
    problems = []
    for language, entry in document.languages.items():
        if language == SOURCE_LANGUAGE:
            problems.append(
                Problem(name, language, "English is linted by the rules themselves", rule=RULE)
            )
        for rule, phrases in entry.phrases.items():
            if rule not in WHAT:
                problems.append(
                    Problem(
                        name,
                        f"{language}.{rule}",
                        f"'{rule}' is not a wording rule (one of {', '.join(sorted(WHAT))})",
                        rule=RULE,
                    )
                )
            for phrase in phrases:
                text = normalized(phrase)
                if not text or len(phrase) > PHRASE_MAX or "*" in text.rstrip("*"):
                    problems.append(
                        Problem(
                            name,
                            f"{language}.{rule}",
                            f"'{phrase[:PHRASE_MAX]}' is not a phrase (words, with at most a "
                            f"final *, up to {PHRASE_MAX} characters)",
                            rule=RULE,
                        )
                    )
    return problems


def check_lint_phrases_file(path: Path, file: str | None = None) -> list[Problem]:
    """Problems of the phrase lists file, in the bank check's shape."""
    name = file or str(path)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        return [Problem(name, "(file)", yaml_message(error), rule=RULE)]
    try:
        document = PhrasesFile.model_validate(data)
    except ValidationError as error:
        return [
            Problem(p.file, p.question_id, p.message, rule=RULE)
            for p in schema_problems(name, data, error)
        ]
    return _file_problems(name, document)


def phrase_lists(path: Path | None = None) -> dict[str, _Language]:
    """Each language's compiled lists (none when the file is missing or wrong: `banks check`
    reports it); re-read when the file changes."""
    path = path or LINT_PHRASES_PATH
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return {}
    return _load(str(path), stamp)


@lru_cache(maxsize=4)
def _load(path: str, _mtime: int) -> dict[str, _Language]:
    try:
        document = PhrasesFile.model_validate(read_yaml(Path(path)))
    except (ValueError, yaml.YAMLError):
        return {}
    if _file_problems(path, document):
        return {}
    return {
        language: _Language(
            entry.review == "approved",
            tuple(
                _Phrase(rule, phrase, _phrase_pattern(phrase))
                for rule, phrases in entry.phrases.items()
                for phrase in phrases
            ),
        )
        for language, entry in document.languages.items()
    }


def _language_text(value: Any, language: str) -> str:
    if not isinstance(value, dict):
        return ""
    text = value.get(language)
    if isinstance(text, dict):
        text = text.get("text")
    return text if isinstance(text, str) else ""


def lint_translations(out: Collector, question: Question, strings: list[Any]) -> bool:
    """Report the first listed phrase in each language's text; True when one was found."""
    waived = any(waiver.rule == RULE for waiver in question.waivers)
    found = False
    for language, lists in phrase_lists().items():
        texts = [normalized(_language_text(value, language)) for value in strings]
        match = next(
            (phrase for phrase in lists.phrases if any(phrase.pattern.search(t) for t in texts)),
            None,
        )
        if match is None:
            continue
        found = True
        if waived:
            continue
        what = WHAT[match.rule]
        if lists.approved:
            out.add(
                question.id,
                RULE,
                f"the {language} text {what} ('{match.text}'): reword the translation, or add a "
                f"waiver for rule {RULE} with a written reason",
            )
        else:
            out.add(
                question.id,
                RULE,
                f"the {language} text may be one that {what} ('{match.text}'): ask the partner's "
                f"translator to check it (the {language} phrase list awaits a native speaker's "
                "review, so this is a warning)",
                "warning",
            )
    return found
