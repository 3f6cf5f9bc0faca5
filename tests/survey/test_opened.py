""" "Opened" in the funnel counts the first human step, not a GET of the link.

Mail scanners and link previews fetch every link in a message (and follow its redirects and
plain links); none of them presses a button. So the link's GETs change nothing in the funnel,
and an invitation is opened when someone presses "Start now" (or chooses a language) on the
start page, or saves a first answer.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.invitations.models import Invitation
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    csrf_token,
    enter,
    reload,
    token_for,
)


def _untouched(invitation: Invitation) -> bool:
    return invitation.status == "sent" and invitation.opened_at is None


def test_fetching_the_link_and_its_pages_does_not_count_as_opened(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    # Everything a scanner can reach by following the link and the pages' plain links.
    assert enter(client, invitation) == "/survey/start"
    for path in ("/survey/start", "/survey/leaving-quickly", "/survey/safety", "/survey/begin"):
        client.get(path)
    client.get(f"/api/v1/survey/{token_for(invitation)}")
    client.head(f"/s/{token_for(invitation)}")
    assert _untouched(reload(db, invitation))


def test_pressing_start_now_counts_as_opened(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    start = client.get("/survey/start").text
    # "Start now" is a button in a form, so only a person's press sends it.
    assert '<form method="post" action="/survey/start"' in start
    token = csrf_token(client)
    pressed = client.post("/survey/start", data={"csrf_token": token}, follow_redirects=False)
    assert pressed.status_code == 303
    assert pressed.headers["location"] == "/survey/leaving-quickly"
    fresh = reload(db, invitation)
    assert fresh.status == "opened" and fresh.opened_at is not None
    # Pressing it again changes nothing.
    client.post("/survey/start", data={"csrf_token": token})
    assert reload(db, invitation).opened_at == fresh.opened_at


def test_start_now_without_its_csrf_token_counts_nothing(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    assert client.post("/survey/start", data={}).status_code == 403
    assert _untouched(reload(db, invitation))


def test_choosing_a_language_counts_as_opened(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    client.post("/survey/language", data={"csrf_token": csrf_token(client), "language": "en"})
    assert reload(db, invitation).status == "opened"


def test_a_first_answer_counts_as_opened_and_started(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_satisfied")
    fresh = reload(db, invitation)
    assert fresh.status == "started" and fresh.opened_at is not None
    api_invitation = create_invitation(db)
    client.put(
        f"/api/v1/survey/{token_for(api_invitation)}/answers",
        json={"answers": {"sat_overall": None}},
    )
    fresh = reload(db, api_invitation)
    assert fresh.status == "started" and fresh.opened_at is not None


def test_resuming_goes_on_from_the_start_page(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_satisfied")
    enter(client, invitation)  # back later: lands on the next question
    page = client.get("/survey/start").text
    assert "Continue where you stopped" in page
    resumed = client.post(
        "/survey/start", data={"csrf_token": csrf_token(client)}, follow_redirects=False
    )
    assert resumed.headers["location"] == "/survey/begin"
