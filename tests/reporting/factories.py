"""Plain factories for the reporting tests: a small bank with measures, and responses.

Record keys are fixed, never left to `secrets`: every response and invitation made here takes
its key from KEYS, a generator the `seeded_keys` fixture (tests/reporting/conftest.py) reseeds
before every test, so exact figures can be worked out from the records with `published`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Protocol

from sqlalchemy import delete
from sqlmodel import Session, select

from app.banks.metrics import SATISFACTION_SCALE
from app.banks.models import BankVersion
from app.invitations.models import Invitation, InvitationBatch
from app.reporting import rollups
from app.reporting.disclosure import Tally
from app.reporting.models import RollupCount
from app.survey.models import Answer, Response
from tests.factories import create_sms_invitation

SATISFACTION = [*SATISFACTION_SCALE, "dont_know"]
RIGHTS_OPTIONS = ["yes", "no", "dont_know", "not_applicable"]
KEYS = random.Random(0)  # reseeded per test by the `seeded_keys` fixture


class Keyed(Protocol):
    record_key: int


def next_key() -> int:
    return KEYS.randrange(256)


def tally_of(records: Iterable[Keyed]) -> Tally:
    """The tally of a set of records: how many, and the sum of their keys mod 256."""
    total = Tally()
    for record in records:
        total = total + Tally(1, record.record_key)
    return total


def published(records: Iterable[Keyed]) -> int:
    """The count the service publishes for exactly these records."""
    return tally_of(records).published()


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
    assisted: bool = False,
    commit: bool = True,
    record_key: int | None = None,
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
        assisted=assisted,
        record_key=next_key() if record_key is None else record_key,
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


def rollup_snapshot(db: Session) -> dict[tuple[Any, ...], tuple[int, int]]:
    """Every rollup row as key (ROLLUP_KEY's order, mode last) → (count, key sum)."""
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
            row.mode,
        ): (row.count, row.key_sum)
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
    record_key: int | None = None,
    **values: Any,
) -> Invitation:
    return create_sms_invitation(
        db,
        batch=batch,
        record_key=next_key() if record_key is None else record_key,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=touchpoint_date,
        area=area,
        status=status,
        **values,
    )


AGE_BANDS = [
    "18_to_24",
    "25_to_34",
    "35_to_44",
    "45_to_54",
    "55_to_64",
    "65_or_over",
    "under_18",
    "prefer_not_to_say",
]
SEXES = ["female", "male", "prefer_not_to_say"]


def _yes_no(question_id: str, measure: str, touchpoints: list[str]) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "yes_no",
        "text": f"{question_id.replace('_', ' ')}?",
        "touchpoints": touchpoints,
        "measures": [measure],
        "options": _options(RIGHTS_OPTIONS),
    }


def aspect_bank(slug: str = "general") -> dict[str, Any]:
    """A bank of issue 13's shape: questions tag aspects of right 6 (an information right) at
    outcome and of right 4 (not one) at reporting, with an equality section whose questions
    record age band and sex."""
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
                        "id": "sat_overall",
                        "type": "scale",
                        "text": "How satisfied were you overall?",
                        "measures": ["satisfaction.overall"],
                        "options": _options(SATISFACTION),
                    },
                    _yes_no("decision_told", "victims_code.right_6.decision_told", ["outcome"]),
                    _yes_no(
                        "reasons_understood",
                        "victims_code.right_6.reasons_understood",
                        ["outcome"],
                    ),
                    _yes_no("needs_asked", "victims_code.right_4.needs_assessment", ["reporting"]),
                    _yes_no("referral", "victims_code.right_4.referral", ["reporting"]),
                ],
            },
            {
                "id": "equality",
                "title": "About you",
                "equality": True,
                "questions": [
                    {
                        "id": "equality_gate",
                        "type": "yes_no",
                        "text": "Would you tell us a little about yourself?",
                        "repeat": True,
                        "options": _options(["yes", "no"]),
                    },
                    {
                        "id": "age_band",
                        "type": "single",
                        "text": "Your age",
                        "characteristic": "age_band",
                        "options": _options(AGE_BANDS),
                        "show_if": {"question": "equality_gate", "in": ["yes"]},
                    },
                    {
                        "id": "sex",
                        "type": "single",
                        "text": "Your sex",
                        "characteristic": "sex",
                        "options": _options(SEXES),
                        "show_if": {"question": "equality_gate", "in": ["yes"]},
                    },
                ],
            },
        ],
    }
