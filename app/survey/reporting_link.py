"""The survey's one way into reporting: the documented survey → reporting dependency.

Reporting reads the survey's tables (responses, answers, comments, contact requests) to count
and show them; the survey calls reporting only through this module, for two things:

- a response counted into the rollups when it is submitted, and out again when withdrawn;
- the published "you said, we did" statements its confirmation page shows.

A change to either on the reporting side is made here too, and nowhere else in the survey
(tests/core/test_architecture.py holds the survey to this module's three reporting imports).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.reporting import rollups
from app.reporting.actions import list_actions
from app.reporting.models import PublishedAction as PublishedAction
from app.survey.models import Answer, Response

CONFIRMATION_ACTIONS = 3


def count_response(session: Session, response: Response, answers: Sequence[Answer]) -> None:
    """Add a submitted response's answers to the rollup counts."""
    rollups.apply_response(session, response, answers, sign=+1)


def uncount_response(session: Session, response: Response, answers: Sequence[Answer]) -> None:
    """Take a withdrawn response's answers out of the rollup counts (before its rows go)."""
    rollups.apply_response(session, response, answers, sign=-1)


def general_actions(
    session: Session, *, limit: int = CONFIRMATION_ACTIONS
) -> list[PublishedAction]:
    """The newest statements that name no crime group, newest first.

    Only those: the confirmation page is reached after submission, when no page of the link may
    show which crime group it was about. `list_actions` without a crime group lists every
    statement, so the general ones are picked here; statements are few (one an approver writes
    now and then), so reading them all costs nothing worth a second query.
    """
    general = [action for action in list_actions(session) if action.crime_group is None]
    return general[:limit]
