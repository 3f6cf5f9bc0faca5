"""What a stage of a case is offered, decided at import (DESIGN13 rules 2 and 3).

- Modules: the bank's sections with `module: X`. One module is drawn at random (`secrets`)
  among those with questions at the stage's touchpoint and context; the other modules'
  questions are not asked. Sections without a module are asked to everyone.
- Repeat: a question offered at an earlier stage of the same case (the case-stage ledger) is
  not asked again unless it is `repeat: true`; nor is a question whose show_if names one not
  asked.

Both are decided from the crime group, touchpoint and context, never from answers, and
recorded in the ledger (the sections and question ids offered) and on the invitation (the
module and the ids not asked), which the survey reads through app/banks/context.py. Questions
awaiting partner review count here like any other: whether a victim sees one is decided when
the survey is shown (app/banks/signoff.py), and a question offered is never asked twice.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from app.banks import localize
from app.banks import service as bank_service
from app.banks.context import StageContext, without

# The section name the ledger gives questions outside any section.
NO_SECTION = "questions"


@dataclass(frozen=True, slots=True)
class OfferedQuestion:
    id: str
    section: str | None
    module: str | None
    repeat: bool
    show_if: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class StageQuestions:
    """The questions a bank asks at one touchpoint and context, before any module is drawn."""

    questions: tuple[OfferedQuestion, ...] = ()

    @property
    def modules(self) -> tuple[str, ...]:
        return tuple(sorted({q.module for q in self.questions if q.module is not None}))


@dataclass(frozen=True)
class Offer:
    """What one invitation is offered: its module, the sections and question ids it is asked
    (the ledger's), and the ids it is not asked because an earlier stage was offered them."""

    module: str | None
    sections: list[str] = field(default_factory=list)
    questions: list[str] = field(default_factory=list)
    not_asked: list[str] = field(default_factory=list)


StageQuestionsFor = Callable[[str, str, str | None, bool | None], StageQuestions]


def draw_module(stage: StageQuestions, earlier: Collection[str] = ()) -> str | None:
    """One module at random (None when the stage has none): `secrets`, so nobody can predict or
    steer which questions a case is asked. Drawn among the modules that still have a question
    to ask this case (one not offered at an earlier stage, or `repeat: true`), when any has."""
    fresh = tuple(
        sorted(
            {
                q.module
                for q in stage.questions
                if q.module is not None and (q.repeat or q.id not in earlier)
            }
        )
    )
    modules = fresh or stage.modules
    return secrets.choice(modules) if modules else None


def make_offer(stage: StageQuestions, module: str | None, earlier: Collection[str]) -> Offer:
    """The offer of `module` to a stage whose case was offered `earlier` question ids."""
    shape = [
        {"id": q.id, "show_if": q.show_if, "question": q}
        for q in stage.questions
        if q.module is None or q.module == module
    ]
    in_module = without(shape, {q.id for q in stage.questions if q.module not in (None, module)})
    again = {q["id"] for q in in_module if q["id"] in earlier and not q["question"].repeat}
    asked = without(in_module, again)
    asked_ids = {q["id"] for q in asked}
    sections: list[str] = []
    for item in asked:
        section = item["question"].section or NO_SECTION
        if section not in sections:
            sections.append(section)
    return Offer(
        module=module,
        sections=sections,
        questions=[q["id"] for q in asked],
        not_asked=[q["id"] for q in in_module if q["id"] not in asked_ids],
    )


def stage_questions_of(
    document: Mapping[str, Any], touchpoint: str, context: StageContext
) -> StageQuestions:
    """The stage's questions of a bank document (routed by the context, pending ones too)."""
    modules = {
        section["id"]: localize.module_of(section) for section in document.get("sections") or []
    }
    repeat = {q["id"]: bool(q.get("repeat")) for _s, q in localize.iter_questions(document)}
    return StageQuestions(
        tuple(
            OfferedQuestion(
                id=question["id"],
                section=question["section"],
                module=modules.get(question["section"] or ""),
                repeat=repeat.get(question["id"], False),
                show_if=question["show_if"],
            )
            for question in localize.questions_for(
                document, touchpoint, "en", context=context, include_pending=True
            )
        )
    )


def stage_questions(session: Session) -> StageQuestionsFor:
    """A lookup of each stage's questions, reading each bank once per import."""
    found: dict[tuple[str, str, str | None, bool | None], StageQuestions] = {}

    def questions_for(
        crime_group: str, touchpoint: str, outcome: str | None, vcs_eligible: bool | None
    ) -> StageQuestions:
        key = (crime_group, touchpoint, outcome, vcs_eligible)
        if key not in found:
            version = bank_service.latest_published(session, slug=crime_group)
            context = StageContext(outcome=outcome, vcs_eligible=vcs_eligible)
            found[key] = (
                StageQuestions()
                if version is None
                else stage_questions_of(version.document, touchpoint, context)
            )
        return found[key]

    return questions_for
