"""How much a victim is asked at one touchpoint (DESIGN13 rule 4, issue 13 point 5).

Counted for every touchpoint and every context the upload can give (each outcome, and the
Victim Contact Scheme flag where the bank routes on it), after context routing as the survey
applies it (app/banks/context.py): the questions without a show_if of the sections everyone is
asked, plus those of the largest module (one module is drawn per invitation). More than
MAX_UNCONDITIONAL is an error. And one free-text box per touchpoint among those sections.
"""

from __future__ import annotations

from typing import Any

from app.banks.context import StageContext, route_questions
from app.banks.problems import BANK, Collector
from app.banks.schema import BankDocument, Section
from app.enums import OUTCOMES, TOUCHPOINTS

MAX_UNCONDITIONAL = 18
CORE = ""  # the module key of the sections everyone is asked


def _module(section: Section | None) -> str:
    return section.module or CORE if section is not None else CORE


def _routes_on_vcs(document: BankDocument) -> bool:
    for _section, question in document.all_questions():
        if question.show_if is not None and question.show_if.context == "vcs_eligible":
            return True
        if question.known_from is not None and question.known_from.context == "vcs_eligible":
            return True
    return False


def _flags(document: BankDocument) -> list[bool | None]:
    """The Victim Contact Scheme values to try: only where the bank routes on it."""
    return [True, False, None] if _routes_on_vcs(document) else [None]


def _label(contexts: list[StageContext], flags: list[bool | None]) -> str:
    """The contexts in words: "every outcome", or each outcome (with the vcs values when only
    some of them give the count)."""
    parts = []
    for outcome in OUTCOMES:
        found = [c.value("vcs_eligible") for c in contexts if c.outcome == outcome]
        if len(found) == len(flags):
            parts.append(f"outcome {outcome}")
        elif found:
            parts.append(f"outcome {outcome} with vcs_eligible {' or '.join(found)}")
    if parts == [f"outcome {outcome}" for outcome in OUTCOMES]:
        return "every outcome"
    return "; ".join(parts)


def unconditional_count(
    document: BankDocument, touchpoint: str, context: StageContext
) -> tuple[int, str | None]:
    """(questions without a show_if a victim could see, the largest module's id)."""
    modules: dict[str, str] = {}  # question id → module key
    dicts: list[dict[str, Any]] = []
    for section, question in document.all_questions():
        if touchpoint in question.asked_at():
            modules[question.id] = _module(section)
            # Only what routing reads: the id and the two conditions.
            dicts.append(
                question.model_dump(
                    mode="json", by_alias=True, include={"id", "show_if", "known_from"}
                )
            )
    counts: dict[str, int] = {}
    for routed in route_questions(dicts, context):
        if not routed.get("show_if"):
            key = modules[routed["id"]]
            counts[key] = counts.get(key, 0) + 1
    core = counts.pop(CORE, 0)
    if not counts:
        return core, None
    largest = max(sorted(counts), key=lambda key: counts[key])
    return core + counts[largest], largest


def lint_length(out: Collector, document: BankDocument) -> None:
    flags = _flags(document)
    for touchpoint in TOUCHPOINTS:
        over: dict[int, list[StageContext]] = {}  # count → the contexts giving it
        for outcome in OUTCOMES:
            for flag in flags:
                context = StageContext(outcome, flag)
                count, _module_id = unconditional_count(document, touchpoint, context)
                if count > MAX_UNCONDITIONAL:
                    over.setdefault(count, []).append(context)
        for count, contexts in sorted(over.items(), reverse=True):
            out.add(
                BANK,
                "too_many_questions",
                f"at {touchpoint} ({_label(contexts, flags)}) a victim could see {count} "
                "questions without a show_if (the sections everyone is asked and the largest "
                f"module): keep it to {MAX_UNCONDITIONAL} or fewer by moving questions into "
                "modules",
            )
    _lint_free_text(out, document)


def _lint_free_text(out: Collector, document: BankDocument) -> None:
    for touchpoint in TOUCHPOINTS:
        boxes = [
            question.id
            for section, question in document.all_questions()
            if question.type == "text"
            and question.show_if is None
            and touchpoint in question.asked_at()
            and _module(section) == CORE
            and not (section is not None and section.equality)
        ]
        if len(boxes) > 1:
            out.add(
                boxes[1],
                "free_text_once",
                f"at {touchpoint} everyone is asked {len(boxes)} free-text questions "
                f"({', '.join(boxes)}): keep one, and move the others to a module or behind a "
                "show_if",
            )
