"""Validation and the trauma-informed lint of bank documents: pure functions returning Problems.

Every rule has an id (`Problem.rule`). The wording rules and the readability warnings can be
waived for one question by `waivers: [{rule: <id>, reason: "..."}]`; the reason is required,
so an exception is always a written, reviewable decision. The rules live by concern: the
measures in measure_rules, the Victims' Code rights in right_rules, the length of a survey in
length_rules, the equality section in equality_rules, a question the upload's outcome answers
in outcome_rules, the wording in wording (its paraphrase classes in paraphrase, other languages
in translation_rules); this module runs them all. The
rule across banks (a specialist bank's own questions) is bank_set_rules, run by files.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from app.banks.equality_rules import lint_equality
from app.banks.length_rules import lint_length
from app.banks.measure_rules import lint_measures
from app.banks.outcome_rules import lint_known_outcome
from app.banks.problems import BANK, Collector, Problem, schema_problems
from app.banks.schema import (
    CONTEXT_VALUES,
    SOURCE_LANGUAGE,
    BankDocument,
    Question,
    parse_document,
)
from app.banks.wording import lint_waivers, lint_wording, question_strings
from app.time_estimates import states_time_estimate

RULES: dict[str, str] = {
    "schema": "the file does not follow the bank format",
    "duplicate_id": "question and section ids are unique",
    "duplicate_option": "option codes are unique within a question",
    "options_required": "choice questions have at least two options",
    "text_options": "text questions have no options",
    "yes_no_codes": "yes_no questions have options yes and no",
    "show_if_unknown": "show_if names an existing question",
    "show_if_later": "show_if names an earlier question",
    "show_if_option": "show_if names options the question has",
    "show_if_touchpoint": "show_if names a question asked at the same touchpoints",
    "context_value": "show_if and known_from name values the stage's context can take",
    "known_from_option": "known_from gives codes the question has",
    "asks_known_outcome": "a question asking whether anyone was charged, or anything else the "
    "upload's outcome gives, takes it from there (known_from: outcome)",
    "unknown_measure": "measures are in the metric registry",
    "measure_crime_group": "measures apply to the bank's crime group",
    "measure_touchpoint": "measures are asked only at their touchpoints",
    "measure_options": "questions feeding a measure offer its positive answers",
    "measure_twice": "no two questions feed one measure at one touchpoint",
    "standard_options": "questions feeding a measure use its standard answers, in order",
    "metric_not_fed": "every metric of the bank's crime group is fed by a question",
    "right_aspect": "questions tag one aspect of a right (victims_code.right_N.<aspect>), "
    "never the bare right",
    "right_touchpoint": "each aspect of a right is asked only at its touchpoints",
    "right_needs_show_if": "an aspect is asked behind the show_if it needs there (right 8 at "
    "outcome only if charged, the Right to Review only if not, right 11 only if vcs_eligible)",
    "right_missing_touchpoint": "each right is asked at every touchpoint the Code table gives",
    "right_headline": "each right asked at a touchpoint has exactly one headline question "
    "there, in a section without a module",
    "repeat_required": "board measures and each right's headline question are repeat: true",
    "too_many_questions": "a victim sees at most 18 questions without a show_if at a "
    "touchpoint, for every outcome (core sections and the largest module)",
    "free_text_once": "at most one free-text question without a show_if per touchpoint in the "
    "sections everyone is asked",
    "equality_section": "the equality section is last, opened by a yes_no gate, with each "
    "question behind the gate and recording a characteristic",
    "equality_characteristic": "each characteristic is asked at most once",
    "equality_options": "equality questions offer prefer_not_to_say; the age band offers under_18",
    "sensitive_prefer_not_to_say": "sensitive questions offer prefer_not_to_say",
    "section_content_note": "sensitive sections have a content note",
    "asks_what_happened": "no question asks about the offence, the offender or injuries",
    "asks_consent": "no question asks about consent",
    "asks_delay": "no question asks why or how long they waited to report",
    "asks_where_when": "no question asks where or when it happened",
    "asks_what_doing": "no question asks what the victim was doing",
    "asks_alone": "no question asks whether the victim was alone",
    "asks_contact": "no question asks about contact with, living with or going back to the "
    "person who harmed them",
    "asks_about_person": "no question asks the victim to describe the person who harmed them",
    "blames": "no question could read as blame",
    "translation_wording": "the Urdu and Polish text holds none of the phrases listed for "
    "them in lint_phrases.yaml (warnings while a list awaits a native speaker's review)",
    "reading_age": "questions are easy to read",
    "too_long": "questions and hints are short",
    "specialist_own_questions": "at least a third of a specialist bank's question ids are not "
    "in the general bank (checked over the folder)",
    "translation_undeclared": "every language used is declared in translations",
    "waiver_rule": "waivers name a rule that can be waived",
    "waiver_unused": "waivers are only kept where needed",
    "empty_section": "sections have questions",
    "intro_time_estimate": "the introduction states no time estimate (the start page gives one)",
}


def _languages(value: Any) -> set[str]:
    return set(value) - {SOURCE_LANGUAGE} if isinstance(value, dict) else set()


def _lint_structure(out: Collector, document: BankDocument) -> None:
    seen_sections: set[str] = set()
    for section in document.sections:
        if section.id in seen_sections:
            out.add(section.id, "duplicate_id", f"section id '{section.id}' is used more than once")
        seen_sections.add(section.id)
        if section.sensitive and section.content_note is None:
            out.add(
                section.id,
                "section_content_note",
                "a sensitive section needs a content_note, shown before it with a choice to skip",
            )
        if not section.questions:
            out.add(section.id, "empty_section", "section has no questions", "warning")
    seen: set[str] = set()
    for _section, question in document.all_questions():
        if question.id in seen:
            out.add(
                question.id, "duplicate_id", f"question id '{question.id}' is used more than once"
            )
        seen.add(question.id)
        _lint_options(out, question)


def _lint_options(out: Collector, question: Question) -> None:
    options = question.options or []
    codes = [option.code for option in options]
    for code in sorted({code for code in codes if codes.count(code) > 1}):
        out.add(question.id, "duplicate_option", f"option code '{code}' is used more than once")
    if question.type == "text":
        if question.options:
            out.add(question.id, "text_options", "a text question cannot have options")
        return
    if len(options) < 2:
        out.add(
            question.id,
            "options_required",
            f"a {question.type} question needs at least two options",
        )
    if question.type == "yes_no" and not {"yes", "no"} <= set(codes):
        out.add(
            question.id, "yes_no_codes", "a yes_no question needs options with codes yes and no"
        )
    if question.sensitive and "prefer_not_to_say" not in codes:
        out.add(
            question.id,
            "sensitive_prefer_not_to_say",
            "a sensitive question needs the option prefer_not_to_say",
        )


def _lint_show_if(out: Collector, document: BankDocument) -> None:
    earlier: dict[str, Question] = {}
    every = {q.id: q for _s, q in document.all_questions()}
    for _section, question in document.all_questions():
        condition = question.show_if
        _lint_known_from(out, question)
        if condition is not None and condition.context is not None:
            _lint_context_values(out, question.id, condition.context, condition.in_)
        elif condition is not None and condition.question is not None:
            target = earlier.get(condition.question)
            if target is None:
                if condition.question in every:
                    out.add(
                        question.id,
                        "show_if_later",
                        f"show_if refers to question '{condition.question}', which does not come "
                        "before this one",
                    )
                else:
                    out.add(
                        question.id,
                        "show_if_unknown",
                        f"show_if refers to unknown question '{condition.question}'",
                    )
            else:
                target_codes = {option.code for option in target.options or []}
                for code in condition.in_:
                    if code not in target_codes:
                        out.add(
                            question.id,
                            "show_if_option",
                            f"show_if refers to option '{code}', which question "
                            f"'{target.id}' does not have",
                        )
                missing = [tp for tp in question.asked_at() if tp not in target.asked_at()]
                if missing:
                    out.add(
                        question.id,
                        "show_if_touchpoint",
                        f"show_if question '{target.id}' is not asked at {', '.join(missing)}, "
                        "so this question could never be shown there",
                    )
        earlier[question.id] = question


def _lint_context_values(
    out: Collector, question_id: str, context: str, values: Iterable[str]
) -> None:
    allowed = CONTEXT_VALUES[context]
    for value in values:
        if value not in allowed:
            out.add(
                question_id,
                "context_value",
                f"the {context} context is never '{value}' "
                f"(it is one of {', '.join(sorted(allowed))})",
            )


def _lint_known_from(out: Collector, question: Question) -> None:
    known = question.known_from
    if known is None:
        return
    _lint_context_values(out, question.id, known.context, known.codes)
    codes = {option.code for option in question.options or []}
    for code in sorted(set(known.codes.values()) - codes):
        out.add(
            question.id,
            "known_from_option",
            f"known_from gives the answer '{code}', which the question does not offer",
        )


def _lint_languages(out: Collector, document: BankDocument) -> None:
    declared = set(document.translations)

    def check(where: str, values: Iterable[Any]) -> None:
        used: set[str] = set()
        for value in values:
            used |= _languages(value)
        for language in sorted(used - declared):
            out.add(
                where,
                "translation_undeclared",
                f"text in language '{language}', which is not declared in translations "
                f"(add '{language}: {{status: draft}}')",
            )

    check(BANK, [document.title, document.introduction])
    for section in document.sections:
        check(section.id, [section.title, section.content_note])
    for _section, question in document.all_questions():
        check(question.id, question_strings(question))


def _lint_introduction(out: Collector, document: BankDocument) -> None:
    texts = document.introduction
    values = texts.items() if isinstance(texts, dict) else [("en", texts)] if texts else []
    for language, value in values:
        text = value.get("text") if isinstance(value, dict) else value  # {text, status}
        if isinstance(text, str) and states_time_estimate(text):
            out.add(
                BANK,
                "intro_time_estimate",
                f"the introduction ({language}) says how long the survey takes: remove it, the "
                "start page gives one estimate from the questions each victim is shown",
            )


def lint_bank(document: BankDocument, file: str = "") -> list[Problem]:
    """Every semantic and trauma-informed problem of a schema-valid bank."""
    out = Collector(file)
    _lint_structure(out, document)
    _lint_show_if(out, document)
    lint_measures(out, document)
    lint_known_outcome(out, document)
    lint_length(out, document)
    lint_equality(out, document)
    _lint_languages(out, document)
    _lint_introduction(out, document)
    for _section, question in document.all_questions():
        found = lint_wording(out, question)
        lint_waivers(out, question, found)
    return out.problems


def check_document(data: Any, file: str = "") -> tuple[BankDocument | None, list[Problem]]:
    """Validate then lint a bank document; the model is None when the schema check failed."""
    if not isinstance(data, dict):
        return None, [Problem(file, BANK, "a bank must be a mapping of fields (slug, title, ...)")]
    try:
        document = parse_document(data)
    except ValidationError as error:
        return None, schema_problems(file, data, error)
    return document, lint_bank(document, file)
