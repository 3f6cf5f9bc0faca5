"""Factories for the feedback, dashboard and report tests: plain `create_*` functions.

Rows are written straight to the tables (as a submit would), so the tests need no bank files.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlmodel import Session, select

from app.banks.models import BankVersion
from app.crypto import encrypt
from app.db import new_uuid
from app.survey.models import Comment, ContactRequest, Response
from tests.factories import create_bank_version, create_question_bank


def now() -> datetime:
    """Aware UTC, as the datetime columns (SQLModel's UTCDateTime) require."""
    return datetime.now(UTC)


def _bank_version(db: Session, slug: str) -> BankVersion:
    """A published bank version to hang responses on (one per slug)."""
    bank = create_question_bank(db, slug, title=f"{slug} bank")
    found = db.exec(select(BankVersion).where(BankVersion.bank_id == bank.id)).first()
    return found or create_bank_version(
        db, {"title": slug, "questions": []}, slug=slug, commit=False
    )


def create_response(
    db: Session,
    *,
    crime_group: str = "general",
    touchpoint: str = "reporting",
    month: date = date(2026, 7, 1),
    area: str | None = "B1",
    assisted: bool = False,
) -> Response:
    version = _bank_version(db, crime_group)
    assert version.id is not None
    response = Response(
        id=new_uuid(),
        bank_version_id=version.id,
        bank_slug=crime_group,
        crime_group=crime_group,
        touchpoint=touchpoint,
        area=area,
        month=month,
        assisted=assisted,
    )
    db.add(response)
    db.flush()
    return response


def create_comment(
    db: Session,
    text: str,
    *,
    crime_group: str = "general",
    touchpoint: str = "reporting",
    month: date = date(2026, 7, 1),
    quotable: bool = False,
    theme: str | None = None,
    response: Response | None = None,
    question_id: str = "anything_else",
) -> Comment:
    """A comment on its own new response (or on `response`)."""
    owner = response or create_response(
        db, crime_group=crime_group, touchpoint=touchpoint, month=month
    )
    comment = Comment(
        id=new_uuid(),
        response_id=owner.id,
        question_id=question_id,
        text=text,
        crime_group=owner.crime_group,
        touchpoint=owner.touchpoint,
        area=owner.area,
        month=owner.month,
        quotable=quotable,
        theme=theme,
    )
    db.add(comment)
    db.flush()
    return comment


def create_comments(
    db: Session, count: int, prefix: str = "Comment", **values: object
) -> list[Comment]:
    """`count` comments, each from its own response, texts "<prefix> 1" ..."""
    return [
        create_comment(db, f"{prefix} {index}", **values)  # type: ignore[arg-type]
        for index in range(1, count + 1)
    ]


def create_contact_request(
    db: Session, details: dict[str, str] | str, *, crime_group: str = "vawg"
) -> ContactRequest:
    plaintext = details if isinstance(details, str) else json.dumps(details)
    row = ContactRequest(
        details_encrypted=encrypt(plaintext), crime_group=crime_group, created_at=now()
    )
    db.add(row)
    db.flush()
    return row


def test_factories_make_rows_a_submit_would(db: Session) -> None:
    comment = create_comment(db, "Thank you", crime_group="rasso", touchpoint="court")
    db.commit()
    response = db.get(Response, comment.response_id)
    assert response is not None
    assert (response.crime_group, response.touchpoint) == ("rasso", "court")
    assert comment.id != response.id
