"""The order of the journey on current answers (pure functions, no database)."""

from __future__ import annotations

from typing import Any

from app.banks.localize import questions_for
from app.survey.addresses import CHECK_URL, step_address, step_for_code
from app.survey.journey import CHECK, Journey, minutes_to_answer, visible_questions
from tests.survey.factories import bank_document

SENSITIVE = {"feelings"}


def journey(answers: dict[str, Any], touchpoint: str = "outcome") -> Journey:
    questions = questions_for(bank_document(), touchpoint, "en")
    return Journey(questions, answers, lambda section: section in SENSITIVE)


def test_only_the_touchpoints_questions_are_asked() -> None:
    ids = [q["id"] for q in journey({}).questions]
    assert "reported_online" not in ids
    assert "reported_online" in [q["id"] for q in journey({}, "reporting").questions]


def test_show_if_hides_until_its_condition_is_met() -> None:
    assert "trial_info" not in [q["id"] for q in journey({}).visible]
    assert "trial_info" not in [q["id"] for q in journey({"someone_charged": "no"}).visible]
    assert "trial_info" in [q["id"] for q in journey({"someone_charged": "yes"}).visible]


def test_a_condition_on_a_hidden_question_is_not_met() -> None:
    questions = [
        {"id": "a", "section": None, "show_if": None},
        {"id": "b", "section": None, "show_if": {"question": "a", "in": ["yes"]}},
        {"id": "c", "section": None, "show_if": {"question": "b", "in": ["yes"]}},
    ]
    # "b" answered yes earlier, then "a" changed to no: "c" must disappear with "b".
    shown = visible_questions(questions, {"a": "no", "b": "yes"})
    assert [q["id"] for q in shown] == ["a"]


def test_a_multi_answer_meets_a_condition_when_any_code_matches() -> None:
    questions = [
        {"id": "a", "section": None, "show_if": None},
        {"id": "b", "section": None, "show_if": {"question": "a", "in": ["x"]}},
    ]
    assert len(visible_questions(questions, {"a": ["y", "x"]})) == 2
    assert len(visible_questions(questions, {"a": ["y"]})) == 1


def test_progress_places_among_the_questions_shown_out_of_a_total_no_answer_moves() -> None:
    total = len(journey({}).questions)  # every question of the touchpoint, follow-ups included
    assert journey({}).progress("what_would_help") == (3, total)
    charged = journey({"someone_charged": "yes"})
    assert charged.progress("trial_info") == (3, total)
    assert charged.progress("what_would_help") == (4, total)
    assert journey({"someone_charged": "no"}).progress("what_would_help") == (3, total)
    assert journey({}).progress("trial_info") == (0, total)  # not shown: no place


def test_a_sensitive_section_starts_with_its_content_note() -> None:
    steps = journey({}).steps
    assert steps[-4:] == ["s:feelings", "q:made_worse", "q:stepping_back", CHECK]
    assert "s:experience" not in steps


def test_next_and_previous_follow_the_answers() -> None:
    assert journey({"someone_charged": "no"}).next_step("q:someone_charged") == (
        "q:what_would_help"
    )
    assert journey({"someone_charged": "yes"}).next_step("q:someone_charged") == "q:trial_info"
    assert journey({}).next_step("q:comments") == "s:feelings"
    assert journey({}).previous_step("q:made_worse") == "s:feelings"
    assert journey({}).previous_step("q:sat_overall") is None


def test_skipping_a_section_goes_past_all_its_questions() -> None:
    assert journey({}).after_section("feelings") == CHECK
    assert journey({}).after_section("experience") == "s:feelings"


def test_resume_lands_on_the_next_unanswered_question() -> None:
    assert journey({}).resume_step() == "q:sat_overall"
    assert journey({"sat_overall": None}).resume_step() == "q:someone_charged"  # skipped: saved
    answered = {"sat_overall": "dont_know", "someone_charged": "yes"}
    assert journey(answered).resume_step() == "q:trial_info"
    # An earlier question left unanswered comes first.
    assert journey({"someone_charged": "no", "comments": "x"}).resume_step() == "q:sat_overall"
    # A section's first question comes after its content note.
    before_section = {
        "sat_overall": None,
        "someone_charged": "no",
        "what_would_help": None,
        "comments": None,
    }
    assert journey(before_section).resume_step() == "s:feelings"
    assert journey({**before_section, "made_worse": "no"}).resume_step() == "q:stepping_back"
    assert journey({**before_section, "made_worse": "no", "stepping_back": None}).resume_step() == (
        CHECK
    )


def test_step_addresses_are_opaque_and_differ_per_session() -> None:
    steps = ["q:sat_overall", "s:feelings", "q:made_worse"]
    first = [step_address("secret-one", step) for step in steps]
    other = [step_address("secret-two", step) for step in steps]
    for address in first:
        assert address.startswith("/survey/page/")
        assert "sat_overall" not in address and "feelings" not in address
    assert len(set(first)) == 3 and not set(first) & set(other)
    assert step_address("secret-one", CHECK) == CHECK_URL == "/survey/check"
    code = first[1].rsplit("/", 1)[1]
    assert step_for_code("secret-one", steps, code) == "s:feelings"
    assert step_for_code("secret-two", steps, code) is None
    assert step_for_code("secret-one", steps, "é" * 16) is None


def test_the_time_estimate_counts_the_questions_of_the_route_shown() -> None:
    choice, text = {"type": "single"}, {"type": "text"}
    assert minutes_to_answer([]) == 1  # never "0 minutes"
    assert minutes_to_answer([choice]) == 1
    assert minutes_to_answer([choice] * 6) == 2
    assert minutes_to_answer([choice] * 5 + [text]) == 3  # 160 seconds
    assert minutes_to_answer([text] * 4 + [choice] * 3) == 5  # 300 seconds
    # From the questions this victim is shown: the touchpoint's, on current answers.
    assert minutes_to_answer(journey({}).visible) == 3
    with_follow_up = journey({"someone_charged": "yes"}, "reporting").visible
    assert len(with_follow_up) == 8 and minutes_to_answer(with_follow_up) == 3  # 200 seconds
