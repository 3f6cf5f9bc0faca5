"""Rules across the banks checked together (`banks check question_banks/`): a specialist bank
is about its crime type, so at least a third of its question ids are its own, not the general
bank's (issue 13 point 5). Checked only when the general bank is among the files.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.banks.problems import BANK, Problem
from app.banks.schema import BankDocument
from app.crime_groups import SHIPPED_GENERAL, is_specialist

RULE = "specialist_own_questions"
OWN_SHARE = 3  # at least 1/OWN_SHARE of a specialist bank's question ids are its own


def _ids(document: BankDocument) -> set[str]:
    return {question.id for _section, question in document.all_questions()}


def specialist_problems(banks: Sequence[tuple[str, BankDocument]]) -> list[Problem]:
    general = [doc for _name, doc in banks if str(doc.crime_group) == SHIPPED_GENERAL]
    if not general:
        return []
    general_ids = set().union(*(_ids(doc) for doc in general))
    problems = []
    for name, document in banks:
        group = str(document.crime_group)
        if not is_specialist(group):
            continue
        ids = _ids(document)
        own = ids - general_ids
        if len(own) * OWN_SHARE < len(ids):
            needed = -(-len(ids) // OWN_SHARE)
            problems.append(
                Problem(
                    name,
                    BANK,
                    f"only {len(own)} of the {len(ids)} question ids of this {group} bank are "
                    f"its own (not in the general bank): at least a third ({needed}) must be, so "
                    "that the bank asks about what matters in these cases",
                    rule=RULE,
                )
            )
    return problems
