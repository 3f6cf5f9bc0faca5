"""The staff pages' own words for the field errors reporting's services raise.

Each maps a problem (field, kind) to the page's text and the field its error summary links to
(see app.errors.error_summary); the API keeps the service's wording.
"""

from __future__ import annotations

from app.errors import PageTexts
from app.reporting import actions
from app.reporting.parameters import Kind

# The page's words for each problem actions.clean_action finds, and the field each links to.
ACTION_TEXTS: PageTexts = {
    ("text", actions.ActionProblem.MISSING): ("Enter what was done", "text"),
    ("text", actions.ActionProblem.TOO_LONG): (
        f"What was done must be {actions.MAX_ACTION_LENGTH} characters or fewer",
        "text",
    ),
    ("crime_group", Kind.CHOICE): ("Choose who this is for", "crime_group"),
}

# The review page says the same for any period problem comments.parse_filters finds.
_COMMENT_PERIOD = ("Enter months like 2026-07 or quarters like 2026-Q3", "from")
COMMENT_PERIOD_TEXTS: PageTexts = {
    ("from", Kind.FORMAT): _COMMENT_PERIOD,
    ("to", Kind.FORMAT): _COMMENT_PERIOD,
    ("from", Kind.ORDER): _COMMENT_PERIOD,
}
