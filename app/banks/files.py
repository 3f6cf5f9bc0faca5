"""Checking a set of bank paths, as `banks check` and `banks load` do (read by yaml_files.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.banks.bank_set_rules import specialist_problems
from app.banks.crime_group_check import check_crime_groups_file
from app.banks.lint import check_document
from app.banks.problems import BANK, Problem, Severity
from app.banks.risk_words import RISK_WORDS_FILE, check_risk_words_file
from app.banks.schema import BankDocument
from app.banks.support import SUPPORT_FILE, check_support_file
from app.banks.translation_rules import LINT_PHRASES_FILE, check_lint_phrases_file
from app.banks.yaml_files import read_yaml, yaml_message
from app.crime_groups import CRIME_GROUPS_FILE, CrimeGroupEntry

MESSAGES_FILE = "messages.yaml"
DEFAULT_DIRECTORY = Path("question_banks")


@dataclass
class CheckedFiles:
    """The outcome of checking some paths: problems, and the valid banks and support file."""

    problems: list[Problem] = field(default_factory=list)
    banks: list[tuple[str, BankDocument]] = field(default_factory=list)
    support_files: list[Path] = field(default_factory=list)
    # The entries of a crime groups file among the paths (`banks load` checks their approvers).
    crime_groups: list[CrimeGroupEntry] = field(default_factory=list)
    files_checked: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for problem in self.problems if problem.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for problem in self.problems if problem.severity == "warning")


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files to check: a directory means every *.yaml file in it, sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.yaml")))
        else:
            files.append(path)
    return files


def _messages_linter() -> Callable[..., Any] | None:
    try:
        from app.messaging.message_lint import lint_messages
    except ImportError:
        return None
    return lint_messages


def _check_messages(path: Path, name: str) -> list[Problem]:
    linter = _messages_linter()
    if linter is None:
        return []  # the messaging domain is not installed: nothing to check it against
    problems = []
    for location, message, severity in linter(path):
        level: Severity = "warning" if str(severity) == "warning" else "error"
        problems.append(Problem(name, str(location), str(message), level, "messages"))
    return problems


def check_paths(paths: Iterable[Path]) -> CheckedFiles:
    """Check bank files, the support services file and the message file among `paths`."""
    result = CheckedFiles()
    slugs: dict[str, str] = {}
    paths = list(paths)
    group_files: list[Path] = []
    checked_banks: list[str] = []
    parsed: list[tuple[str, BankDocument]] = []  # every bank that passed the schema
    for path in paths:
        if path.is_dir() and not any(path.glob("*.yaml")):
            result.problems.append(Problem(str(path), BANK, "no .yaml files in this folder"))
    for path in expand_paths(paths):
        name = str(path)
        result.files_checked += 1
        if not path.is_file():
            result.problems.append(Problem(name, BANK, "no such file"))
            continue
        if path.name == SUPPORT_FILE:
            problems = check_support_file(path, name)
            result.problems.extend(problems)
            if not any(problem.severity == "error" for problem in problems):
                result.support_files.append(path)
            continue
        if path.name == RISK_WORDS_FILE:
            result.problems.extend(check_risk_words_file(path, name))
            continue
        if path.name == LINT_PHRASES_FILE:
            result.problems.extend(check_lint_phrases_file(path, name))
            continue
        if path.name == MESSAGES_FILE:
            result.problems.extend(_check_messages(path, name))
            continue
        if path.name == CRIME_GROUPS_FILE:
            group_files.append(path)  # checked last, against the banks among the paths
            continue
        try:
            data = read_yaml(path)
        except yaml.YAMLError as error:
            result.problems.append(Problem(name, BANK, yaml_message(error)))
            continue
        document, problems = check_document(data, name)
        result.problems.extend(problems)
        if document is None:
            continue
        checked_banks.append(str(document.crime_group))
        parsed.append((name, document))
        if document.slug in slugs:
            result.problems.append(
                Problem(
                    name, BANK, f"slug '{document.slug}' is also the slug of {slugs[document.slug]}"
                )
            )
            continue
        slugs[document.slug] = name
        if not any(problem.severity == "error" for problem in problems):
            result.banks.append((name, document))
    result.problems.extend(specialist_problems(parsed))
    _check_group_files(result, group_files, checked_banks)
    return result


def _check_group_files(result: CheckedFiles, files: list[Path], banks: list[str]) -> None:
    for path in files:
        # Banks are required only when some were checked too (not for one file on its own).
        entries, problems = check_crime_groups_file(path, str(path), banks or None)
        result.problems.extend(problems)
        result.crime_groups.extend(entries)
