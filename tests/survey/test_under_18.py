"""Someone who says they are under 18 is shown Childline (issue 13 point 6): on the next page and
on the confirmation page, without JavaScript, and only to the browser that gave the answer."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.banks.schema import UNDER_18_CODE, normalize, parse_document
from app.invitations.models import Invitation
from tests.factories import create_bank_version
from tests.survey.factories import answer, create_invitation, csrf_token, enter, question_url

YES_NO = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]
# The design names the bands 18_to_24 ...; codes must start with a letter (schema.Identifier).
AGES = ["age_18_to_24", "age_25_to_34", "age_35_or_over", UNDER_18_CODE]
CHILDLINE = "0800 1111"


def equality_bank() -> dict[str, Any]:
    def options(codes: list[str]) -> list[dict[str, str]]:
        return [{"code": code, "label": code.replace("_", " ")} for code in codes]

    gate = {"question": "equality_gate", "in": ["yes"]}
    return normalize(
        parse_document(
            {
                "slug": "general",
                "title": "Your views",
                "sections": [
                    {
                        "id": "core",
                        "title": "Core",
                        "questions": [
                            {
                                "id": "overall",
                                "type": "yes_no",
                                "text": "All right?",
                                "options": YES_NO,
                            }
                        ],
                    },
                    {
                        "id": "about_you",
                        "title": "About you",
                        "equality": True,
                        "questions": [
                            {
                                "id": "equality_gate",
                                "type": "yes_no",
                                "text": "Would you answer some questions about yourself?",
                                "options": YES_NO,
                                "repeat": True,
                            },
                            {
                                "id": "age_band",
                                "type": "single",
                                "text": "How old are you?",
                                "characteristic": "age_band",
                                "show_if": gate,
                                "options": options([*AGES, "prefer_not_to_say"]),
                            },
                            {
                                "id": "sex",
                                "type": "single",
                                "text": "What is your sex?",
                                "characteristic": "sex",
                                "show_if": gate,
                                "options": options(["female", "male", "prefer_not_to_say"]),
                            },
                        ],
                    },
                ],
            }
        )
    )


def answer_up_to_age(client: TestClient, db: Session, age: str) -> str:
    """Answer the survey up to the age band; returns the next page's HTML."""
    create_bank_version(db, equality_bank())
    enter(client, create_invitation(db))
    for question_id, value in (("overall", "yes"), ("equality_gate", "yes")):
        assert answer(client, question_id, value).status_code == 303
        assert CHILDLINE not in client.get(question_url(client, "age_band")).text
    saved = answer(client, "age_band", age)
    assert saved.status_code == 303
    return client.get(saved.headers["location"]).text


def send(client: TestClient) -> Any:
    token = csrf_token(client, "/survey/check")
    sent = client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert sent.status_code == 303
    return client.get(sent.headers["location"])


def test_childline_is_shown_after_answering_under_18(client: TestClient, db: Session) -> None:
    next_page = answer_up_to_age(client, db, UNDER_18_CODE)
    assert "What is your sex?" in next_page
    assert CHILDLINE in next_page and "childline.org.uk" in next_page
    assert 'class="govuk-inset-text" id="childline"' in next_page
    assert CHILDLINE in client.get("/survey/check").text
    confirmation = send(client)
    assert confirmation.status_code == 200
    assert "Your answers have been sent" in confirmation.text and CHILDLINE in confirmation.text
    # Shown once: a reload (or anyone later with the cookie) sees no trace of the answer.
    assert CHILDLINE not in client.get("/survey/complete").text


def test_no_childline_for_another_age(client: TestClient, db: Session) -> None:
    next_page = answer_up_to_age(client, db, "age_18_to_24")
    assert "What is your sex?" in next_page and CHILDLINE not in next_page
    assert CHILDLINE not in send(client).text


def test_a_session_that_did_not_give_the_answer_is_not_shown_childline(
    client: TestClient, db: Session
) -> None:
    answer_up_to_age(client, db, UNDER_18_CODE)
    invitation = db.exec(select(Invitation)).one()
    db.commit()
    other = TestClient(client.app)
    enter(other, invitation)
    assert CHILDLINE not in other.get("/survey/check").text
