"""Plain factories for the reporting tests: a small bank with measures, and responses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, select

from app.banks.metrics import SATISFACTION_SCALE
from app.banks.models import BankVersion
from app.invitations.models import Invitation, InvitationBatch
from app.reporting import rollups
from app.reporting.models import RollupCount
from app.survey.models import Answer, Response
from tests.factories import create_bank_version_row, create_sms_invitation

SATISFACTION = [*SATISFACTION_SCALE, "dont_know"]
RIGHTS_OPTIONS = ["yes", "no", "dont_know", "not_applicable"]


def _options(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "label": code.replace("_", " ")} for code in codes]


def small_bank(slug: str = "general", *, overall_id: str = "sat_overall") -> dict[str, Any]:
    """A bank feeding satisfaction.overall (everywhere), right 1 (reporting, court) and
    right 3 (reporting), with a multi and a text question that feed nothing."""
    return {
        "slug": slug,
        "title": "Your experience",
        "crime_group": slug,
        "sections": [
            {
                "id": "overall",
                "title": "Overall",
                "questions": [
                    {
                        "id": overall_id,
                        "type": "scale",
                        "text": "How satisfied were you overall?",
                        "measures": ["satisfaction.overall"],
                        "options": _options(SATISFACTION),
                    },
                    {
                        "id": "right_understood",
                        "type": "yes_no",
                        "text": "Could you understand and be understood?",
                        "touchpoints": ["reporting", "court"],
                        "measures": ["victims_code.right_1"],
                        "options": _options(RIGHTS_OPTIONS),
                    },
                    {
                        "id": "right_information",
                        "type": "yes_no",
                        "text": "Were you given information when you reported?",
                        "touchpoints": ["reporting"],
                        "measures": ["victims_code.right_3"],
                        "options": _options(RIGHTS_OPTIONS),
                    },
                    {
                        "id": "contact_ways",
                        "type": "multi",
                        "text": "How were you kept in touch?",
                        "measures": [],
                        "options": _options(["phone", "email", "letter"]),
                    },
                    {"id": "anything_else", "type": "text", "text": "Anything else?"},
                ],
            }
        ],
    }


def create_bank_version(
    db: Session,
    document: Mapping[str, Any] | None = None,
    *,
    slug: str = "general",
    version: int = 1,
    status: str = "published",
) -> BankVersion:
    document = dict(document if document is not None else small_bank(slug))
    row = create_bank_version_row(db, slug, document, version=version, status=status)
    db.commit()
    return row


def submit_response(
    db: Session,
    version: BankVersion,
    answers: Mapping[str, str | list[str] | None],
    *,
    crime_group: str = "general",
    touchpoint: str = "reporting",
    area: str | None = "B1",
    month: date = date(2026, 7, 1),
    language: str = "en",
    commit: bool = True,
) -> Response:
    """A submitted response as the survey stores it, fed to the rollups in one transaction."""
    assert version.id is not None
    response = Response(
        bank_version_id=version.id,
        bank_slug=str(version.document["slug"]),
        crime_group=crime_group,
        touchpoint=touchpoint,
        area=area,
        month=month.replace(day=1),
        language=language,
    )
    db.add(response)
    db.flush()
    rows: list[Answer] = []
    for question_id, value in answers.items():
        codes: list[str | None] = list(value) if isinstance(value, list) else [value]
        rows.extend(
            Answer(response_id=response.id, question_id=question_id, code=code) for code in codes
        )
    db.add_all(rows)
    db.flush()
    rollups.apply_response(db, response, rows, sign=+1)
    if commit:
        db.commit()
    return response


def withdraw_response(db: Session, response: Response, *, commit: bool = True) -> None:
    """Take a response out of the counts, then erase it (as the survey's withdraw does)."""
    answers = list(db.exec(select(Answer).where(Answer.response_id == response.id)).all())
    rollups.apply_response(db, response, answers, sign=-1)
    db.execute(delete(Answer).where(Answer.response_id == response.id))  # type: ignore[arg-type]
    db.execute(delete(Response).where(Response.id == response.id))  # type: ignore[arg-type]
    if commit:
        db.commit()


def rollup_snapshot(db: Session) -> dict[tuple[Any, ...], int]:
    """Every rollup row as key → count."""
    return {
        (
            row.question_id,
            row.code,
            row.bank_version_id,
            row.crime_group,
            row.touchpoint,
            row.area,
            row.month,
            row.language,
        ): row.count
        for row in db.exec(select(RollupCount)).all()
    }


def create_invitation(
    db: Session,
    *,
    crime_group: str = "general",
    touchpoint: str = "reporting",
    touchpoint_date: date = date(2026, 7, 10),
    area: str | None = "B1",
    status: str = "pending",
    batch: InvitationBatch | None = None,
    **values: Any,
) -> Invitation:
    return create_sms_invitation(
        db,
        batch=batch,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=touchpoint_date,
        area=area,
        status=status,
        **values,
    )
