"""Diffs between versions: question by question, flagging broken comparability of measures."""

from __future__ import annotations

from typing import Any

from app.banks.diff import diff_documents
from app.banks.schema import normalize, parse_document
from tests.banks.conftest import find_question, fixture_document


def _stored(document: dict[str, Any]) -> dict[str, Any]:
    return normalize(parse_document(document))


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, list[str], bool]]:
    return [
        (c["question_id"], c["change"], c["fields"], c["breaks_comparability"])
        for c in diff_documents(_stored(old), _stored(new))["changes"]
    ]


def test_identical_documents_have_no_changes(document: dict[str, Any]) -> None:
    assert diff_documents(_stored(document), _stored(fixture_document())) == {
        "changes": [],
        "breaks_comparability": False,
        "measures_affected": [],
    }


def test_rewording_a_measured_question_breaks_comparability(document: dict[str, Any]) -> None:
    new = fixture_document()
    find_question(new, "sat_treatment")["text"]["en"] = (
        "How happy were you with how you were treated?"
    )
    assert _changes(document, new) == [("sat_treatment", "changed", ["text"], True)]


def test_translations_and_hints_do_not_break_comparability(document: dict[str, Any]) -> None:
    new = fixture_document()
    question = find_question(new, "sat_treatment")
    question["text"]["ur"] = "نیا متن"
    question["hint"] = "Think about every officer you met."
    find_question(new, "sat_actions")["options"][0]["label"]["ur"] = "مطمئن"
    assert _changes(document, new) == [
        ("sat_actions", "changed", ["options.translations"], False),
        ("sat_treatment", "changed", ["text.translations", "hint"], False),
    ]


def test_unmeasured_question_changes_never_break_comparability(document: dict[str, Any]) -> None:
    new = fixture_document()
    find_question(new, "comments")["text"]["en"] = "Anything else to tell us?"
    find_question(new, "what_would_help")["options"].pop()
    assert _changes(document, new) == [
        ("what_would_help", "changed", ["options"], False),
        ("comments", "changed", ["text"], False),
    ]


def test_added_and_removed_questions(document: dict[str, Any]) -> None:
    new = fixture_document()
    contact = new["sections"][0]["questions"]
    contact[:] = [q for q in contact if q["id"] != "pj_trust"]
    contact.append(
        {
            "id": "officer_name_given",
            "type": "yes_no",
            "text": "Did the officer tell you their name?",
            "options": [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}],
        }
    )
    result = diff_documents(_stored(document), _stored(new))
    assert [(c["question_id"], c["change"], c["measures"]) for c in result["changes"]] == [
        ("officer_name_given", "added", []),
        ("pj_trust", "removed", ["procedural_justice.trust"]),
    ]
    assert result["measures_affected"] == ["procedural_justice.trust"]


def test_moving_a_question_to_a_new_touchpoint_breaks_comparability(
    document: dict[str, Any],
) -> None:
    new = fixture_document()
    find_question(new, "sat_kept_informed")["touchpoints"] = ["investigation", "outcome"]
    assert _changes(document, new) == [("sat_kept_informed", "changed", ["touchpoints"], True)]


def test_routing_a_measured_question_by_the_context_breaks_comparability(
    document: dict[str, Any],
) -> None:
    new = fixture_document()
    find_question(new, "sat_treatment")["show_if"] = {"context": "outcome", "in": ["charged"]}
    assert _changes(document, new) == [("sat_treatment", "changed", ["show_if"], True)]
    known = fixture_document()
    question = find_question(known, "sat_treatment")
    question["known_from"] = {
        "context": "outcome",
        "codes": {"nfa": question["options"][0]["code"]},
    }
    assert _changes(document, known) == [("sat_treatment", "changed", ["known_from"], True)]
