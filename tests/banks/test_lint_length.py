"""The 18-question rule, the one free-text box, and the equality section (small banks only)."""

from __future__ import annotations

from typing import Any

from app.banks.context import StageContext
from app.banks.length_rules import unconditional_count
from app.banks.lint import check_document
from app.banks.schema import parse_document
from tests.banks.helpers import bank, of_rule, section, text_box, yes_no


def _plain(count: int, prefix: str, **extra: Any) -> list[dict[str, Any]]:
    return [yes_no(f"{prefix}{i}", **extra) for i in range(count)]


def test_core_and_the_largest_module_count_and_show_if_questions_do_not() -> None:
    gate = yes_no("gate")
    behind = yes_no("behind", show_if={"question": "gate", "in": ["yes"]})
    document = parse_document(
        bank(
            section("core", gate, behind, *_plain(3, "c")),
            section("a", *_plain(2, "a"), module="small"),
            section("b", *_plain(5, "b"), module="big"),
            section("b2", *_plain(1, "bb"), module="big"),
        )
    )
    assert unconditional_count(document, "court", StageContext()) == (4 + 6, "big")


def test_more_than_18_at_a_touchpoint_is_an_error_naming_touchpoint_outcome_and_count() -> None:
    document = bank(
        section("core", *_plain(15, "c", touchpoints=["court"])),
        section("m", *_plain(4, "m", touchpoints=["court"]), module="m"),
    )
    _parsed, problems = check_document(document)
    assert of_rule(problems, "too_many_questions") == [
        "(bank): at court (every outcome) a victim could see 19 questions without a show_if "
        "(the sections everyone is asked and the largest module): keep it to 18 or fewer by "
        "moving questions into modules"
    ]


def test_context_routing_is_applied_per_outcome_and_vcs_flag() -> None:
    charged_only = yes_no(
        "charged_only", touchpoints=["sentence"], show_if={"context": "outcome", "in": ["charged"]}
    )
    vcs = yes_no(
        "vcs", touchpoints=["sentence"], show_if={"context": "vcs_eligible", "in": ["true"]}
    )
    document = bank(section("core", *_plain(17, "c", touchpoints=["sentence"]), charged_only, vcs))
    _parsed, problems = check_document(document)
    assert of_rule(problems, "too_many_questions") == [
        "(bank): at sentence (outcome charged with vcs_eligible true) a victim could see 19 "
        "questions without a show_if (the sections everyone is asked and the largest module): "
        "keep it to 18 or fewer by moving questions into modules"
    ]


def test_eighteen_passes() -> None:
    document = bank(section("core", *_plain(18, "c")))
    _parsed, problems = check_document(document)
    assert of_rule(problems, "too_many_questions") == []


def test_more_than_one_free_text_box_for_everyone_is_an_error() -> None:
    document = bank(
        section("core", text_box("t1"), text_box("t2", touchpoints=["court"])),
        section("m", text_box("t3"), module="m"),
        section("more", yes_no("q"), text_box("t4", show_if={"question": "q", "in": ["yes"]})),
    )
    _parsed, problems = check_document(document)
    assert of_rule(problems, "free_text_once") == [
        "t2: at court everyone is asked 2 free-text questions (t1, t2): keep one, and move the "
        "others to a module or behind a show_if"
    ]


def _equality(*questions: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return section("equality", *questions, equality=True, **extra)


def _characteristic(question_id: str, characteristic: str, *codes: str) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "single",
        "text": "Which of these describes you?",
        "characteristic": characteristic,
        "show_if": {"question": "gate", "in": ["yes"]},
        "options": [{"code": code, "label": code} for code in codes],
    }


def test_a_well_formed_equality_section_passes() -> None:
    document = bank(
        section("core", yes_no("q")),
        _equality(
            yes_no("gate", repeat=True),
            _characteristic("age", "age_band", "age_18_to_24", "under_18", "prefer_not_to_say"),
            _characteristic("sex", "sex", "female", "male", "prefer_not_to_say"),
        ),
    )
    _parsed, problems = check_document(document)
    assert [p for p in problems if p.rule.startswith("equality")] == []


def test_equality_section_rules() -> None:
    document = bank(
        _equality(
            yes_no("gate", show_if=None, characteristic="sex"),
            _characteristic("age", "age_band", "age_18_to_24", "prefer_not_to_say"),
            _characteristic("age2", "age_band", "age_18_to_24", "under_18"),
            {**yes_no("open"), "show_if": {"question": "gate", "in": ["no"]}},
        ),
        section("core", yes_no("q", characteristic="disability")),
    )
    _parsed, problems = check_document(document)
    assert of_rule(problems, "equality_section", "equality_characteristic", "equality_options") == [
        "q: a question with a characteristic belongs in the equality section",
        "equality: the equality section comes last",
        "gate: the first question of the equality section is its gate: without a "
        "characteristic, `repeat: true`",
        "age: the age band question offers under_18 (that answer shows Childline and keeps the "
        "response out of published figures)",
        "age2: the characteristic age_band is asked more than once",
        "age2: an equality question offers prefer_not_to_say",
        'open: an equality question needs show_if {question: gate, in: ["yes"]}',
        "open: an equality question records a characteristic (age_band, sex, disability or "
        "ethnicity)",
    ]


def test_an_equality_question_is_single_choice() -> None:
    """Attack (issue 13): a tick-all age band ("18 to 24" and "under 18") would be counted by
    whichever answer came last; a characteristic has one answer per person."""
    document = bank(
        section("core", yes_no("q")),
        _equality(
            yes_no("gate", repeat=True),
            {
                **_characteristic(
                    "age", "age_band", "age_18_to_24", "under_18", "prefer_not_to_say"
                ),
                "type": "multi",
            },
        ),
    )
    _parsed, problems = check_document(document)
    assert of_rule(problems, "equality_section") == [
        "age: an equality question has one answer per person (single or yes_no)"
    ]
