"""The trauma-informed wording rules and the readability warnings of one question, and its
waivers: a wording rule or a readability warning can be waived for one question with a written
reason, so an exception is always a reviewable decision.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from app.banks.paraphrase import PARAPHRASE_CLASSES, PARAPHRASE_RULES
from app.banks.problems import Collector
from app.banks.schema import SOURCE_LANGUAGE, Question
from app.banks.translation_rules import lint_translations

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
        # "the person who hurt you" is the asks_about_person rule's (app/banks/paraphrase.py).
        (r"\b(tell us|say) (more )?about (the |your )?(offender|suspect|perpetrator|attacker"
         r"|abuser)", "tell us about the offender"),
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

RULES_WAIVABLE = frozenset(
    {"asks_what_happened", "blames", "reading_age", "too_long", "translation_wording"}
    | PARAPHRASE_RULES
)


def english_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    text = value.get(SOURCE_LANGUAGE, "")
    return text if isinstance(text, str) else ""


# Cyrillic and Greek letters that look like Latin ones: an English question has no use for them,
# and one typed inside a word would hide the word from the patterns.
_LOOK_ALIKES = str.maketrans(
    "\u0430\u0435\u043e\u0440\u0441\u0443\u0445\u0456\u0458\u0455\u04cf"
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425\u0406"
    "\u03bf\u03b1\u03b5\u03b9\u03ba\u03bd\u03c1\u03c4\u03c5\u039f\u0391\u0395\u0399",
    "aeopcyxijslABEKMHOPCTXIoaeiknptuOAEI",
)


def shown_text(text: str) -> str:
    """The text as a reader sees it, for the wording patterns: compatibility forms folded
    (full-width letters), invisible format characters dropped (soft hyphen, zero-width space),
    curly apostrophes straightened, look-alike Cyrillic and Greek letters read as Latin and any
    run of spaces or line breaks read as one space, so that none of them lets a phrase through
    that looks the same on the page."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    text = "".join(char for char in text if unicodedata.category(char) != "Cf")
    return re.sub(r"\s+", " ", text.translate(_LOOK_ALIKES))


def question_strings(question: Question) -> Iterator[Any]:
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


def lint_wording(out: Collector, question: Question) -> set[str]:
    """Wording and readability problems; returns the waivable rules that were found."""
    found: set[str] = set()
    waived = {waiver.rule for waiver in question.waivers}
    english = [shown_text(english_text(value)) for value in question_strings(question)]
    for rule, patterns, what in (
        ("asks_what_happened", ASKS_WHAT_HAPPENED, "asks the victim to describe the offence, "
         "the offender or injuries"),
        ("blames", BLAMING, "could read as blaming the victim"),
        *((item.rule, item.patterns, item.what) for item in PARAPHRASE_CLASSES),
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
    if lint_translations(out, question, list(question_strings(question))):
        found.add("translation_wording")
    text = english_text(question.text)
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
    hint = english_text(question.hint)
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


def lint_waivers(out: Collector, question: Question, found: set[str]) -> None:
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
