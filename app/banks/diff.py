"""Question-by-question differences between two bank documents.

A change breaks comparability when a question that feeds a measure (before or after) is added,
removed, or changes what a victim is asked or can answer: its English wording, its options
(codes, order or English labels), its type, its touchpoints, its show_if or known_from, or the
measures it feeds. Figures from the two versions then measure different things and should not
be compared as one series. Translation and hint changes are listed but do not break
comparability.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.banks.localize import iter_questions

# Fields whose change alters what a measure counts.
# `known_from` is part of who is asked (app/banks/context.py), as show_if is.
COMPARABILITY_FIELDS = frozenset(
    {"text", "options", "type", "touchpoints", "show_if", "known_from", "measures"}
)


def _english(value: Any) -> Any:
    return value.get("en") if isinstance(value, Mapping) else value


def _translations(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {lang: text for lang, text in value.items() if lang != "en"}
    return {}


def _option_core(options: Any) -> list[tuple[str, Any]]:
    return [(option["code"], _english(option["label"])) for option in options or []]


def _option_translations(options: Any) -> dict[str, Any]:
    return {option["code"]: _translations(option["label"]) for option in options or []}


def _option_translations_changed(old: Any, new: Any) -> bool:
    # Options added or removed show as "options"; here only the options both versions share.
    before, after = _option_translations(old), _option_translations(new)
    return any(before[code] != after[code] for code in before.keys() & after.keys())


def _index(document: Mapping[str, Any]) -> dict[str, tuple[str | None, Mapping[str, Any]]]:
    return {
        str(question["id"]): (section["id"] if section is not None else None, question)
        for section, question in iter_questions(document)
    }


def question_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], old_section: str | None, new_section: str | None
) -> list[str]:
    """The names of what changed in one question (in the order of the bank format)."""
    changed: list[str] = []
    if _english(old.get("text")) != _english(new.get("text")):
        changed.append("text")
    if _translations(old.get("text")) != _translations(new.get("text")):
        changed.append("text.translations")
    if old.get("hint") != new.get("hint"):
        changed.append("hint")
    if _option_core(old.get("options")) != _option_core(new.get("options")):
        changed.append("options")
    if _option_translations_changed(old.get("options"), new.get("options")):
        changed.append("options.translations")
    fields = ("type", "touchpoints", "measures", "sensitive", "show_if", "known_from", "waivers")
    for field in fields:
        if _normalised(old, field) != _normalised(new, field):
            changed.append(field)
    if old_section != new_section:
        changed.append("section")
    return changed


def _normalised(question: Mapping[str, Any], field: str) -> Any:
    value = question.get(field)
    if field in ("measures", "waivers") and value is None:
        return []
    if field == "sensitive":
        return bool(value)
    return value


def diff_documents(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    """`{"changes": [...], "breaks_comparability": bool, "measures_affected": [...]}`.

    Each change: `{"question_id", "change": added|removed|changed, "fields", "measures",
    "breaks_comparability"}` in the new document's order, removed questions last.
    """
    before, after = _index(old), _index(new)
    changes: list[dict[str, Any]] = []
    for question_id, (section, question) in after.items():
        measures = list(question.get("measures") or [])
        if question_id not in before:
            changes.append(_change(question_id, "added", [], measures, bool(measures)))
            continue
        old_section, old_question = before[question_id]
        fields = question_changes(old_question, question, old_section, section)
        if fields:
            all_measures = sorted(set(measures) | set(old_question.get("measures") or []))
            breaks = bool(all_measures) and bool(COMPARABILITY_FIELDS & set(fields))
            changes.append(_change(question_id, "changed", fields, all_measures, breaks))
    for question_id, (_section, question) in before.items():
        if question_id not in after:
            measures = list(question.get("measures") or [])
            changes.append(_change(question_id, "removed", [], measures, bool(measures)))
    affected = sorted(
        {m for change in changes if change["breaks_comparability"] for m in change["measures"]}
    )
    return {
        "changes": changes,
        "breaks_comparability": bool(affected),
        "measures_affected": affected,
    }


def _change(
    question_id: str, kind: str, fields: list[str], measures: list[str], breaks: bool
) -> dict[str, Any]:
    return {
        "question_id": question_id,
        "change": kind,
        "fields": fields,
        "measures": measures,
        "breaks_comparability": breaks,
    }
