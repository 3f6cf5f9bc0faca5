"""The equality-monitoring section (DESIGN13 rule 6): optional, last, opened by one gate
question; each characteristic asked at most once, behind the gate, with "prefer not to say";
the age band offers under 18 (that answer shows Childline and keeps the response out of
published figures, so it must be possible to give it).
"""

from __future__ import annotations

from app.banks.problems import Collector
from app.banks.schema import UNDER_18_CODE, BankDocument, Question, Section


def lint_equality(out: Collector, document: BankDocument) -> None:
    sections = [section for section in document.sections if section.equality]
    for extra in sections[1:]:
        out.add(extra.id, "equality_section", "a bank has one equality section")
    for owner, question in document.all_questions():
        if question.characteristic is not None and not (owner is not None and owner.equality):
            out.add(
                question.id,
                "equality_section",
                "a question with a characteristic belongs in the equality section",
            )
    if not sections:
        return
    section = sections[0]
    if document.sections[-1] is not section:
        out.add(section.id, "equality_section", "the equality section comes last")
    if section.module is not None:
        out.add(section.id, "equality_section", "the equality section is not part of a module")
    if section.questions:
        _lint_gate(out, section.questions[0])
        _lint_characteristics(out, section, section.questions[0].id)


def _lint_gate(out: Collector, gate: Question) -> None:
    wrong = []
    if gate.type != "yes_no":
        wrong.append("a yes_no question")
    if gate.show_if is not None:
        wrong.append("without a show_if")
    if gate.characteristic is not None:
        wrong.append("without a characteristic")
    if not gate.repeat:
        wrong.append("`repeat: true`")
    if wrong:
        out.add(
            gate.id,
            "equality_section",
            "the first question of the equality section is its gate: " + ", ".join(wrong),
        )


def _lint_characteristics(out: Collector, section: Section, gate_id: str) -> None:
    seen: set[str] = set()
    for question in section.questions[1:]:
        condition = question.show_if
        if condition is None or condition.question != gate_id or list(condition.in_) != ["yes"]:
            out.add(
                question.id,
                "equality_section",
                f'an equality question needs show_if {{question: {gate_id}, in: ["yes"]}}',
            )
        if question.characteristic is None:
            out.add(
                question.id,
                "equality_section",
                "an equality question records a characteristic (age_band, sex, disability or "
                "ethnicity)",
            )
            continue
        if question.type not in ("single", "yes_no"):  # one answer per person, as counted
            out.add(
                question.id,
                "equality_section",
                "an equality question has one answer per person (single or yes_no)",
            )
        if question.characteristic in seen:
            out.add(
                question.id,
                "equality_characteristic",
                f"the characteristic {question.characteristic} is asked more than once",
            )
        seen.add(question.characteristic)
        codes = {option.code for option in question.options or []}
        if "prefer_not_to_say" not in codes:
            out.add(
                question.id,
                "equality_options",
                "an equality question offers prefer_not_to_say",
            )
        if question.characteristic == "age_band" and UNDER_18_CODE not in codes:
            out.add(
                question.id,
                "equality_options",
                f"the age band question offers {UNDER_18_CODE} (that answer shows Childline and "
                "keeps the response out of published figures)",
            )
