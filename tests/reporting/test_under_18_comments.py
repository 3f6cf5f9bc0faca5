"""Attack (issue 13): a response that said it is under 18 is kept but left out of everything
published. Its free text must not reach analysts (the comments read, the quotes of a report)
and must not count towards the people that release a comment cell."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import new_uuid
from app.enums import Role
from app.survey.models import Answer, Comment, Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version

URL = "/api/v1/comments"
MONTH = date(2026, 7, 1)
DOCUMENT = {
    "title": "general",
    "questions": [
        {"id": "better", "type": "text", "text": "What would have helped?"},
        {
            "id": "age",
            "type": "single",
            "text": "Your age",
            "characteristic": "age_band",
            "options": [
                {"code": "age_18_to_24", "label": "18 to 24"},
                {"code": "under_18", "label": "Under 18"},
            ],
        },
    ],
}


def _commenter(
    db: Session, version_id: int, text: str, age: str, *, assisted: bool = False
) -> None:
    response = Response(
        id=new_uuid(),
        bank_version_id=version_id,
        bank_slug="general",
        crime_group="general",
        touchpoint="reporting",
        area="B1",
        month=MONTH,
        assisted=assisted,
    )
    db.add(response)
    db.flush()
    db.add(Answer(response_id=response.id, question_id="age", code=age))
    db.add(
        Comment(
            response_id=response.id,
            question_id="better",
            text=text,
            crime_group="general",
            touchpoint="reporting",
            area="B1",
            month=MONTH,
        )
    )
    db.flush()


def test_an_under_18_comment_is_never_shown_to_analysts(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, DOCUMENT, commit=False)
    assert version.id is not None
    for index in range(10):
        _commenter(db, version.id, f"Adult {index}", "age_18_to_24")
    _commenter(db, version.id, "Child comment", "under_18")
    db.commit()

    body = client.get(URL, headers=api_headers(db, Role.analyst)).json()

    texts = [comment["text"] for comment in body["comments"]]
    assert len(texts) == 10 and "Child comment" not in texts


def test_an_under_18_commenter_does_not_release_a_cell(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, DOCUMENT, commit=False)
    assert version.id is not None
    for index in range(9):
        _commenter(db, version.id, f"Adult {index}", "age_18_to_24")
    _commenter(db, version.id, "Child comment", "under_18")
    db.commit()

    body = client.get(URL, headers=api_headers(db, Role.analyst)).json()

    assert body["comments"] == [] and body["total"] == 0


def test_an_under_18_commenter_does_not_let_a_cell_split_by_mode(
    client: TestClient, db: Session
) -> None:
    """Nine adults' assisted comments must not be shown apart because a child's made ten."""
    version = create_bank_version(db, DOCUMENT, commit=False)
    assert version.id is not None
    for index in range(10):
        _commenter(db, version.id, f"Alone {index}", "age_18_to_24")
    for index in range(9):
        _commenter(db, version.id, f"Assisted {index}", "age_18_to_24", assisted=True)
    _commenter(db, version.id, "Child comment", "under_18", assisted=True)
    db.commit()
    headers = api_headers(db, Role.analyst)

    assert client.get(URL, headers=headers).json()["total"] == 19
    for mode in ("assisted", "self"):
        body = client.get(f"{URL}?mode={mode}", headers=headers).json()
        assert body["comments"] == [] and body["total"] == 0
