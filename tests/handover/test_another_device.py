"""A handed-over survey: the victim may write down a personal address to carry on elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.invitations.links import token_hash
from app.invitations.models import Invitation
from tests.factories import create_bank_version
from tests.handover.factories import code_of, hand_over, held_invitation, worker
from tests.survey.factories import bank_document, create_invitation, csrf_token, enter

ADDRESS_URL = "/survey/another-device"
ADDRESS = re.compile(r'id="personal-address"[^>]*>http://testserver/s/([0-9A-Za-z]{17})<')


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _victim_with_code(client: TestClient, db: Session) -> tuple[TestClient, Invitation]:
    invitation = held_invitation(db)
    with TestClient(client.app, base_url=str(client.base_url)) as staff_browser:
        code = code_of(hand_over(worker(staff_browser, db)))
    victim = TestClient(client.app, base_url=str(client.base_url))
    assert victim.post("/code", data={"code": code}, follow_redirects=False).status_code == 303
    return victim, invitation


def test_the_survey_pages_offer_another_device(client: TestClient, db: Session) -> None:
    victim, _invitation = _victim_with_code(client, db)
    start = victim.get("/survey/start")
    assert ADDRESS_URL in start.text


def test_a_texted_link_does_not_offer_it(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    assert ADDRESS_URL not in client.get("/survey/start").text
    assert client.get(ADDRESS_URL).status_code == 404


def test_the_address_is_shown_once_and_opens_the_survey(client: TestClient, db: Session) -> None:
    victim, invitation = _victim_with_code(client, db)
    page = victim.get(ADDRESS_URL)
    assert page.status_code == 200 and not ADDRESS.search(page.text)
    shown = victim.post(ADDRESS_URL, data={"csrf_token": csrf_token(victim, ADDRESS_URL)})
    assert shown.status_code == 200, shown.text
    match = ADDRESS.search(shown.text)
    assert match
    token = match.group(1)
    db.expire_all()
    row = db.get(Invitation, invitation.id)
    assert row is not None and row.link_hash == token_hash(token)
    assert row.link_encrypted is None  # kept nowhere
    db.commit()
    # Another device opens it.
    elsewhere = TestClient(client.app, base_url=str(client.base_url))
    assert elsewhere.get(f"/s/{token}", follow_redirects=False).status_code == 303
    # A new address replaces it.
    again = victim.post(ADDRESS_URL, data={"csrf_token": csrf_token(victim, ADDRESS_URL)})
    second = ADDRESS.search(again.text)
    assert second and second.group(1) != token
    gone = TestClient(client.app, base_url=str(client.base_url))
    assert gone.get(f"/s/{token}", follow_redirects=False).status_code == 404


def test_the_address_needs_the_form_token(client: TestClient, db: Session) -> None:
    victim, _invitation = _victim_with_code(client, db)
    assert victim.post(ADDRESS_URL, data={}).status_code == 403


# --- sending the address to a safe number or email of their own ------------------------------

SEND_URL = "/survey/another-device/send"


@pytest.fixture
def sender(monkeypatch: pytest.MonkeyPatch) -> Any:
    from tests.invitations.factories import RecordingSender

    recording = RecordingSender()
    monkeypatch.setattr("app.survey.send_address.get_sender", lambda: recording)
    return recording


def _send(victim: TestClient, destination: str) -> Any:
    token = csrf_token(victim, ADDRESS_URL)
    return victim.post(SEND_URL, data={"csrf_token": token, "destination": destination})


@pytest.mark.parametrize(
    ("destination", "channel", "to"),
    [("07911 123999", "sms", "+447911123999"), ("Safe@Example.org", "email", "safe@example.org")],
)
def test_the_address_is_sent_once_in_neutral_words_and_not_kept(
    client: TestClient, db: Session, sender: Any, destination: str, channel: str, to: str
) -> None:
    from sqlalchemy import inspect, text

    victim, invitation = _victim_with_code(client, db)
    sent = _send(victim, destination)
    assert sent.status_code == 200, sent.text
    assert "We have sent" in sent.text and destination not in sent.text
    [message] = sender.sent
    assert (message.channel, message.to) == (channel, to)
    body = f"{message.subject or ''} {message.body}".lower()
    for word in ("police", "crime", "victim", "rape", "abuse", "commissioner"):
        assert word not in body
    token = re.search(r"/s/([0-9A-Za-z]{17})", message.body)
    assert token
    db.expire_all()
    row = db.get(Invitation, invitation.id)
    assert row is not None and row.link_hash == token_hash(token.group(1))
    assert row.link_encrypted is None and row.contact_id is None
    db.commit()
    # The destination is kept nowhere: not in any table.
    for table in inspect(db.get_bind()).get_table_names():
        for values in db.execute(text(f'SELECT * FROM "{table}"')):
            assert to not in str(values) and "123999" not in str(values), table
    db.commit()


@pytest.mark.parametrize("destination", ["", "12345", "not an address", "x" * 400])
def test_a_wrong_destination_is_an_error_and_nothing_is_sent(
    client: TestClient, db: Session, sender: Any, destination: str
) -> None:
    victim, _invitation = _victim_with_code(client, db)
    page = _send(victim, destination)
    assert page.status_code == 400
    assert "govuk-error-summary" in page.text
    assert sender.sent == []


def test_sending_is_limited(client: TestClient, db: Session, sender: Any) -> None:
    victim, _invitation = _victim_with_code(client, db)
    for _ in range(3):
        assert _send(victim, "07911 123999").status_code == 200
    assert _send(victim, "07911 123999").status_code == 429
    assert len(sender.sent) == 3


def test_a_texted_link_cannot_send(client: TestClient, db: Session, sender: Any) -> None:
    enter(client, create_invitation(db))
    token = csrf_token(client, "/survey/start")
    page = client.post(SEND_URL, data={"csrf_token": token, "destination": "07911 123999"})
    assert page.status_code == 404 and sender.sent == []
