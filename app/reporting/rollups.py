"""Rollup counts kept in step with submitted responses (same transaction as submit/withdraw).

Interface (called by the survey domain):
    apply_response(session, response, answers, sign=+1)   # on submit
    apply_response(session, response, answers, sign=-1)   # on withdraw, before deleting answers
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.survey.models import Answer, Response


def apply_response(
    session: Session, response: Response, answers: Sequence[Answer], sign: int = 1
) -> None:
    """Add (sign=+1) or remove (sign=-1) one response's answers to the rollup counts."""
    # Implemented with the reporting domain (issue 6).
    return None
