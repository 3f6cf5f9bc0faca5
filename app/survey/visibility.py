"""Which saved answers a viewer may see: the browser session that saved a value, and nobody else.

Someone who reads the victim's messages holds the link, and may hold their phone. So a saved
value is shown only to the survey session that saved it (a session starts each time the link
is opened, and ends on exit or after an idle hour); any other session, and the token alone
(the JSON API), is told only that a question was saved. Pure functions: no database, no HTTP.

A value can also be told by what it does. A question with `show_if` is shown only when an
earlier answer meets its condition, so "this follow-up was saved", or "this follow-up is
asked", would tell the earlier answer. So for a viewer:
- a follow-up saved by someone else is not mentioned at all (not marked, not "Answered");
- a condition on a value the viewer cannot see is not met, so nothing that viewer is shown
  (which questions, their count, where to resume) depends on a value it cannot see;
- when a viewer answers a question again, the follow-ups of it saved by others are dropped
  (`stale_follow_ups`): they were given under an answer the viewer cannot see, and are asked
  again, so probing by re-answering never shows whether they were answered.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final


class _HiddenAnswer:
    """A saved answer this viewer may not see (answered or skipped: it does not say which)."""

    _instance: _HiddenAnswer | None = None

    def __new__(cls) -> _HiddenAnswer:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "HIDDEN"

    def __bool__(self) -> bool:
        return True


HIDDEN: Final = _HiddenAnswer()


@dataclass(frozen=True)
class SavedAnswer:
    value: Any
    saved_by: str | None  # the survey session that saved it; None: the JSON API (no session)


def conditional_ids(questions: Iterable[Mapping[str, Any]]) -> frozenset[str]:
    return frozenset(q["id"] for q in questions if q.get("show_if"))


def answers_seen_by(
    questions: Sequence[Mapping[str, Any]],
    saved: Mapping[str, SavedAnswer],
    viewer: str | None,
) -> dict[str, Any]:
    """The answers as `viewer` may see them: its own values, HIDDEN for others' (see above).

    `viewer` None (the token alone) sees no value at all.
    """
    conditional = conditional_ids(questions)
    seen: dict[str, Any] = {}
    for question_id, answer in saved.items():
        if viewer is not None and answer.saved_by == viewer:
            seen[question_id] = answer.value
        elif question_id not in conditional:
            seen[question_id] = HIDDEN
    return seen


def saved_marks(answers: Mapping[str, Any]) -> dict[str, bool]:
    """The JSON API's `answers`: `true` for each saved question a viewer may know about."""
    return {question_id: True for question_id in answers}


def follow_ups(questions: Sequence[Mapping[str, Any]], question_ids: Collection[str]) -> set[str]:
    """Questions shown only on an answer to one of `question_ids`, directly or through another."""
    found: set[str] = set()
    frontier = set(question_ids)
    while frontier:
        new = {
            q["id"]
            for q in questions
            if q.get("show_if") and q["show_if"]["question"] in frontier and q["id"] not in found
        }
        found |= new
        frontier = new
    return found


def stale_follow_ups(questions: Sequence[Mapping[str, Any]], saving: Collection[str]) -> set[str]:
    """Follow-ups of the questions being saved, other than those saved in the same go."""
    return follow_ups(questions, saving) - set(saving)
