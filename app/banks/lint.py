"""Validation and the trauma-informed lint of bank documents: pure functions returning Problems.

Every rule has an id (`Problem.rule`). The wording rules and the readability warnings can be
waived for one question by `waivers: [{rule: <id>, reason: "..."}]`; the reason is required,
so an exception is always a written, reviewable decision.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ValidationError

from app.banks import metrics as registry
from app.banks.schema import (
    RESERVED_CODES,
    SOURCE_LANGUAGE,
    BankDocument,
    Question,
    parse_document,
)

Severity = Literal["error", "warning"]
BANK = "(bank)"  # where a problem belongs to the whole bank rather than one question

# Readability. Flesch–Kincaid grade + 5 ≈ reading age. The banks aim at a reading age of about 9
# (grade 4), but the formula overstates short questions by a few years, above all those with one
# long everyday word ("police", "investigation"). So such words count as two syllables, texts
# under ten words are not scored, and we warn above grade 7 (reading age 12): a question there is
# hard for many readers whatever the formula's noise.
READING_GRADE_LIMIT = 7.0
READING_MIN_WORDS = 10  # below this the formula says nothing useful
TEXT_LENGTH_LIMIT = 150
HINT_LENGTH_LIMIT = 250
FAMILIAR_WORDS = frozenset(
    {
        "police", "officer", "officers", "investigation", "investigated", "information",
        "satisfied", "dissatisfied", "completely", "experience", "compensation", "personal",
        "statement", "victim", "complaint", "interpreter", "everything", "anything",
        "understand", "understood", "definitely", "probably", "agree", "disagree", "respect",
        "decisions", "decision", "explained", "service", "services", "support", "referral",
        "specialist", "adviser", "advisor", "independent", "domestic", "violence", "property",
        "expenses", "prosecution", "conviction", "appeal", "witness", "case", "conditions",
    }
)  # fmt: skip

# Wording that asks what happened or could read as blame (trauma-informed rule 2).
ASKS_WHAT_HAPPENED: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), label)
    for pattern, label in (
        # "What happened next with your case" asks about the service, not the offence.
        (r"\bwhat happened\b(?! (next )?(with|to|in) (your|the) (case|report|investigation))",
         "what happened"),
        (r"\bdescribe (what|how|the (offen[cs]e|crime|incident|attack|assault|abuse|rape"
         r"|offender|suspect|perpetrator|attacker|abuser|person)|your injur|him\b|her\b|them\b)"
         r"(?! (the |your )?(service|police|officers?|call|contact|support|updates?))",
         "describe"),
        (r"\btell us (more )?about (the |your )?(offen[cs]e|crime|incident|attack|assault|abuse)",
         "tell us about the offence"),
        (r"\b(tell us|say) (more )?about (the |your )?(offender|suspect|perpetrator|attacker"
         r"|abuser|person who)", "tell us about the offender"),
        (r"\b(who was|did you know|relationship (to|with)|describe) (the )?(offender|suspect"
         r"|perpetrator|attacker|abuser)", "questions about the offender"),
        (r"\b(offender|suspect|perpetrator|attacker|abuser)[’']s (name|age|appearance|address"
         r"|ethnicity|height|build|clothes|clothing|job|family|car|phone)",
         "details of the offender"),
        (r"\binjur(y|ies|ed)\b", "injuries"),
        (r"\bwere you hurt\b", "were you hurt"),
        (r"\bhow many times\b", "how many times"),
    )
)  # fmt: skip
BLAMING: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), label)
    for pattern, label in (
        (r"\bwhy (didn[’']?t|did not|did) you\b", "why didn't you"),
        (r"\bwhy were you\b", "why were you"),
        (r"\b(were|had) you (been )?(drinking|drunk|intoxicated|under the influence"
         r"|taking drugs|on drugs)", "were you drinking"),
        (r"\bwhat (were you|you were) wearing\b", "what were you wearing"),
        (r"\bdid you (fight back|resist|say no|provoke|try to (stop|escape|leave))",
         "did you resist"),
        (r"\b(could|should) you have\b", "could you have"),
        (r"\byour (own )?fault\b", "your fault"),
    )
)  # fmt: skip

RULES_WAIVABLE = frozenset({"asks_what_happened", "blames", "reading_age", "too_long"})
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
    "unknown_measure": "measures are in the metric registry",
    "measure_crime_group": "measures apply to the bank's crime group",
    "measure_touchpoint": "measures are asked only at their touchpoints",
    "measure_options": "questions feeding a measure offer its positive answers",
    "measure_twice": "no two questions feed one measure at one touchpoint",
    "standard_options": "questions feeding a measure use its standard answers, in order",
    "metric_not_fed": "every metric of the bank's crime group is fed by a question",
    "right_touchpoint": "Victims' Code rights are asked where the Code table applies them",
    "right_needs_show_if": "right 8 at outcome and right 11 at court need a show_if",
    "right_missing_touchpoint": "each right is asked at every touchpoint the table gives",
    "sensitive_prefer_not_to_say": "sensitive questions offer prefer_not_to_say",
    "section_content_note": "sensitive sections have a content note",
    "asks_what_happened": "no question asks about the offence, the offender or injuries",
    "blames": "no question could read as blame",
    "reading_age": "questions are easy to read",
    "too_long": "questions and hints are short",
    "translation_undeclared": "every language used is declared in translations",
    "waiver_rule": "waivers name a rule that can be waived",
    "waiver_unused": "waivers are only kept where needed",
    "empty_section": "sections have questions",
}
RIGHT_SHOW_IF_REASONS = {
    ("outcome", 8): "ask it only if someone was charged",
    ("court", 11): "ask it only after a conviction",
}


@dataclass(frozen=True)
class Problem:
    file: str
    question_id: str  # the question's id, a section's id, or BANK
    message: str
    severity: Severity = "error"
    rule: str = "schema"

    def format(self) -> str:
        """`file:question_id: message`, warnings marked so a reader can tell them apart."""
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.question_id}: {prefix}{self.message}"


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


# --- schema errors ---------------------------------------------------------------------------


def _where(data: Any, loc: tuple[int | str, ...]) -> tuple[str, str]:
    """(the id of the question or section the error is in, the path inside it)."""
    owner, rest_start = BANK, 0
    node: Any = data
    for index, part in enumerate(loc):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            break
        parent = loc[index - 1] if index > 0 else None
        if isinstance(part, int) and parent in ("questions", "sections"):
            kind = "question" if parent == "questions" else "section"
            ident = node.get("id") if isinstance(node, dict) else None
            owner = str(ident) if isinstance(ident, str) and ident else f"{kind} {part + 1}"
            rest_start = index + 1
    path = ""
    for part in loc[rest_start:]:
        path += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return owner, path


def _friendly(error: dict[str, Any]) -> str:
    kind, msg, loc = error.get("type", ""), str(error.get("msg", "")), error.get("loc", ())
    last = loc[-1] if loc else ""
    if last == "reason" and kind in ("string_too_short", "missing"):
        return "a waiver needs a written reason"
    if kind == "string_type" and isinstance(error.get("input"), bool):
        return 'put yes and no in quotes ("yes", "no"): without them YAML reads true or false'
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see docs/question-banks.md)"
    if kind == "missing":
        return "this field is required"
    if kind == "string_pattern_mismatch":
        return "use only lower-case letters, digits and _, starting with a letter"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_short":
        return "must not be empty"
    msg = msg.removeprefix("Value error, ")
    return msg.replace("Input should be", "must be")


def schema_problems(file: str, data: Any, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for detail in error.errors():
        loc = tuple(detail.get("loc", ()))
        owner, path = _where(data, loc)
        message = _friendly(dict(detail))
        problems.append(Problem(file, owner, f"{path}: {message}" if path else message))
    return problems


# --- helpers ---------------------------------------------------------------------------------


def _english(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = value.get(SOURCE_LANGUAGE, "")
    return text if isinstance(text, str) else ""


def _languages(value: Any) -> set[str]:
    return set(value) - {SOURCE_LANGUAGE} if isinstance(value, dict) else set()


def _question_strings(question: Question) -> Iterator[Any]:
    yield question.text
    yield question.hint
    for option in question.options or []:
        yield option.label


def _syllables(word: str) -> int:
    word = word.lower()
    if word in FAMILIAR_WORDS:
        return min(2, _raw_syllables(word))
    return _raw_syllables(word)


def _raw_syllables(word: str) -> int:
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups)
    if word.endswith("e") and not word.endswith(("le", "ee")) and count > 1:
        count -= 1  # silent final e
    return max(1, count)


def reading_grade(text: str) -> float | None:
    """Flesch–Kincaid grade of English text, or None when it is too short to judge."""
    words = re.findall(r"[A-Za-z’']+", text)
    if len(words) < READING_MIN_WORDS:
        return None
    sentences = max(1, len(re.findall(r"[.!?]+", text)))
    syllables = sum(_syllables(word.strip("’'")) for word in words)
    return 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59


# --- the lint --------------------------------------------------------------------------------


class _Collector:
    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, rule: str, message: str, severity: Severity = "error") -> None:
        self.problems.append(Problem(self.file, where, message, severity, rule))


def _lint_structure(out: _Collector, document: BankDocument) -> None:
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


def _lint_options(out: _Collector, question: Question) -> None:
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


def _lint_show_if(out: _Collector, document: BankDocument) -> None:
    earlier: dict[str, Question] = {}
    every = {q.id: q for _s, q in document.all_questions()}
    for _section, question in document.all_questions():
        condition = question.show_if
        if condition is not None:
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


def _lint_measures(out: _Collector, document: BankDocument) -> None:
    crime_group = str(document.crime_group)
    fed_at: dict[tuple[str, str], str] = {}  # (measure, touchpoint) → first question id
    fed: set[str] = set()
    right_touchpoints_seen: dict[int, set[str]] = {}
    for _section, question in document.all_questions():
        for measure in question.measures:
            metric = registry.get_metric(measure)
            if metric is None:
                out.add(
                    question.id,
                    "unknown_measure",
                    f"unknown measure '{measure}' (see the metric list in docs/question-banks.md)",
                )
                continue
            fed.add(measure)
            if crime_group not in metric.crime_groups:
                out.add(
                    question.id,
                    "measure_crime_group",
                    f"measure '{measure}' does not apply to {crime_group} banks "
                    f"(only {', '.join(sorted(metric.crime_groups))})",
                )
            _lint_measure_options(out, question, metric)
            right = registry.right_number(measure)
            for touchpoint in question.asked_at():
                if right is not None:
                    _lint_right_at(out, question, right, touchpoint)
                    right_touchpoints_seen.setdefault(right, set()).add(touchpoint)
                elif touchpoint not in metric.touchpoints:
                    out.add(
                        question.id,
                        "measure_touchpoint",
                        f"measure '{measure}' is not asked at {touchpoint} "
                        f"(only at {_ordered(metric.touchpoints)})",
                    )
                first = fed_at.get((measure, touchpoint))
                if first is not None:
                    out.add(
                        question.id,
                        "measure_twice",
                        f"measure '{measure}' at {touchpoint} is already fed by question "
                        f"'{first}': a response must count once in a metric",
                    )
                else:
                    fed_at[(measure, touchpoint)] = question.id
    for metric in registry.metrics_for(crime_group):
        if metric.id not in fed:
            out.add(
                BANK,
                "metric_not_fed",
                f"no question feeds metric '{metric.id}', which applies to {crime_group} banks",
            )
    for right, seen in sorted(right_touchpoints_seen.items()):
        missing = registry.right_touchpoints(right) - seen
        if missing:
            out.add(
                BANK,
                "right_missing_touchpoint",
                f"{registry.right_measure(right)} is not asked at {_ordered(missing)}, where the "
                "Victims' Code table says it applies",
                "warning",
            )


def _ordered(touchpoints: Iterable[str]) -> str:
    order = ["reporting", "investigation", "outcome", "court"]
    return ", ".join(sorted(touchpoints, key=order.index))


def _lint_right_at(out: _Collector, question: Question, right: int, touchpoint: str) -> None:
    if right not in registry.RIGHTS_BY_TOUCHPOINT[touchpoint]:
        out.add(
            question.id,
            "right_touchpoint",
            f"victims_code.right_{right} is asked at {touchpoint}, where the Victims' Code table "
            f"does not apply right {right} (it applies at "
            f"{_ordered(registry.right_touchpoints(right))})",
        )
    elif right in registry.RIGHTS_NEEDING_SHOW_IF.get(touchpoint, frozenset()) and (
        question.show_if is None
    ):
        reason = RIGHT_SHOW_IF_REASONS[(touchpoint, right)]
        out.add(
            question.id,
            "right_needs_show_if",
            f"victims_code.right_{right} at {touchpoint} needs a show_if ({reason})",
        )


def _lint_measure_options(out: _Collector, question: Question, metric: registry.Metric) -> None:
    if question.type == "text":
        out.add(
            question.id,
            "measure_options",
            f"a text question cannot feed measure '{metric.id}': it needs answers with codes",
        )
        return
    if question.type == "multi":
        out.add(
            question.id,
            "measure_options",
            f"a multi question cannot feed measure '{metric.id}': a response must give it "
            "one answer",
        )
        return
    codes = {option.code for option in question.options or []}
    if codes & metric.positive_codes:
        _lint_standard_codes(out, question, metric)
    else:
        out.add(
            question.id,
            "measure_options",
            f"measure '{metric.id}' counts the answers {', '.join(sorted(metric.positive_codes))}"
            ", but this question offers none of them",
        )


def _lint_standard_codes(out: _Collector, question: Question, metric: registry.Metric) -> None:
    if not metric.standard_codes:
        return
    answers = tuple(
        option.code for option in question.options or [] if option.code not in RESERVED_CODES
    )
    if answers != metric.standard_codes:
        out.add(
            question.id,
            "standard_options",
            f"measure '{metric.id}' uses the standard answers {', '.join(metric.standard_codes)}"
            " in this order (dont_know, not_applicable or prefer_not_to_say may be added), so "
            "that figures compare across banks",
            "warning",
        )


def _lint_wording(out: _Collector, question: Question) -> set[str]:
    """Wording and readability problems; returns the waivable rules that were found."""
    found: set[str] = set()
    waived = {waiver.rule for waiver in question.waivers}
    english = [_english(value) for value in _question_strings(question)]
    for rule, patterns, what in (
        ("asks_what_happened", ASKS_WHAT_HAPPENED, "asks the victim to describe the offence, "
         "the offender or injuries"),
        ("blames", BLAMING, "could read as blaming the victim"),
    ):  # fmt: skip
        for pattern, label in patterns:
            if any(pattern.search(text) for text in english):
                found.add(rule)
                if rule not in waived:
                    out.add(
                        question.id,
                        rule,
                        f"the question {what} ('{label}'): ask about the service instead, or add "
                        f"a waiver for rule {rule} with a written reason",
                    )
                break
    text = _english(question.text)
    grade = reading_grade(text)
    if grade is not None and grade > READING_GRADE_LIMIT:
        found.add("reading_age")
        if "reading_age" not in waived:
            out.add(
                question.id,
                "reading_age",
                f"reading age about {round(grade) + 5} (Flesch-Kincaid grade {grade:.1f}); aim "
                f"for {int(READING_GRADE_LIMIT) + 5} or under: shorter sentences, shorter words",
                "warning",
            )
    hint = _english(question.hint)
    for label, value, limit in (
        ("text", text, TEXT_LENGTH_LIMIT),
        ("hint", hint, HINT_LENGTH_LIMIT),
    ):
        if len(value) > limit:
            found.add("too_long")
            if "too_long" not in waived:
                out.add(
                    question.id,
                    "too_long",
                    f"the {label} is {len(value)} characters; keep it under {limit}",
                    "warning",
                )
    return found


def _lint_waivers(out: _Collector, question: Question, found: set[str]) -> None:
    for waiver in question.waivers:
        if waiver.rule not in RULES_WAIVABLE:
            out.add(
                question.id,
                "waiver_rule",
                f"rule '{waiver.rule}' cannot be waived (only {', '.join(sorted(RULES_WAIVABLE))})",
            )
        elif waiver.rule not in found:
            out.add(
                question.id,
                "waiver_unused",
                f"the waiver for rule {waiver.rule} is not needed: remove it",
                "warning",
            )


def _lint_languages(out: _Collector, document: BankDocument) -> None:
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
        check(question.id, _question_strings(question))


def lint_bank(document: BankDocument, file: str = "") -> list[Problem]:
    """Every semantic and trauma-informed problem of a schema-valid bank."""
    out = _Collector(file)
    _lint_structure(out, document)
    _lint_show_if(out, document)
    _lint_measures(out, document)
    _lint_languages(out, document)
    for _section, question in document.all_questions():
        found = _lint_wording(out, question)
        _lint_waivers(out, question, found)
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
