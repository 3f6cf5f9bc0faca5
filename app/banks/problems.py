"""What the bank checks report: a Problem per finding, and the schema errors put in words.

A problem belongs to a question, a section, or the whole bank (BANK), so an author is sent to
the place to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

Severity = Literal["error", "warning"]
BANK = "(bank)"  # where a problem belongs to the whole bank rather than one question


@dataclass(frozen=True)
class Problem:
    file: str
    question_id: str  # the question's id, a section's id, or BANK
    message: str
    severity: Severity = "error"
    rule: str = "schema"

    def format(self) -> str:
        """`file:question_id: message`, warnings marked so a reader can tell them apart."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.question_id}: {prefix}{self.message}"


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


class Collector:
    """The problems one lint run finds in one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, rule: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(self.file, where, message, severity, rule))


# --- schema errors ---------------------------------------------------------------------------


def _where(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """(the id of the question or section the error is in, the path inside it)."""
    owner, rest_start = BANK, 0
    node: Any = data
    for index, part in enumerate(loc):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        parent = loc[index - 1] if index > 0 else None
        if isinstance(part, int) and parent in ("questions", "sections"):
            kind = "question" if parent == "questions" else "section"
            ident = node.get("id") if isinstance(node, dict) else None
            owner = str(ident) if isinstance(ident, str) and ident else f"{kind} {part + 1}"
            rest_start = index + 1
    path = ""
    for part in loc[rest_start:]:
        path += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return owner, path


def _friendly(error: dict[str, Any]) -> str:
    kind, msg, loc = error.get("type", ""), str(error.get("msg", "")), error.get("loc", ())
    last = loc[-1] if loc else ""
    if last == "reason" and kind in ("string_too_short", "missing"):
        return "a waiver needs a written reason"
    if kind == "string_type" and isinstance(error.get("input"), bool):
        return 'put yes and no in quotes ("yes", "no"): without them YAML reads true or false'
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/question-banks.md)"
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch":
        return "use only lower-case letters, digits and _, starting with a letter"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "must not be empty"
    msg = msg.removeprefix("Value error, ")
    return msg.replace("Input should be", "must be")


def schema_problems(file: str, data: Any, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors():
        loc = tuple(detail.get("loc", ()))
        owner, path = _where(data, loc)
        message = _friendly(dict(detail))
        problems.append(Problem(file, owner, f"{path}: {message}" if path else message))
    return problems
