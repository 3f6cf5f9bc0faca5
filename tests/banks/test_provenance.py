"""Cutting a bank into the pieces whose writers the two-person rule remembers."""

from __future__ import annotations

import copy
from typing import Any

from app.banks.provenance import changed_units, content_units, unit_hash
from app.banks.schema import normalize, parse_document
from tests.banks.conftest import find_question, fixture_document


def _stored(document: dict[str, Any] | None = None) -> dict[str, Any]:
    return normalize(parse_document(document or fixture_document()))


def test_a_document_is_its_questions_sections_and_bank_fields() -> None:
    units = content_units(_stored())
    assert "question:comments" in units and "section:contact" in units
    assert {"bank:title", "bank:translations", "bank:layout"} <= units.keys()
    assert "question_ids" in units["section:contact"]
    assert "questions" not in units["section:contact"]  # each question is its own unit
    assert content_units(None) == {}


def test_only_the_pieces_that_differ_are_changed() -> None:
    base = _stored()
    assert changed_units(base, base) == set()
    edited = copy.deepcopy(base)
    find_question(edited, "comments")["hint"] = "No names, please."
    assert changed_units(edited, base) == {
        unit_hash("question:comments", find_question(edited, "comments"))
    }


def test_a_removed_or_moved_question_changes_its_section_too() -> None:
    base = _stored()
    removed = copy.deepcopy(base)
    for section in removed["sections"]:
        section["questions"] = [q for q in section["questions"] if q["id"] != "comments"]
    changed = changed_units(removed, base)
    assert unit_hash("question:comments", None) in changed
    assert len(changed) == 2  # the question's absence, and its section's question list


def test_everything_is_new_against_nothing_published() -> None:
    stored = _stored()
    assert len(changed_units(stored, None)) == len(content_units(stored))
