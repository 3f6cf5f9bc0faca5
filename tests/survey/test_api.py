"""The JSON API of the survey, authorised by the link's token alone."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.invitations.links import new_token
from app.survey.models import Answer, Comment, InProgressAnswer, Response
from tests.factories import create_bank_version
from tests.survey.factories import (
    bank_document,
    create_invitation,
    record_rollup_signs,
    reload,
    rows,
    token_for,
)


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def url(token: str, suffix: str = "") -> str:
    return f"/api/v1/survey/{token}{suffix}"


def put(client: TestClient, token: str, answers: dict[str, Any]) -> Any:
    return client.put(url(token, "/answers"), json={"answers": answers})


def test_get_gives_the_contract_shape(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    response = client.get(url(token))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"language", "bank", "touchpoint", "questions", "answers", "status"}
    assert body["language"] == "en"
    assert body["bank"] == {"slug": "general", "version": 1}
    assert body["touchpoint"] == "outcome"
    assert body["answers"] == {} and body["status"] == "not_started"
    ids = [q["id"] for q in body["questions"]]
    assert ids == [
        "sat_overall",
        "someone_charged",
        "trial_info",
        "what_would_help",
        "comments",
        "made_worse",
        "stepping_back",
    ]
    trial = body["questions"][2]
    assert set(trial) == {
        "id",
        "type",
        "text",
        "hint",
        "options",
        "skippable",
        "section",
        "show_if",
    }
    assert trial["show_if"] == {"question": "someone_charged", "in": ["yes"]}
    assert trial["skippable"] is True and trial["section"] == "experience"
    assert trial["options"][0] == {"code": "yes", "label": "Yes"}
    assert body["questions"][4]["type"] == "text" and body["questions"][4]["options"] == []
    assert "set-cookie" not in response.headers
    # A GET is not "opened" (anything can make one); the first saved answer is.
    assert reload(db, invitation).opened_at is None


def test_put_merges_answers_and_keeps_the_others(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    first = put(client, token, {"sat_overall": "very_satisfied", "comments": "  Good  "})
    assert first.status_code == 200
    assert first.json()["status"] == "in_progress"
    second = put(client, token, {"what_would_help": ["more_support", "more_updates"]})
    # Saved questions are marked; their values are never read back through the token.
    assert second.json()["answers"] == {
        "sat_overall": True,
        "comments": True,
        "what_would_help": True,
    }
    put(client, token, {"sat_overall": None})  # null = skipped
    assert client.get(url(token)).json()["answers"]["sat_overall"] is True
    fresh = reload(db, invitation)
    assert fresh.status == "started"
    stored = {row.question_id: row.value for row in rows(db, select(InProgressAnswer))}
    assert stored == {
        "sat_overall": None,
        "comments": "Good",
        "what_would_help": ["more_updates", "more_support"],
    }


@pytest.mark.parametrize(
    "answers",
    [
        {"sat_overall": "not_an_option"},
        {"sat_overall": ["very_satisfied"]},
        {"sat_overall": 3},
        {"what_would_help": "more_updates"},
        {"what_would_help": ["more_updates", "made_up"]},
        {"comments": 42},
        {"comments": "x" * 2001},
    ],
)
def test_put_refuses_what_a_question_cannot_take(
    client: TestClient, db: Session, answers: dict[str, Any]
) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    put(client, token, {"someone_charged": "no"})
    response = put(client, token, {"made_worse": "no", **answers})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    (question_id,) = answers
    assert body["errors"] == [
        {"loc": ["body", "answers", question_id], "msg": body["errors"][0]["msg"]}
    ]
    assert body["errors"][0]["msg"]
    assert "x" * 50 not in response.text and "made_up" not in response.text  # nothing echoed
    # Nothing of a refused request is saved, not even its valid answers.
    assert client.get(url(token)).json()["answers"] == {"someone_charged": True}
    saved = rows(db, select(InProgressAnswer))
    assert [(row.question_id, row.value) for row in saved] == [("someone_charged", "no")]


UNKNOWN_KEY = "what he did to me on 3 May, call 07911 123456"
UNKNOWN_VALUE = "he said he would find me"


@pytest.mark.parametrize(
    "answers",
    [
        {"no_such_question": "yes"},
        {"reported_online": "yes"},  # a question of another touchpoint
        {UNKNOWN_KEY: UNKNOWN_VALUE},
        {"sat_overall": "very_satisfied", UNKNOWN_KEY: [UNKNOWN_VALUE]},
        {"lone \ud800 surrogate": UNKNOWN_VALUE},  # not even encodable as UTF-8
    ],
)
def test_an_unknown_question_is_refused_without_echoing_what_was_sent(
    client: TestClient, db: Session, answers: dict[str, Any]
) -> None:
    token = token_for(create_invitation(db))
    # As ASCII JSON, so a lone surrogate travels as the escape a client would send.
    response = client.put(
        url(token, "/answers"),
        content=json.dumps({"answers": answers}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    # Where (the answer's position in what was sent) and what, never the key or its value:
    # the caller's words can hold anything, and an error body lands in logs and screens.
    position = list(answers).index(next(key for key in answers if key != "sat_overall"))
    assert response.json()["errors"] == [
        {"loc": ["body", "answers", position], "msg": "unknown question"}
    ]
    for sent in (*answers, UNKNOWN_VALUE, "07911", "surrogate", "reported_online"):
        if sent != "sat_overall":
            assert sent not in response.text
    assert rows(db, select(InProgressAnswer)) == []


def test_a_malformed_body_is_422(client: TestClient, db: Session) -> None:
    token = token_for(create_invitation(db))
    response = client.put(url(token, "/answers"), json={"answers": ["sat_overall"]})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_submit_completes_once_and_repeats_the_same_answer(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, touchpoint_date=date(2026, 3, 31))
    token = token_for(invitation)
    put(
        client,
        token,
        {
            "sat_overall": "fairly_satisfied",
            "someone_charged": "no",
            "trial_info": "yes",  # saved, but hidden by show_if: not recorded
            "comments": "Kind officers",
        },
    )
    first = client.post(url(token, "/submit"))
    again = client.post(url(token, "/submit"))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"status": "completed"}
    (response,) = rows(db, select(Response))
    assert str(response.month) == "2026-03-01"
    codes = {a.question_id: a.code for a in rows(db, select(Answer))}
    assert codes == {
        "sat_overall": "fairly_satisfied",
        "someone_charged": "no",
        "what_would_help": None,
        "made_worse": None,
        "stepping_back": None,
    }
    assert [c.text for c in rows(db, select(Comment))] == ["Kind officers"]
    # Once submitted, the link answers its status and nothing else.
    assert client.get(url(token)).json() == {"status": "completed"}
    conflict = put(client, token, {"sat_overall": "dont_know"})
    assert conflict.status_code == 409
    assert conflict.headers["content-type"] == "application/problem+json"


def test_responses_hold_only_coarse_context(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, area="E05")
    token = token_for(invitation)
    put(client, token, {"sat_overall": "very_satisfied"})
    client.post(url(token, "/submit"))
    (response,) = rows(db, select(Response))
    assert set(Response.model_fields) == {
        "id",
        "bank_version_id",
        "bank_slug",
        "crime_group",
        "touchpoint",
        "area",
        "month",
        "language",
        "assisted",
        "record_key",  # disclosure control's random 0-255, drawn apart from the invitation's
    }
    assert 0 <= response.record_key <= 255
    assert response.id != invitation.id and len(response.id) == 36
    assert response.month.day == 1
    for model in (Answer, Comment):
        assert not {"created_at", "submitted_at", "invitation_id"} & set(model.model_fields)
    # No audit event names the invitation on submit (or anywhere in the survey).
    events = rows(db, select(AuditEvent))
    for event in events:
        assert invitation.id not in (event.object_id, str(event.detail))
        assert response.id not in (event.object_id, str(event.detail))


def test_delete_withdraws_then_the_link_is_gone(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    signs = record_rollup_signs(monkeypatch)
    invitation = create_invitation(db)
    token = token_for(invitation)
    put(client, token, {"sat_overall": "very_satisfied", "comments": "text"})
    client.post(url(token, "/submit"))
    response = client.delete(url(token))
    assert response.status_code == 204 and response.content == b""
    assert signs == [1, -1]
    for table in (Response, Answer, Comment, InProgressAnswer):
        assert rows(db, select(table)) == []
    assert reload(db, invitation).status == "withdrawn"
    for method, suffix in (("GET", ""), ("PUT", "/answers"), ("POST", "/submit"), ("DELETE", "")):
        later = client.request(method, url(token, suffix), json={"answers": {}})
        assert later.status_code == 410, (method, suffix)
    assert rows(db, select(AuditEvent)) == []


def test_unknown_and_ended_links_have_one_body(client: TestClient, db: Session) -> None:
    unknown = client.get(url(new_token()))
    forged = client.get(url("forged.token.here"))
    expired = client.get(url(token_for(create_invitation(db, expires_in=timedelta(seconds=-5)))))
    cancelled = client.get(url(token_for(create_invitation(db, status="cancelled"))))
    assert unknown.status_code == forged.status_code == 404
    assert expired.status_code == cancelled.status_code == 410
    assert expired.json() == cancelled.json()
    assert unknown.json()["detail"] == expired.json()["detail"]
    for response in (unknown, forged, expired, cancelled):
        assert response.headers["content-type"] == "application/problem+json"


def test_simultaneous_submits_make_one_response(db: Session) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from app.main import create_app

    invitation = create_invitation(db)
    token = token_for(invitation)
    app = create_app()
    with TestClient(app) as setup:
        put(setup, token, {"sat_overall": "very_satisfied"})

    def submit_once(_: int) -> int:
        with TestClient(app) as device:
            return device.post(url(token, "/submit")).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = list(pool.map(submit_once, range(4)))
    assert statuses == [200, 200, 200, 200]
    assert len(rows(db, select(Response))) == 1
    assert len(rows(db, select(Answer).where(Answer.question_id == "sat_overall"))) == 1
