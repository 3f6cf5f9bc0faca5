"""What a victim sees of a bank document, in their language.

A string is shown in language L only when L's effective status is approved (the string's own
status if it carries one, else the bank's status for L); otherwise the English source is shown.
These functions read the stored document dict (the normalised form of `schema.BankDocument`), and
also accept a raw bank file's dict, so they never need the database.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from app.banks.context import StageContext, route_questions, without

SOURCE_LANGUAGE = "en"


def _bank_statuses(document: Mapping[str, Any]) -> dict[str, str]:
    translations = document.get("translations") or {}
    return {
        str(language): str((entry or {}).get("status", "draft"))
        for language, entry in translations.items()
    }


def localize(
    value: Any, language: str, statuses: Mapping[str, str], *, include_drafts: bool = False
) -> str | None:
    """The text of a localized value in `language` if approved there, else its English text.

    `include_drafts` also shows draft text: only for partners previewing a translation under
    review, never for a victim.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if not isinstance(value, Mapping):
        return str(value)
    english = value.get(SOURCE_LANGUAGE)
    english_text = english.get("text") if isinstance(english, Mapping) else english
    if language != SOURCE_LANGUAGE and language in value:
        entry = value[language]
        if isinstance(entry, Mapping):
            text, status = entry.get("text"), entry.get("status")
        else:
            text, status = entry, statuses.get(language, "draft")
        if (status == "approved" or include_drafts) and text:
            return str(text)
    return None if english_text is None else str(english_text)


def approved_languages(document: Mapping[str, Any]) -> list[str]:
    """Languages a victim may be offered this bank in: English, then approved translations."""
    approved = sorted(
        lang for lang, status in _bank_statuses(document).items() if status == "approved"
    )
    return [SOURCE_LANGUAGE, *(lang for lang in approved if lang != SOURCE_LANGUAGE)]


def iter_questions(
    document: Mapping[str, Any],
) -> Iterator[tuple[Mapping[str, Any] | None, Mapping[str, Any]]]:
    """Every question dict in order, with its section dict (None for top-level questions)."""
    for question in document.get("questions") or []:
        yield None, question
    for section in document.get("sections") or []:
        for question in section.get("questions") or []:
            yield section, question


def asked_at(question: Mapping[str, Any], touchpoint: str) -> bool:
    """Whether a question is asked at `touchpoint` (no touchpoints listed means every one)."""
    touchpoints = question.get("touchpoints")
    return touchpoints is None or touchpoint in touchpoints


def module_of(section: Mapping[str, Any] | None) -> str | None:
    """The module a section belongs to (None: asked to everyone)."""
    return None if section is None else section.get("module")


def is_pending(question: Mapping[str, Any]) -> bool:
    """Marked new or reworded: shown to victims only once its wording is signed off."""
    return question.get("review") == "pending"


def _show_if(question: Mapping[str, Any]) -> dict[str, Any] | None:
    condition = question.get("show_if")
    if not condition or not condition.get("question"):
        return None
    codes = condition.get("in", condition.get("in_", []))
    return {"question": condition["question"], "in": list(codes)}


def questions_for(
    document: Mapping[str, Any],
    touchpoint: str,
    language: str,
    *,
    include_drafts: bool = False,
    context: StageContext | None = None,
    released: Collection[str] = (),
    include_pending: bool = False,
) -> list[dict[str, Any]]:
    """The questions asked at `touchpoint`, in order, in the contract's question shape.

    With a `context`, routed by it first (app/banks/context.py), then only the drawn module's
    sections and no question the context says not to ask again; without one (a preview),
    every question of the touchpoint is listed and context conditions are left out.

    A question marked `review: pending` is left out (with what its show_if opens) unless its
    id is in `released` (its current wording has the partner's sign-off: app/banks/signoff.py)
    or `include_pending` (staff previews, and the import's offer, which is not yet what a
    victim sees).
    """
    statuses = _bank_statuses(document)
    asked = [(s, q) for s, q in iter_questions(document) if asked_at(q, touchpoint)]
    gone: set[str] = set()
    if context is not None:
        routed = {q["id"]: q for q in route_questions([q for _s, q in asked], context)}
        asked = [(s, routed[q["id"]]) for s, q in asked if q["id"] in routed]
        gone |= context.not_asked
        if context.module is not None:
            gone |= {q["id"] for s, q in asked if module_of(s) not in (None, context.module)}
    if not include_pending:
        gone |= {q["id"] for _s, q in asked if is_pending(q) and q["id"] not in released}
    if gone:
        kept = {q["id"] for q in without([q for _s, q in asked], gone)}
        asked = [(s, q) for s, q in asked if q["id"] in kept]

    def text(value: Any) -> str | None:
        return localize(value, language, statuses, include_drafts=include_drafts)

    shown: list[dict[str, Any]] = []
    for section, question in asked:
        shown.append(
            {
                "id": question["id"],
                "type": question["type"],
                "text": text(question["text"]),
                "hint": text(question.get("hint")),
                "options": [
                    {"code": option["code"], "label": text(option["label"])}
                    for option in question.get("options") or []
                ],
                "skippable": True,  # trauma-informed rule 1: nothing is ever required
                "section": section["id"] if section is not None else None,
                "show_if": _show_if(question),
            }
        )
    return shown


def section_info(
    document: Mapping[str, Any],
    section_id: str | None,
    language: str,
    *,
    include_drafts: bool = False,
) -> dict[str, Any] | None:
    """A section's id, title, content note and sensitivity in `language`; None if unknown."""
    statuses = _bank_statuses(document)
    for section in document.get("sections") or []:
        if section["id"] == section_id:
            return {
                "id": section["id"],
                "title": localize(
                    section["title"], language, statuses, include_drafts=include_drafts
                ),
                "content_note": localize(
                    section.get("content_note"), language, statuses, include_drafts=include_drafts
                ),
                "sensitive": bool(section.get("sensitive", False)),
            }
    return None


def bank_text(
    document: Mapping[str, Any], language: str, *, include_drafts: bool = False
) -> dict[str, str | None]:
    """The bank's title and introduction in `language` (for the start page)."""
    statuses = _bank_statuses(document)
    return {
        key: localize(document.get(key), language, statuses, include_drafts=include_drafts)
        for key in ("title", "introduction")
    }


def declared_languages(document: Mapping[str, Any]) -> list[str]:
    """English, then every language the bank declares, approved or draft."""
    return [SOURCE_LANGUAGE, *sorted(_bank_statuses(document))]


def language_status(document: Mapping[str, Any], language: str) -> str:
    """The bank's review status of `language`: approved or draft (English is the source)."""
    if language == SOURCE_LANGUAGE:
        return "approved"
    return _bank_statuses(document).get(language, "draft")
