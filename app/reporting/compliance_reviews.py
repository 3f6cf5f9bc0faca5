"""Records of joint compliance review meetings (issue 14, point 1).

The PCC keeps Victims' Code compliance in the area under review with the criminal justice
bodies (Victims and Prisoners Act 2024, Part 1). Each meeting is recorded: its date, the bodies
present (from a fixed list, plus an optional free-text line for others, such as a named
charity), the decisions taken and the rights they concern. The audit event names the meeting
and what was recorded, never the text itself: decisions may name people.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlmodel import Session, col, select

from app import audit, clock
from app.errors import FieldError, InvalidInput
from app.reporting.review_models import ComplianceReview

# The bodies that may attend, in the order a page lists them.
BODIES: dict[str, str] = {
    "police": "Police",
    "witness_care": "Witness Care Unit",
    "cps": "Crown Prosecution Service",
    "courts": "HM Courts and Tribunals Service",
    "probation": "Probation Service",
    "opcc": "Office of the Police and Crime Commissioner",
    "victims_commissioner": "Victims' Commissioner's office",
    "support_services": "Victim support services",
}
RIGHTS = range(1, 13)
MAX_DECISIONS = 5000
MAX_OTHER_BODIES = 200
EARLIEST = date(2000, 1, 1)  # a date before this is a typing slip


class ReviewProblem(StrEnum):
    MISSING = "missing"
    FORMAT = "format"
    FUTURE = "future"
    CHOICE = "choice"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class ReviewInput:
    held_on: date
    bodies: list[str]
    other_bodies: str | None
    decisions: str
    rights: list[int]


def _error(field: str, message: str, kind: ReviewProblem) -> FieldError:
    return FieldError(("body", field), message, kind)


def _held_on(value: Any, errors: list[FieldError]) -> date | None:
    if value in (None, ""):
        errors.append(_error("held_on", "Enter the date of the meeting.", ReviewProblem.MISSING))
        return None
    if isinstance(value, date):
        held = value
    else:
        try:
            held = date.fromisoformat(str(value).strip())
        except ValueError:
            errors.append(_error("held_on", "Use a date like 2026-11-30.", ReviewProblem.FORMAT))
            return None
    if held > clock.today():
        errors.append(
            _error("held_on", "The date must not be in the future.", ReviewProblem.FUTURE)
        )
    elif held < EARLIEST:
        errors.append(_error("held_on", "Use a date like 2026-11-30.", ReviewProblem.FORMAT))
    return held


def _bodies(values: Any, errors: list[FieldError]) -> list[str]:
    chosen = [str(value) for value in values or ()] if isinstance(values, list) else None
    if not chosen:
        errors.append(_error("bodies", "Choose the bodies present.", ReviewProblem.MISSING))
        return []
    if any(value not in BODIES for value in chosen):
        errors.append(_error("bodies", f"Use any of: {', '.join(BODIES)}.", ReviewProblem.CHOICE))
        return []
    return [body for body in BODIES if body in chosen]


def _rights(values: Any, errors: list[FieldError]) -> list[int]:
    if values in (None, []):
        return []
    if not isinstance(values, list) or any(
        isinstance(value, bool) or not _is_right(value) for value in values
    ):
        errors.append(
            _error("rights", "Rights are whole numbers from 1 to 12.", ReviewProblem.CHOICE)
        )
        return []
    return sorted({int(value) for value in values})


def _is_right(value: Any) -> bool:
    if isinstance(value, int):
        return value in RIGHTS
    # ASCII digits only: int("١") is 1, so a form's "١" was stored as right 1.
    text = str(value).strip()
    return text.isascii() and text.isdecimal() and len(text) <= 2 and int(text) in RIGHTS


def _text(
    value: Any, field: str, limit: int, errors: list[FieldError], *, required: bool
) -> str | None:
    text = str(value or "").strip()
    if not text:
        if required:
            errors.append(_error(field, "Enter the decisions taken.", ReviewProblem.MISSING))
        return None
    if len(text) > limit:
        errors.append(_error(field, f"At most {limit} characters.", ReviewProblem.TOO_LONG))
        return None
    return text


def clean_review(
    *, held_on: Any, bodies: Any, other_bodies: Any, decisions: Any, rights: Any
) -> ReviewInput:
    """Checked input, or InvalidInput with an error for each wrong field."""
    errors: list[FieldError] = []
    held = _held_on(held_on, errors)
    chosen = _bodies(bodies, errors)
    others = _text(other_bodies, "other_bodies", MAX_OTHER_BODIES, errors, required=False)
    text = _text(decisions, "decisions", MAX_DECISIONS, errors, required=True)
    linked = _rights(rights, errors)
    if errors or held is None or text is None:
        raise InvalidInput("The meeting record is not valid.", errors=errors)
    return ReviewInput(held, chosen, others, text, linked)


def record_review(session: Session, review: ReviewInput, *, actor: str) -> ComplianceReview:
    """Store a meeting record (audited without its text)."""
    row = ComplianceReview(
        held_on=review.held_on,
        bodies=review.bodies,
        other_bodies=review.other_bodies,
        decisions=review.decisions,
        rights=review.rights,
        recorded_by=actor,
        recorded_at=clock.now(),
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="compliance_review.record",
        object_type="compliance_review",
        object_id=str(row.id),
        detail={
            "held_on": review.held_on.isoformat(),
            "bodies": review.bodies,
            "rights": review.rights,
        },
    )
    return row


def list_reviews(
    session: Session, *, right: int | None = None, limit: int = 200
) -> Sequence[ComplianceReview]:
    """Meeting records, latest meeting first; with `right`, those linked to it."""
    rows = session.exec(
        select(ComplianceReview).order_by(
            col(ComplianceReview.held_on).desc(), col(ComplianceReview.id).desc()
        )
    ).all()
    if right is not None:  # JSON lists: filtered here, the table is small (a few a year)
        rows = [row for row in rows if right in row.rights]
    return rows[:limit]
