"""The agencies' self-assessments: bare rates per right (`rights`, the first format) and
entries per right × agency × quarter, optionally per crime group (`entries`, issue 14).

An entry gives the agency's figure as a numerator over a denominator, with its definition and
method, so the comparison with victims can use Newcombe's interval of the difference
(app.reporting.compliance_gap); a RAG rating and a narrative say what the agency makes of it.
A PUT checks the whole body first and answers 422 with every bad field, so nothing is half
written; then it upserts what it was given (rows not given keep their values), audited.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlmodel import Session, col, select

from app import audit, clock
from app.banks.aspects import right_agencies
from app.enums import CRIME_GROUPS
from app.errors import FieldError, InvalidInput
from app.reporting import parameters
from app.reporting.models import SelfAssessment, SelfAssessmentEntry

RIGHTS = tuple(range(1, 13))
RAGS = ("red", "amber", "green")
TEXT_LIMITS = {"definition": 1000, "method": 1000, "narrative": 4000}
ENTRY_FIELDS = (
    "right",
    "agency",
    "crime_group",
    "numerator",
    "denominator",
    "definition",
    "method",
    "rag",
    "narrative",
)


class EntryOut(BaseModel):
    right: int
    agency: str
    crime_group: str | None  # null: every crime group
    numerator: int
    denominator: int
    rate: float  # numerator ÷ denominator
    definition: str
    method: str
    rag: str
    narrative: str


class SelfAssessmentResult(BaseModel):
    period: str
    rights: dict[str, float]
    entries: list[EntryOut] = []


def _period(period: str, errors: list[FieldError]) -> str:
    # Saving and reading both store the quarter as parse_quarter gives it back.
    quarter = parameters.parse_quarter(period)
    if isinstance(quarter, parameters.Problem):
        errors.append(quarter.field_error("path"))
        return period
    return quarter


def _right_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in RIGHTS else None
    text = str(value)
    # ASCII digits only: "٣".isdigit() is true and int("٣") is 3.
    # Written as it is numbered: "06" is not right 6 (a body could name one right twice).
    number = int(text) if text.isascii() and text.isdecimal() and len(text) <= 2 else None
    if number is not None and str(number) != text:
        return None
    return number if number in RIGHTS else None


def parse_rights(rights: Any, errors: list[FieldError]) -> dict[int, float]:
    """A {"1": 0.92, …} mapping of bare rates; problems go to `errors`."""
    parsed: dict[int, float] = {}
    if not isinstance(rights, Mapping) or not rights:
        errors.append(FieldError(("body", "rights"), 'Give rates per right, like {"1": 0.92}.'))
        return parsed
    for key, value in rights.items():
        loc = ("body", "rights", str(key))
        number = _right_number(str(key))
        if number is None:
            errors.append(FieldError(loc, "Rights are numbered 1 to 12."))
        elif isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            errors.append(FieldError(loc, "A rate is a number from 0 to 1."))
        else:
            parsed[number] = float(value)
    return parsed


# Counts of victims or records: far below this, and it fits a 32-bit INTEGER column (a
# larger number reached the database and failed there: a 500, not a 422).
MAX_COUNT = 1_000_000_000


def _count(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT:
        return value
    return None


def _entry(index: int, raw: Any, errors: list[FieldError]) -> dict[str, Any] | None:
    """One entry checked field by field; None when any field is wrong."""

    def problem(name: str, message: str) -> None:
        errors.append(FieldError(("body", "entries", index, name), message))

    if not isinstance(raw, Mapping):
        errors.append(FieldError(("body", "entries", index), "An entry is an object."))
        return None
    before = len(errors)
    for name in sorted(set(raw) - set(ENTRY_FIELDS)):
        problem(str(name), "This is not a field of an entry.")
    right = _right_number(raw.get("right"))
    if right is None:
        problem("right", "Rights are numbered 1 to 12.")
    agency = raw.get("agency")
    if right is not None and agency not in right_agencies(right):
        problem("agency", f"Right {right} is delivered by: {', '.join(right_agencies(right))}.")
    elif right is None and not isinstance(agency, str):
        problem("agency", "Give the agency that delivers the right.")
    crime_group = raw.get("crime_group") or None  # null or "": every crime group
    if crime_group is not None and crime_group not in CRIME_GROUPS:
        problem("crime_group", f"A crime group is one of: {', '.join(CRIME_GROUPS)}.")
    numerator, denominator = _count(raw.get("numerator")), _count(raw.get("denominator"))
    if numerator is None:
        problem("numerator", "The numerator is a whole number, 0 to 1,000,000,000.")
    if denominator is None or denominator == 0:
        problem("denominator", "The denominator is a whole number, 1 to 1,000,000,000.")
    elif numerator is not None and numerator > denominator:
        problem("numerator", "The numerator cannot be more than the denominator.")
    for name, limit in TEXT_LIMITS.items():
        value = raw.get(name, "" if name == "narrative" else None)
        if not isinstance(value, str) or (name != "narrative" and not value.strip()):
            problem(name, f"Give the {name} as text.")
        elif len(value) > limit:
            problem(name, f"The {name} is at most {limit} characters.")
    if raw.get("rag") not in RAGS:
        problem("rag", "The RAG rating is red, amber or green.")
    if len(errors) > before:
        return None
    return {
        "right": right,
        "agency": agency,
        "crime_group": crime_group or "",
        "numerator": numerator,
        "denominator": denominator,
        "definition": raw["definition"].strip(),
        "method": raw["method"].strip(),
        "rag": raw["rag"],
        "narrative": str(raw.get("narrative", "")).strip(),
    }


def parse_entries(entries: Any, errors: list[FieldError]) -> list[dict[str, Any]]:
    if not isinstance(entries, Sequence) or isinstance(entries, str) or not entries:
        errors.append(FieldError(("body", "entries"), "Give a list of entries."))
        return []
    parsed: list[dict[str, Any]] = []
    seen: set[tuple[int, str, str]] = set()
    for index, raw in enumerate(entries):
        entry = _entry(index, raw, errors)
        if entry is None:
            continue
        key = (entry["right"], entry["agency"], entry["crime_group"])
        if key in seen:
            errors.append(
                FieldError(
                    ("body", "entries", index),
                    "Another entry has the same right, agency and crime group.",
                )
            )
        seen.add(key)
        parsed.append(entry)
    return parsed


def _save_rights(session: Session, period: str, parsed: Mapping[int, float], actor: str) -> None:
    existing = {
        row.right: row
        for row in session.exec(select(SelfAssessment).where(SelfAssessment.period == period))
    }
    for right, rate in sorted(parsed.items()):
        row = existing.get(right) or SelfAssessment(
            period=period, right=right, rate=rate, uploaded_by=actor
        )
        row.rate, row.uploaded_by, row.uploaded_at = rate, actor, clock.now()
        session.add(row)


def _save_entries(
    session: Session, period: str, parsed: Sequence[Mapping[str, Any]], actor: str
) -> None:
    existing = {
        (row.right, row.agency, row.crime_group): row
        for row in session.exec(
            select(SelfAssessmentEntry).where(SelfAssessmentEntry.period == period)
        )
    }
    for entry in parsed:
        key = (entry["right"], entry["agency"], entry["crime_group"])
        row = existing.get(key) or SelfAssessmentEntry(period=period, uploaded_by=actor, **entry)
        for name, value in entry.items():
            setattr(row, name, value)
        row.uploaded_by, row.uploaded_at = actor, clock.now()
        session.add(row)


def _lock_period(session: Session, period: str) -> None:
    """Two uploads of one quarter at once, one after the other: each reads the rows, then adds
    the missing ones, so without this both added the same row and the second failed on the
    unique key (a 500). PostgreSQL only: SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"self_assessment:{period}"},
        )


def save_self_assessment(
    session: Session, *, period: str, body: Mapping[str, Any], actor: str
) -> SelfAssessmentResult:
    """Upsert a quarter's `rights` and/or `entries`; 422 with every problem, nothing written."""
    errors: list[FieldError] = []
    period = _period(period, errors)
    has_rights, has_entries = body.get("rights") is not None, body.get("entries") is not None
    rights = parse_rights(body.get("rights"), errors) if has_rights or not has_entries else {}
    entries = parse_entries(body.get("entries"), errors) if has_entries else []
    if errors:
        raise InvalidInput("The self-assessment is not valid.", errors=errors)
    _lock_period(session, period)
    _save_rights(session, period, rights, actor)
    _save_entries(session, period, entries, actor)
    session.flush()
    detail: dict[str, Any] = {"period": period, "rights": sorted(rights)}
    if has_entries:
        detail["entries"] = [[e["right"], e["agency"], e["crime_group"] or None] for e in entries]
    audit.record(
        session,
        actor=actor,
        action="self_assessment.upload",
        object_type="self_assessment",
        object_id=period,
        detail=detail,
    )
    return read_self_assessment(session, period)


def entry_out(row: SelfAssessmentEntry) -> EntryOut:
    return EntryOut(
        right=row.right,
        agency=row.agency,
        crime_group=row.crime_group or None,
        numerator=row.numerator,
        denominator=row.denominator,
        rate=row.numerator / row.denominator,
        definition=row.definition,
        method=row.method,
        rag=row.rag,
        narrative=row.narrative,
    )


def read_self_assessment(session: Session, period: str) -> SelfAssessmentResult:
    rows = session.exec(
        select(SelfAssessment)
        .where(SelfAssessment.period == period)
        .order_by(col(SelfAssessment.right))
    )
    entries = session.exec(
        select(SelfAssessmentEntry)
        .where(SelfAssessmentEntry.period == period)
        .order_by(
            col(SelfAssessmentEntry.right),
            col(SelfAssessmentEntry.agency),
            col(SelfAssessmentEntry.crime_group),
        )
    )
    return SelfAssessmentResult(
        period=period,
        rights={str(r.right): r.rate for r in rows},
        entries=[entry_out(row) for row in entries],
    )


def get_self_assessment(session: Session, period: str) -> SelfAssessmentResult:
    errors: list[FieldError] = []
    period = _period(period, errors)
    if errors:
        raise InvalidInput("The period is not valid.", errors=errors)
    return read_self_assessment(session, period)


def parse_self_assessment(period: str, rights: Any) -> tuple[str, dict[int, float]]:
    """Validate a period (YYYY-Qn) and a bare-rates mapping; 422 with every problem."""
    errors: list[FieldError] = []
    period = _period(period, errors)
    parsed = parse_rights(rights, errors)
    if errors:
        raise InvalidInput("The self-assessment is not valid.", errors=errors)
    return period, parsed
