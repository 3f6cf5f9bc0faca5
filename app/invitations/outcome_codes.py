"""The one table from a Home Office outcome code to the coarse outcome a survey is routed by.

The force's performance team checks this table (docs/outcome-and-timing.md shows it too; a test
holds the two equal). An upload's `outcome` is one of the words, or a code 1–22 as a number
or as text; anything else rejects the row alone. Only the coarse word is ever stored.
"""

from __future__ import annotations

import re
from typing import Any

from app.enums import OUTCOMES, Outcome

# Home Office crime outcome code → coarse outcome. Every code 1–22 is listed, none implied.
HOME_OFFICE_OUTCOMES: dict[int, Outcome] = {
    1: Outcome.charged,  # charged or summonsed
    2: Outcome.out_of_court,  # caution (youth)
    3: Outcome.out_of_court,  # caution (adult)
    4: Outcome.nfa,  # taken into consideration
    5: Outcome.nfa,  # offender died
    6: Outcome.out_of_court,  # penalty notice for disorder
    7: Outcome.out_of_court,  # cannabis / khat warning
    8: Outcome.out_of_court,  # community resolution
    9: Outcome.nfa,  # prosecution not in the public interest (CPS)
    10: Outcome.nfa,  # formal action not in the public interest (police)
    11: Outcome.nfa,  # prosecution prevented: suspect under age
    12: Outcome.nfa,  # prosecution prevented: suspect too ill
    13: Outcome.nfa,  # prosecution prevented: victim or key witness dead or too ill
    14: Outcome.victim_withdrew,  # evidential difficulties: victim declines or unable to support
    15: Outcome.nfa,  # evidential difficulties: suspect identified, victim supports
    16: Outcome.victim_withdrew,  # evidential difficulties: victim withdraws support
    17: Outcome.nfa,  # prosecution time limit expired
    18: Outcome.nfa,  # investigation complete, no suspect identified
    19: Outcome.nfa,  # National Crime Agency: not in the public interest
    20: Outcome.nfa,  # action undertaken by another body or agency
    21: Outcome.nfa,  # further investigation not in the public interest
    22: Outcome.out_of_court,  # diversionary, educational or intervention activity
}

_CODE = re.compile(r"^\d{1,2}$")
OUTCOME_MESSAGE = (
    "must be charged, nfa, out_of_court, victim_withdrew, not_known "
    "or a Home Office outcome code from 1 to 22"
)


def parse_outcome(value: Any) -> str | None:
    """The coarse outcome of a word or a Home Office code; None when it is neither."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        found = HOME_OFFICE_OUTCOMES.get(value)
        return found.value if found is not None else None
    if not isinstance(value, str):
        return None
    text = value.strip().lower()
    if text in OUTCOMES:
        return text
    if _CODE.match(text):
        found = HOME_OFFICE_OUTCOMES.get(int(text))
        return found.value if found is not None else None
    return None
