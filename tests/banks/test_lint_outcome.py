"""A question asking what the upload's outcome already says takes it from there (known_from),
in any bank (asks_known_outcome)."""

from __future__ import annotations

from typing import Any

import pytest

from app.banks.lint import check_document
from app.banks.outcome_rules import asks_outcome

ASKS_THE_OUTCOME = [
    "Was anyone charged in your case?",
    "Has anyone been charged?",
    "Has the suspect been cautioned?",
    "Will anyone be charged?",
    "Did the police decide to take no further action?",
    "Did the CPS charge anyone?",
    "Has your case been closed?",
    "What was the outcome of your case?",
    "What was the decision in your case?",
    "Did you withdraw your support for the case?",
]
ASKS_SOMETHING_ELSE = [
    # What they were told or understood: the upload does not know it.
    "Were you told the decision in your case?",
    "Were you told whether anyone was charged?",
    "Did you understand the reasons for the decision?",
    "Were you told you could ask for the decision to be looked at again?",
    "Did witness care tell you the outcome of the case and the sentence?",
    # Thinking of stepping back is not having withdrawn.
    "Have you thought about stepping back from the case?",
    "Were you told about the trial and what to expect as a witness?",
]


@pytest.mark.parametrize("text", ASKS_THE_OUTCOME)
def test_a_question_asking_the_outcome_is_recognised(text: str) -> None:
    assert asks_outcome(text)


@pytest.mark.parametrize("text", ASKS_SOMETHING_ELSE)
def test_a_question_about_being_told_is_not(text: str) -> None:
    assert not asks_outcome(text)


def _bank(slug: str, **question: Any) -> dict[str, Any]:
    return {
        "slug": slug,
        "title": "T",
        "questions": [
            {
                "id": "charged",
                "type": "yes_no",
                "text": "Was anyone charged in your case?",
                "touchpoints": ["outcome"],
                "options": [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}],
                **question,
            }
        ],
    }


def _rule_hits(document: dict[str, Any]) -> list[str]:
    _parsed, problems = check_document(document)
    return [p.question_id for p in problems if p.rule == "asks_known_outcome"]


@pytest.mark.parametrize("slug", ["general", "rasso", "vawg"])
def test_every_bank_needs_known_from_on_it(slug: str) -> None:
    assert _rule_hits(_bank(slug)) == ["charged"]
    known = {"context": "outcome", "codes": {"charged": "yes", "nfa": "no"}}
    assert _rule_hits(_bank(slug, known_from=known)) == []


def test_known_from_another_context_does_not_count() -> None:
    other = {"context": "vcs_eligible", "codes": {"true": "yes"}}
    assert _rule_hits(_bank("general", known_from=other)) == ["charged"]


def test_a_waiver_cannot_excuse_it() -> None:
    waiver = [{"rule": "asks_known_outcome", "reason": "We want to ask anyway."}]
    _parsed, problems = check_document(_bank("general", waivers=waiver))
    rules = {p.rule for p in problems if p.question_id == "charged"}
    assert {"asks_known_outcome", "waiver_rule"} <= rules
