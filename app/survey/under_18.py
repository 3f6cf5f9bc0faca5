"""Someone who says they are under 18 is shown Childline (DESIGN13 rule 6, issue 13 point 6).

When this browser's own answer to the equality section's age band question
(`characteristic: age_band`) is `under_18`, every page of the survey from then on shows
Childline in an inset (so the very next page does), and the confirmation page shows it once
after sending (a one-time notice, like the "contact me" thank-you: a page reached later by the
link or the cookie shows no answer). Only the session that saved the answer is ever shown it:
another session sees the answer as HIDDEN (app/survey/visibility.py). The response itself is
kept and left out of published figures by the reporting rollups, not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.banks import localize
from app.banks.schema import UNDER_18_CODE
from app.survey.state import SurveyState

CHILDLINE_NOTICE = "childline"
AGE_BAND = "age_band"


def age_band_questions(document: Mapping[str, Any]) -> frozenset[str]:
    """The ids of a bank's age band questions."""
    return frozenset(
        question["id"]
        for _section, question in localize.iter_questions(document)
        if question.get("characteristic") == AGE_BAND
    )


def said_under_18(state: SurveyState) -> bool:
    """Whether this viewer's own answer to an age band question shown is under 18."""
    ages = age_band_questions(state.bank.document)
    if not ages or not state.answers:
        return False
    shown = {question["id"] for question in state.journey.visible}
    for question_id in ages & shown:
        value = state.answers.get(question_id)
        if value == UNDER_18_CODE or (isinstance(value, list) and UNDER_18_CODE in value):
            return True
    return False
