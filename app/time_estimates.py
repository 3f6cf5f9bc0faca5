"""Spotting a stated duration ("about 10 minutes", "a few minutes", "10 minut", "10 منٹ").

The start page gives the one time estimate, computed from the route a victim is shown
(app/survey/journey.py: minutes_to_answer); a fixed one in a bank's introduction or a message
would soon disagree with it, so the bank and message lints refuse one.
"""

from __future__ import annotations

import re

_TIME_ESTIMATE = re.compile(
    r"(?:\d+|\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty"
    r"|few|couple of)\b)\s*-?\s*(?:minutes?|mins?\b|hours?|minut\w*|godzin\w*|منٹ|گھنٹ)",
    re.IGNORECASE,
)


def states_time_estimate(text: str) -> bool:
    return _TIME_ESTIMATE.search(text) is not None
