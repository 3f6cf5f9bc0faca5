"""The order of the journey on current answers: which pages show, what comes next, progress.

Pure functions: no database, no HTTP. A step is "q:<question id>" (a question page),
"s:<section id>" (the content note before a sensitive section) or "check" (check your answers).
Everything is recomputed from the answers, so an answer that changes a `show_if` condition moves
the question's place and the next page at once, and a stale step (a question now hidden) still
leads on to the right place. The total of "Question N of M" alone is not recomputed: it is fixed
by the invitation before any answer (`Journey.question_total`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

CHECK = "check"

SectionLookup = Callable[[str], bool]  # section id → is it sensitive?


def _condition_met(condition: Mapping[str, Any] | None, answers: Mapping[str, Any]) -> bool:
    if not condition:
        return True
    value = answers.get(condition["question"])
    codes = set(condition.get("in") or [])
    if isinstance(value, list):
        return bool(codes.intersection(value))
    return value in codes


def visible_questions(
    questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """Questions shown on these answers; a condition on a hidden question is not met."""
    shown_ids: set[str] = set()
    shown: list[Mapping[str, Any]] = []
    for question in questions:
        condition = question.get("show_if")
        if condition and condition["question"] not in shown_ids:
            continue
        if _condition_met(condition, answers):
            shown.append(question)
            shown_ids.add(question["id"])
    return shown


# How long a question takes, for the start page's one estimate: a choice is read and picked,
# a text question is thought about and typed.
SECONDS_PER_CHOICE = 20
SECONDS_PER_TEXT = 60


def minutes_to_answer(questions: Sequence[Mapping[str, Any]]) -> int:
    """The time the questions shown take, rounded to whole minutes, at least one."""
    seconds = sum(
        SECONDS_PER_TEXT if question["type"] == "text" else SECONDS_PER_CHOICE
        for question in questions
    )
    return max(1, int(seconds / 60 + 0.5))


@dataclass(frozen=True)
class Journey:
    """The steps of one invitation's survey on its current answers."""

    questions: Sequence[Mapping[str, Any]]
    answers: Mapping[str, Any]
    is_sensitive_section: SectionLookup

    def __post_init__(self) -> None:
        # A snapshot: the steps are computed once, so later changes to the caller's dict
        # must not leave them stale (a new Journey sees new answers).
        object.__setattr__(self, "answers", dict(self.answers))

    @cached_property
    def visible(self) -> list[Mapping[str, Any]]:
        return visible_questions(self.questions, self.answers)

    @cached_property
    def _positions(self) -> dict[str, float]:
        positions: dict[str, float] = {CHECK: float(len(self.questions))}
        for index, question in enumerate(self.questions):
            positions.setdefault(f"q:{question['id']}", float(index))
            section = question.get("section")
            if section:
                positions.setdefault(f"s:{section}", index - 0.5)
        return positions

    @cached_property
    def steps(self) -> list[str]:
        steps: list[str] = []
        previous_section: str | None = None
        for question in self.visible:
            section = question.get("section")
            if section and section != previous_section and self.is_sensitive_section(section):
                steps.append(f"s:{section}")
            previous_section = section
            steps.append(f"q:{question['id']}")
        steps.append(CHECK)
        return steps

    def addressable_steps(self) -> list[str]:
        """Every question and section step of the bank, shown on these answers or not."""
        return [step for step in self._positions if step != CHECK]

    def question(self, question_id: str) -> Mapping[str, Any] | None:
        for question in self.questions:
            if question["id"] == question_id:
                return question
        return None

    def section_questions(self, section_id: str) -> list[Mapping[str, Any]]:
        return [q for q in self.questions if q.get("section") == section_id]

    def _position(self, step: str) -> float:
        """Where a step sits in the full question order (hidden or not); a section's note
        sits just before its first question; -1 for a step that does not exist."""
        return self._positions.get(step, -1.0)

    def is_step(self, step: str) -> bool:
        return step in self.steps

    def next_step(self, step: str) -> str:
        here = self._position(step)
        for candidate in self.steps:
            if self._position(candidate) > here:
                return candidate
        return CHECK

    def previous_step(self, step: str) -> str | None:
        """The step before `step`, or None for the first (the back link goes to the start)."""
        here = self._position(step)
        earlier = [c for c in self.steps if self._position(c) < here]
        return earlier[-1] if earlier else None

    def after_section(self, section_id: str) -> str:
        """The first step after every question of a section (for "skip this section")."""
        ids = [q["id"] for q in self.section_questions(section_id)]
        return self.next_step(f"q:{ids[-1]}") if ids else self.next_step(f"s:{section_id}")

    def first_step(self) -> str:
        return self.steps[0]

    def resume_step(self) -> str:
        """The next unanswered question (after its section's content note, if it opens the
        section), or check your answers when every question shown has been saved."""
        note: str | None = None
        for step in self.steps:
            kind, _sep, ident = step.partition(":")
            if kind == "s":
                note = step
            elif kind == "q":
                if ident not in self.answers:
                    return note or step
                note = None
        return CHECK

    @property
    def question_total(self) -> int:
        """M of "Question N of M": every question the invitation's context can ever show,
        follow-ups counted as if shown, so no answer ever changes it (the titles stay in the
        browser history: a total that moved with an answer would tell it)."""
        return len(self.questions)

    def progress(self, question_id: str) -> tuple[int, int]:
        """("Question N of M"): N the question's place among those shown on the current
        answers (a routed-out question leaves no gap), M `question_total`; N is 0 for a
        question not shown."""
        ids = [q["id"] for q in self.visible]
        return (ids.index(question_id) + 1 if question_id in ids else 0, self.question_total)
