"""A question whose answer the force's upload already gives must take it from there.

The upload's `outcome` says whether anyone was charged, whether the case ended with no further
action or out of court, or whether the victim withdrew. Asking a victim that again is asking
them to repeat themselves about the hardest moment of a case, and after a decision not to
charge it can reopen it. So such a question carries `known_from: {context: outcome, ...}`
(app/banks/context.py): it is asked only when the upload did not say, and its follow-ups read
the code the upload gives. The shipped banks mark "Was anyone charged in your case?"
(`outcome_charged`) so.

Two ways to find such a question, in any bank, general or specialist:
- its English text asks the outcome itself ("Was anyone charged?", "What was the decision in
  your case?", "Did you withdraw from the case?"), never whether they were *told* it;
- it stands for the charge decision: a Victims' Code aspect that is asked only if someone was
  charged (or only if nobody was) is shown by an answer to it (right_rules.NEEDED_SHOW_IF).
Pure functions: no database.
"""

from __future__ import annotations

import re

from app.banks import metrics as registry
from app.banks.problems import Collector
from app.banks.right_rules import NEEDED_SHOW_IF
from app.banks.schema import BankDocument, Question
from app.banks.wording import english_text

RULE = "asks_known_outcome"
OUTCOME = "outcome"

_SUBJECT = (
    r"(?:any(?:one|body)|some(?:one|body)|the\s+(?:suspect|offender|accused|person)|he|she|they)"
)
_DECIDER = r"(?:the\s+)?(?:police|cps|crown\s+prosecution\s+service|prosecutors?)"
# Questions that ask the outcome itself: an auxiliary before its subject, as a question is
# put ("Was anyone charged?"), so "Were you told whether anyone was charged?" (asking what
# they were told, which the upload does not know) is not caught.
ASKS_OUTCOME = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        rf"\b(?:was|were|has|have|had|is|will)\s+{_SUBJECT}\s+(?:ever\s+|now\s+|yet\s+)?"
        r"(?:been\s+|be\s+)?(?:charged|prosecuted|summonsed|cautioned|given\s+a\s+caution)\b",
        rf"\bdid\s+{_DECIDER}\s+(?:decide\s+to\s+)?(?:charge|prosecute|caution|take\s+no\s+"
        r"further\s+action|drop\s+(?:the|your)\s+case)\b",
        r"\b(?:was|has|is)\s+(?:your|the)\s+case\s+(?:been\s+)?(?:closed|dropped|filed|"
        r"taken\s+to\s+court|sent\s+to\s+court|no\s+further\s+action)\b",
        r"^\s*what\s+(?:was|is|has\s+been)\s+the\s+(?:outcome|result|decision)\b",
        r"\b(?:did|have)\s+you\s+(?:withdraw(?:n)?|pull(?:ed)?\s+out)\b(?!\s+from\s+the\s+survey)",
    )
)


def asks_outcome(text: str) -> bool:
    """Whether English `text` asks what the upload's outcome already says."""
    return any(pattern.search(text) for pattern in ASKS_OUTCOME)


def _charge_stand_ins(document: BankDocument) -> set[str]:
    """Ids of questions whose answer shows an aspect asked only if someone was (or was not)
    charged: they stand for the charge decision the upload gives."""
    found: set[str] = set()
    for _section, question in document.all_questions():
        condition = question.show_if
        if condition is None or condition.question is None:
            continue
        for measure in question.measures:
            metric = registry.get_metric(measure)
            if metric is None:
                continue
            for touchpoint in question.asked_at():
                reason = metric.needs_show_if.get(touchpoint)
                if reason is not None and NEEDED_SHOW_IF[reason].context == OUTCOME:
                    found.add(condition.question)
    return found


def _takes_outcome(question: Question) -> bool:
    return question.known_from is not None and question.known_from.context == OUTCOME


def lint_known_outcome(out: Collector, document: BankDocument) -> None:
    """An error for each question asking what the upload's outcome gives without known_from."""
    stand_ins = _charge_stand_ins(document)
    for _section, question in document.all_questions():
        if _takes_outcome(question):
            continue
        if asks_outcome(english_text(question.text)):
            why = "asks what the force's upload already says (its outcome)"
        elif question.id in stand_ins:
            why = (
                "decides whether questions asked only if someone was (or was not) charged are shown"
            )
        else:
            continue
        out.add(
            question.id,
            RULE,
            f"this question {why}: add known_from: {{context: outcome, codes: {{charged: ..., "
            "nfa: ..., out_of_court: ..., victim_withdrew: ...}} so nobody is asked it when "
            "the force knows",
        )
