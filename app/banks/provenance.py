"""Who wrote which words of a bank: the parts of a document, compared one by one.

The two-person rule (app/banks/two_person.py) must hold even when someone's words travel: when
A writes a question in one draft and B copies that draft into another, A still may not approve
it. So a document is cut into *units* — each question, each section's own fields and question
order, each bank-level field, and the order of sections — and every save records, for the
units it changed, who wrote that exact content. At approval, every unit where the draft differs
from the published version is looked up, and whoever wrote any of them is refused.

Pure functions only; no database.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

Units = dict[str, Any]  # unit key -> its content (JSON values)


def _questions_and_sections(document: dict[str, Any]) -> Units:
    units: Units = {}
    for section in document.get("sections") or []:
        questions = section.get("questions") or []
        own = {key: value for key, value in section.items() if key != "questions"}
        own["question_ids"] = [question.get("id") for question in questions]
        units[f"section:{section.get('id')}"] = own
        for question in questions:
            units[f"question:{question.get('id')}"] = question
    for question in document.get("questions") or []:
        units[f"question:{question.get('id')}"] = question
    return units


def content_units(document: dict[str, Any] | None) -> Units:
    """A stored (normalised) document as its units; an absent document has none."""
    if not document:
        return {}
    units = _questions_and_sections(document)
    for key, value in document.items():
        if key not in ("sections", "questions"):
            units[f"bank:{key}"] = value
    units["bank:layout"] = {
        "sections": [section.get("id") for section in document.get("sections") or []],
        "questions": [question.get("id") for question in document.get("questions") or []],
    }
    return units


def unit_hash(key: str, value: Any) -> str:
    """The hash of one unit's content at one place; a removed unit hashes its absence."""
    canonical = json.dumps([key, value], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_units(document: dict[str, Any] | None, base: dict[str, Any] | None) -> set[str]:
    """Hashes of the units where `document` differs from `base` (added, changed or removed)."""
    new, old = content_units(document), content_units(base)
    return {
        unit_hash(key, new.get(key))
        for key in new.keys() | old.keys()
        if new.get(key) != old.get(key)
    }
