"""Words of danger or self-harm, for the free-text pages' in-browser risk panel.

Data, not code: `question_banks/risk_words.yaml`, one list per language (checked by `banks
check`). The page embeds every language's phrases as a JSON data block, and the browser alone
matches them while the victim types (app/assets/risk-words.mjs): nothing typed is sent or kept.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.banks.problems import Problem, schema_problems
from app.banks.yaml_files import read_yaml, yaml_message

RISK_WORDS_FILE = "risk_words.yaml"
RISK_WORDS_PATH = Path(__file__).resolve().parent.parent.parent / "question_banks" / RISK_WORDS_FILE
PHRASE_MAX = 80


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RiskLanguage(_Strict):
    status: Literal["draft", "approved"]
    danger: list[str] = Field(min_length=1)
    self_harm: list[str] = Field(min_length=1)


class RiskWordsFile(_Strict):
    languages: dict[str, RiskLanguage] = Field(min_length=1)


def _phrase_problems(name: str, document: RiskWordsFile) -> list[Problem]:
    problems = []
    for language, words in document.languages.items():
        for kind in ("danger", "self_harm"):
            for phrase in getattr(words, kind):
                text = phrase.strip().removesuffix("*")
                if not text or len(phrase) > PHRASE_MAX or "*" in text:
                    problems.append(
                        Problem(
                            name,
                            f"{language}.{kind}",
                            f"'{phrase[:PHRASE_MAX]}' is not a phrase (words, with at most a "
                            f"final *, up to {PHRASE_MAX} characters)",
                        )
                    )
    if "en" not in document.languages:
        problems.append(Problem(name, "languages", "English (en) phrases are required"))
    return problems


def check_risk_words_file(path: Path, file: str | None = None) -> list[Problem]:
    """Problems of the risk words file, in the bank check's shape."""
    name = file or str(path)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        return [Problem(name, "(file)", yaml_message(error))]
    try:
        document = RiskWordsFile.model_validate(data)
    except ValidationError as error:
        return schema_problems(name, data, error)
    return _phrase_problems(name, document)


def risk_phrases(path: Path = RISK_WORDS_PATH) -> list[str]:
    """Every language's phrases, once each (empty when the file is missing or wrong: the page
    then shows only its static line); re-read when the file changes."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return []
    return list(_phrases(str(path), stamp))


@lru_cache(maxsize=4)
def _phrases(path: str, _mtime: int) -> tuple[str, ...]:
    try:
        document = RiskWordsFile.model_validate(read_yaml(Path(path)))
    except (ValueError, yaml.YAMLError):
        return ()
    if _phrase_problems(path, document):
        return ()
    seen: dict[str, None] = {}
    for words in document.languages.values():
        for phrase in [*words.danger, *words.self_harm]:
            seen.setdefault(phrase.strip(), None)
    return tuple(seen)
