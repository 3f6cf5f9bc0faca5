"""The survey's one way into reporting: the documented survey → reporting dependency.

Reporting reads the survey's tables (responses, answers, comments, contact requests) to count
and show them; the survey calls reporting only through this module, for two things:

- a response counted into the rollups when it is submitted, and out again when withdrawn;
- the "you said, we did" actions its confirmation page shows (done or in progress, general).

A change to either on the reporting side is made here too, and nowhere else in the survey
(tests/core/test_architecture.py holds the survey to this module's three reporting imports).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.reporting import rollups
from app.reporting.actions import VICTIM_STATUSES, list_actions
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
    """The newest actions done or under way that name no crime group, newest first.

    Only those: the confirmation page is reached after submission, when no page of the link may
    show which crime group it was about; and a plan is not yet a change victims can see. The
    page shows their general text only (not the finding, owner or figures).
    """
    return list(list_actions(session, general_only=True, status=VICTIM_STATUSES, limit=limit))
