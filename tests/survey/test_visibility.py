"""Which saved answers a viewer may see (pure functions, no database)."""

from __future__ import annotations

from typing import Any

from app.survey.journey import Journey
from app.survey.visibility import (
    HIDDEN,
    SavedAnswer,
    answers_seen_by,
    follow_ups,
    saved_marks,
    stale_follow_ups,
)

QUESTIONS: list[dict[str, Any]] = [
    {"id": "a", "section": None, "show_if": None},
    {"id": "b", "section": None, "show_if": {"question": "a", "in": ["yes"]}},
    {"id": "c", "section": None, "show_if": {"question": "b", "in": ["yes"]}},
    {"id": "d", "section": None, "show_if": None},
]


def test_a_viewer_sees_its_own_values_and_only_that_others_saved() -> None:
    saved = {
        "a": SavedAnswer("yes", "session-1"),
        "d": SavedAnswer(None, "session-2"),  # skipped elsewhere: not told it was skipped
    }
    assert answers_seen_by(QUESTIONS, saved, "session-1") == {"a": "yes", "d": HIDDEN}
    assert answers_seen_by(QUESTIONS, saved, "session-2") == {"a": HIDDEN, "d": None}
    assert answers_seen_by(QUESTIONS, saved, "session-3") == {"a": HIDDEN, "d": HIDDEN}


def test_the_token_alone_sees_no_value() -> None:
    saved = {"a": SavedAnswer("yes", None), "d": SavedAnswer("no", "session-1")}
    seen = answers_seen_by(QUESTIONS, saved, None)
    assert seen == {"a": HIDDEN, "d": HIDDEN}
    assert saved_marks(seen) == {"a": True, "d": True}


def test_a_follow_up_saved_elsewhere_is_not_mentioned() -> None:
    saved = {"a": SavedAnswer("yes", "s1"), "b": SavedAnswer("yes", "s1")}
    assert answers_seen_by(QUESTIONS, saved, "s2") == {"a": HIDDEN}
    assert answers_seen_by(QUESTIONS, saved, "s1") == {"a": "yes", "b": "yes"}


def test_a_condition_on_a_hidden_value_is_never_met() -> None:
    def shown(saved: dict[str, SavedAnswer]) -> list[str]:
        answers = answers_seen_by(QUESTIONS, saved, "viewer")
        return [q["id"] for q in Journey(QUESTIONS, answers, lambda _: False).visible]

    assert shown({"a": SavedAnswer("yes", "other")}) == ["a", "d"]
    assert shown({"a": SavedAnswer("no", "other")}) == ["a", "d"]
    assert shown({"a": SavedAnswer("yes", "viewer")}) == ["a", "b", "d"]


def test_follow_ups_are_found_through_other_follow_ups() -> None:
    assert follow_ups(QUESTIONS, ["a"]) == {"b", "c"}
    assert follow_ups(QUESTIONS, ["b"]) == {"c"}
    assert follow_ups(QUESTIONS, ["d"]) == set()
    assert stale_follow_ups(QUESTIONS, ["a", "b"]) == {"c"}


def test_hidden_is_one_value_that_meets_no_condition() -> None:
    assert HIDDEN is type(HIDDEN)()
    assert HIDDEN not in {"yes", "no"} and HIDDEN != "yes"
    assert repr(HIDDEN) == "HIDDEN"
