"""The Victims' Code rules: aspects not bare rights, each aspect at its touchpoints behind the
show_if it needs, each right at every touchpoint of the table with one headline question there,
and `repeat: true` on the headline and the board's measures. Small hand-written banks only."""

from __future__ import annotations

from app.banks.aspects import ASPECTS, aspect_touchpoints
from app.banks.lint import check_document
from app.banks.metrics import right_touchpoints
from tests.banks.helpers import bank, of_rule, section, yes_no

RIGHT_12 = "victims_code.right_12.complaint_info"


def test_every_rights_touchpoints_are_its_aspects_touchpoints() -> None:
    for number in range(1, 13):
        assert aspect_touchpoints(number) == right_touchpoints(number)


def test_a_bare_right_is_an_error_naming_its_aspects() -> None:
    document = bank(section("s", yes_no("q1", "victims_code.right_10", repeat=True)))
    _parsed, problems = check_document(document)
    assert of_rule(problems, "right_aspect") == [
        "q1: victims_code.right_10 is the right's own figure, worked out from its aspects: tag "
        "one of its aspects: victims_code.right_10.property_returned, "
        "victims_code.right_10.expenses"
    ]


def test_an_aspect_outside_its_touchpoints_is_an_error() -> None:
    question = yes_no(
        "q1", "victims_code.right_10.expenses", touchpoints=["outcome", "court"], repeat=True
    )
    _parsed, problems = check_document(bank(section("s", question)))
    assert of_rule(problems, "right_touchpoint") == [
        "q1: victims_code.right_10.expenses is asked at outcome, where the Victims' Code table "
        "does not ask about it (it is asked at court)"
    ]


def test_the_show_if_an_aspect_needs_comes_from_the_aspect_data() -> None:
    vcs = [a for a in ASPECTS if a.right == 11][0]
    assert set(vcs.needs_show_if) == {"sentence"}
    missing = yes_no("q1", vcs.id, touchpoints=["sentence"], repeat=True)
    wrong_context = yes_no(
        "q2",
        "victims_code.right_6.right_to_review",
        touchpoints=["outcome"],
        show_if={"context": "outcome", "in": ["charged", "nfa"]},
    )
    answered = yes_no(
        "q3",
        "victims_code.right_11.vcs_offered",
        touchpoints=["sentence"],
        show_if={"context": "outcome", "in": ["charged"]},
    )
    _parsed, problems = check_document(bank(section("s", missing, wrong_context, answered)))
    assert of_rule(problems, "right_needs_show_if") == [
        "q1: victims_code.right_11.vcs_offered at sentence needs a show_if (ask it only when the "
        "upload marks vcs_eligible)",
        "q2: victims_code.right_6.right_to_review at outcome needs show_if {context: outcome, in: "
        '["nfa", "not_known", "out_of_court", "victim_withdrew"]} or an earlier answer (ask it '
        "only when nobody was charged)",
        "q3: victims_code.right_11.vcs_offered at sentence needs show_if {context: vcs_eligible, "
        'in: ["true"]} (ask it only when the upload marks vcs_eligible)',
    ]


def test_right_8_at_outcome_may_follow_an_earlier_answer_or_the_outcome_context() -> None:
    charged = {
        "id": "charged",
        "type": "single",
        "text": "Has anyone been charged?",
        "touchpoints": ["outcome"],
        "options": [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}],
    }
    by_answer = yes_no(
        "q1",
        "victims_code.right_8.trial_info",
        touchpoints=["outcome"],
        show_if={"question": "charged", "in": ["yes"]},
        repeat=True,
    )
    _parsed, problems = check_document(bank(section("s", charged, by_answer)))
    assert of_rule(problems, "right_needs_show_if", "right_headline", "repeat_required") == []
    by_context = yes_no(
        "q1",
        "victims_code.right_8.trial_info",
        touchpoints=["outcome"],
        show_if={"context": "outcome", "in": ["charged"]},
        repeat=True,
    )
    _parsed, problems = check_document(bank(section("s", by_context)))
    assert of_rule(problems, "right_needs_show_if", "right_headline", "repeat_required") == []


def test_every_right_of_the_crime_group_at_every_touchpoint_is_an_error() -> None:
    question = yes_no("q1", RIGHT_12, touchpoints=["reporting", "court"], repeat=True)
    _parsed, problems = check_document(bank(section("s", question)))
    found = [p for p in problems if p.rule == "right_missing_touchpoint"]
    assert {p.severity for p in found} == {"error"}
    messages = [p.message for p in found]
    assert (
        "victims_code.right_12 is not asked at investigation, outcome, sentence, where the "
        "Victims' Code table says it applies (tag a question there with one of its aspects)"
    ) in messages
    assert (
        "victims_code.right_9 is not asked at sentence, where the Victims' Code table says it "
        "applies (tag a question there with one of its aspects)"
    ) in messages
    assert len(messages) == 12


def test_one_headline_per_right_and_touchpoint_in_the_core_sections() -> None:
    told = yes_no("told", "victims_code.right_6.decision_told", touchpoints=["outcome"])
    reasons = yes_no("reasons", "victims_code.right_6.reasons_understood", touchpoints=["outcome"])
    _parsed, problems = check_document(bank(section("core", told, reasons)))
    assert of_rule(problems, "right_headline") == [
        "reasons: victims_code.right_6 at outcome has 2 headline questions (told, reasons): keep "
        "one in the sections everyone is asked, move the others to a module"
    ]


def test_a_right_asked_only_in_a_module_has_no_headline() -> None:
    question = yes_no("q1", "victims_code.right_10.expenses", touchpoints=["court"])
    document = bank(section("extra", question, module="a"))
    _parsed, problems = check_document(document)
    assert of_rule(problems, "right_headline") == [
        "(bank): victims_code.right_10 at court has no headline question: ask one of its aspects "
        "there in a section without a module and without a show_if"
    ]


def test_the_headline_and_board_measures_must_repeat_and_module_items_need_not() -> None:
    headline = yes_no("headline", RIGHT_12)
    detail = yes_no("detail", "victims_code.right_6.updates_kept", touchpoints=["investigation"])
    headline_6 = yes_no(
        "agreed",
        "victims_code.right_6.update_frequency_agreed",
        touchpoints=["investigation"],
        repeat=True,
    )
    board = yes_no("back", "attrition", touchpoints=["investigation"])
    document = bank(
        section("core", headline, headline_6, board), section("more", detail, module="m")
    )
    _parsed, problems = check_document(document)
    assert of_rule(problems, "repeat_required") == [
        "back: 'attrition' is one of the board's measures: mark the question `repeat: true` so "
        "it is asked at every stage",
        "headline: the headline question of victims_code.right_12 at reporting, "
        "victims_code.right_12 at investigation, victims_code.right_12 at outcome, "
        "victims_code.right_12 at court, victims_code.right_12 at sentence must be "
        "`repeat: true`, so the right is measured at every stage",
    ]
    assert of_rule(problems, "right_headline") == []


def test_aspects_and_right_figures_need_no_question_of_their_own() -> None:
    _parsed, problems = check_document(bank(section("s", yes_no("q1", RIGHT_12, repeat=True))))
    not_fed = [p.message for p in problems if p.rule == "metric_not_fed"]
    assert not any("victims_code" in message for message in not_fed)
