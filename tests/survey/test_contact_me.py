"""Asking to be contacted: at most one request per survey link, however it is attempted; a
second updates the first, and the link shows no trace of either."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.crypto import decrypt
from app.main import create_app
from app.survey.models import ContactRequest, ContactRequestFiled
from tests.factories import create_bank_version
from tests.survey.factories import bank_document, create_invitation, csrf_token, enter, rows


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _completed(client: TestClient, db: Session) -> str:
    """A survey sent by `client`; returns the CSRF token of its confirmation page."""
    invitation = create_invitation(db)
    enter(client, invitation)
    client.post("/survey/submit", data={"csrf_token": csrf_token(client, "/survey/check")})
    return invitation.id


def _contact_form_action(html: str) -> str:
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>(?:(?!</form>).)*name="consent"', html, re.S
    )
    assert form, html
    return form.group(1)


def _ask(client: TestClient, phone: str) -> Any:
    page = client.get("/survey/complete").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token
    return client.post(
        _contact_form_action(page),
        data={"csrf_token": token.group(1), "consent": "yes", "phone": phone},
    )


def _title(html: str) -> str:
    found = re.search(r"<title>(.*?)</title>", html, re.S)
    assert found
    return " ".join(found.group(1).split())


def test_asking_leaves_nothing_in_the_browser_history_that_says_so(
    client: TestClient, db: Session
) -> None:
    """Post, redirect, get: the history holds the confirmation page's own address and title."""
    _completed(client, db)
    before = client.get("/survey/complete")
    action = _contact_form_action(before.text)
    assert "contact" not in action.lower()
    token = csrf_token(client, "/survey/complete")
    sent = client.post(
        action,
        data={"csrf_token": token, "consent": "yes", "phone": "07911 123456"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert sent.headers["location"] == "/survey/complete"
    shown = client.get(sent.headers["location"])
    assert shown.status_code == 200
    assert "Someone from the victims team will contact you" in shown.text
    assert _title(shown.text) == _title(before.text)
    assert "contact" not in _title(shown.text).lower()
    # Shown once: Back, Forward or a reload shows the plain confirmation page.
    again = client.get("/survey/complete").text
    assert "Someone from the victims team will contact you" not in again
    assert _main(again) == _main(before.text)
    assert len(rows(db, select(ContactRequest))) == 1


def test_the_thank_you_is_only_for_the_browser_that_asked(client: TestClient, db: Session) -> None:
    invitation_id = _completed(client, db)
    _ask(client, "07911 123456")
    from app.invitations.models import Invitation

    invitation = db.get(Invitation, invitation_id)
    assert invitation is not None
    db.commit()
    with TestClient(create_app(), raise_server_exceptions=False) as other:
        enter(other, invitation)
        other.cookies.set("vv_survey_notice", "forged")
        page = other.get("/survey/complete").text
    assert "Someone from the victims team will contact you" not in page


def _main(html: str) -> str:
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def test_a_second_request_from_the_same_link_updates_the_first(
    client: TestClient, db: Session
) -> None:
    _completed(client, db)
    first = _ask(client, "07911 123456")
    assert first.status_code == 200 and "The victims team will contact you" in first.text
    (request,) = rows(db, select(ContactRequest))
    assert request.updated_at is None
    again = _ask(client, "07912 654321")
    assert again.status_code == 200
    assert "these details replace the ones you gave before" in again.text
    assert "press 55" in again.text and "Exit this page" in again.text
    assert "07912" not in again.text and "07911" not in again.text
    # The very page a first request gets, so whoever holds the link (or the victim's phone)
    # cannot tell from it that the victim had asked before.
    assert _main(again.text) == _main(first.text)
    (updated,) = rows(db, select(ContactRequest))  # not a second row
    assert updated.id == request.id
    assert '"+447912654321"' in decrypt(updated.details_encrypted)
    assert "+447911123456" not in decrypt(updated.details_encrypted)
    assert updated.updated_at is not None and updated.created_at == request.created_at
    # The first details are kept, encrypted, for the victims team only: whoever sent the
    # second request (an abuser holding her phone, say) cannot erase the number she gave.
    assert updated.earlier_details_encrypted is not None
    assert "+447911123456" not in updated.earlier_details_encrypted
    (kept,) = json.loads(decrypt(updated.earlier_details_encrypted))
    assert kept["details"]["phone"] == "+447911123456"
    assert kept["given_at"].startswith(request.created_at.strftime("%Y-%m-%dT%H:%M:%S"))


def test_a_link_sending_many_requests_cannot_push_out_the_first_details(
    client: TestClient, db: Session
) -> None:
    _completed(client, db)
    for phone in ("07911 000001", "07911 000002", "07911 000003", "07911 000004", "07911 000005"):
        _ask(client, phone)
    (request,) = rows(db, select(ContactRequest))
    assert '"+447911000005"' in decrypt(request.details_encrypted)
    assert request.earlier_details_encrypted is not None
    earlier = json.loads(decrypt(request.earlier_details_encrypted))
    # The first details always, then the most recent earlier ones, oldest first.
    assert [item["details"]["phone"] for item in earlier] == [
        "+447911000001",
        "+447911000003",
        "+447911000004",
    ]


def test_the_note_names_its_request_only_encrypted(client: TestClient, db: Session) -> None:
    invitation_id = _completed(client, db)
    _ask(client, "07911 123456")
    (note,) = rows(db, select(ContactRequestFiled))
    (request,) = rows(db, select(ContactRequest))
    assert note.invitation_id == invitation_id
    assert note.request_ref_encrypted and request.id not in note.request_ref_encrypted
    assert decrypt(note.request_ref_encrypted) == request.id
    # The request names neither the invitation nor its note.
    assert invitation_id not in repr(request.model_dump())


def test_a_closed_request_asked_again_is_opened_again(client: TestClient, db: Session) -> None:
    from app.reporting.contact_requests import close_contact_request

    _completed(client, db)
    _ask(client, "07911 123456")
    (request,) = rows(db, select(ContactRequest))
    close_contact_request(db, request.id, actor="staff:test")
    db.commit()
    _ask(client, "07912 654321")
    (reopened,) = rows(db, select(ContactRequest))
    assert reopened.status == "open" and reopened.erase_after is None
    assert reopened.closed_at is None and reopened.updated_at is not None


def test_a_request_erased_by_the_team_is_filed_anew(client: TestClient, db: Session) -> None:
    _completed(client, db)
    _ask(client, "07911 123456")
    (request,) = rows(db, select(ContactRequest))
    db.delete(db.get(ContactRequest, request.id))
    db.commit()
    _ask(client, "07912 654321")
    (fresh,) = rows(db, select(ContactRequest))
    assert fresh.id != request.id and fresh.updated_at is None
    assert '"+447912654321"' in decrypt(fresh.details_encrypted)


def test_the_victims_team_sees_that_a_request_was_updated(client: TestClient, db: Session) -> None:
    from app.enums import Role
    from tests.auth_helpers import api_headers, signed_in_client

    _completed(client, db)
    _ask(client, "07911 123456")
    headers = api_headers(db, Role.victims_team)
    db.commit()
    with TestClient(create_app()) as team:
        (item,) = team.get("/api/v1/contact-requests", headers=headers).json()
        assert item["updated_at"] is None and item["earlier"] == []
    _ask(client, "07912 654321")
    (request,) = rows(db, select(ContactRequest))
    assert request.updated_at is not None
    with TestClient(create_app()) as team:
        (item,) = team.get("/api/v1/contact-requests", headers=headers).json()
        assert item["updated_at"] is not None
        assert item["updated_at"].startswith(request.updated_at.strftime("%Y-%m-%dT%H:%M:%S"))
        assert item["details"]["phone"] == "+447912654321"
        # The details given before, beside the latest, so the team can check with the victim.
        (before,) = item["earlier"]
        assert before["details"]["phone"] == "+447911123456"
        assert before["given_at"].startswith(request.created_at.strftime("%Y-%m-%dT%H:%M:%S"))
        staff = signed_in_client(team, db, [Role.victims_team])
        page = staff.get("/staff/contact-requests").text
    assert "Updated" in page and "a second request from the same survey link" in page
    assert request.updated_at.strftime("%-d %B %Y, %H:%M") in page
    latest, earlier = page.index("+447912654321"), page.index("+447911123456")
    label = page.index(
        "Earlier details (given " + request.created_at.strftime("%-d %B %Y, %H:%M") + " UTC)"
    )
    assert latest < label < earlier


def test_the_confirmation_page_does_not_tell_whether_a_request_was_made(
    client: TestClient, db: Session
) -> None:
    _completed(client, db)
    before = client.get("/survey/complete").text
    _ask(client, "07911 123456")
    after = client.get("/survey/complete").text

    def form(html: str) -> str:
        return html.split('id="contact-heading"', 1)[1].split("</form>", 1)[0].split("csrf")[0]

    assert form(before) == form(after)


def test_a_second_device_updates_the_same_request(client: TestClient, db: Session) -> None:
    from app.invitations.models import Invitation

    invitation_id = _completed(client, db)
    _ask(client, "07911 123456")
    invitation = db.get(Invitation, invitation_id)
    assert invitation is not None
    db.commit()
    with TestClient(create_app(), raise_server_exceptions=False) as other:
        enter(other, invitation)
        again = _ask(other, "07912 654321")
    assert again.status_code == 200 and "these details replace" in again.text
    (request,) = rows(db, select(ContactRequest))
    assert '"+447912654321"' in decrypt(request.details_encrypted)


def test_simultaneous_requests_file_one(db: Session) -> None:
    app = create_app()
    with TestClient(app) as first:
        _completed(first, db)
        cookie = first.cookies.get("vv_survey")
        token = csrf_token(first, "/survey/complete")

    def ask(_: int) -> int:
        with TestClient(app, raise_server_exceptions=False) as device:
            device.cookies.set("vv_survey", cookie or "")
            return device.post(
                "/survey/complete",
                data={"csrf_token": token, "consent": "yes", "phone": "07911123456"},
                follow_redirects=False,
            ).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(ask, range(4)))
    assert statuses == [303, 303, 303, 303]
    assert len(rows(db, select(ContactRequest))) == 1


def test_a_refused_form_can_be_corrected_and_still_files_one(
    client: TestClient, db: Session
) -> None:
    _completed(client, db)
    token = csrf_token(client, "/survey/complete")
    refused = client.post("/survey/complete", data={"csrf_token": token, "phone": "0791"})
    assert refused.status_code == 422
    assert _ask(client, "07911 123456").status_code == 200
    assert len(rows(db, select(ContactRequest))) == 1


def test_the_note_that_a_link_asked_goes_when_the_link_ends(
    client: TestClient, db: Session
) -> None:
    from datetime import timedelta

    from app.db import utcnow
    from app.jobs.retention import purge

    _completed(client, db)
    _ask(client, "07911 123456")
    assert len(rows(db, select(ContactRequestFiled))) == 1
    purge(db, at=utcnow() + timedelta(days=30))
    db.commit()
    assert rows(db, select(ContactRequestFiled)) == []
    assert len(rows(db, select(ContactRequest))) == 1  # the request itself stays until closed


def test_withdrawing_drops_the_note_and_keeps_the_request(client: TestClient, db: Session) -> None:
    _completed(client, db)
    _ask(client, "07911 123456")
    token = csrf_token(client, "/survey/withdraw")
    assert client.post("/survey/withdraw", data={"csrf_token": token}).status_code == 200
    assert rows(db, select(ContactRequestFiled)) == []
    assert len(rows(db, select(ContactRequest))) == 1


def test_a_contact_form_sent_with_a_mistake_leaves_the_same_title_in_the_history(
    client: TestClient, db: Session
) -> None:
    """The form is on the confirmation page and posts to its address: a title starting
    "Error:" there says the victim began asking to be contacted (the only form on that page),
    to whoever reads the history after the victim gave up or left by Exit this page."""
    _completed(client, db)
    before = client.get("/survey/complete")
    token = csrf_token(client, "/survey/complete")
    mistaken = client.post(
        _contact_form_action(before.text), data={"csrf_token": token, "phone": "07911 123456"}
    )
    assert mistaken.status_code == 422
    assert "Tick the box" in mistaken.text  # the error summary still says what to fix
    assert _title(mistaken.text) == _title(before.text)


def test_the_example_phone_number_in_the_hint_is_one_the_form_accepts(
    client: TestClient, db: Session
) -> None:
    _completed(client, db)
    page = client.get("/survey/complete").text
    hint = re.search(r'id="phone-hint"[^>]*>(.*?)</div>', page, re.S)
    assert hint, page
    example = re.search(r"For example, ([0-9 ]+)\.", hint.group(1))
    assert example, hint.group(1)
    # The error message gives the same example.
    assert (
        f"like {example.group(1)}."
        in client.post(
            "/survey/complete",
            data={
                "csrf_token": csrf_token(client, "/survey/complete"),
                "consent": "yes",
                "phone": "1",
            },
        ).text
    )
    assert _ask(client, example.group(1)).status_code == 200
    (request,) = rows(db, select(ContactRequest))
    assert '"+447700900982"' in decrypt(request.details_encrypted)


def _reopened(invitation_id: str, db: Session) -> tuple[str, str]:
    """GET /s/{token} in a new browser session, redirects followed: (address, normalised HTML)."""
    from app.invitations.models import Invitation
    from tests.survey.factories import token_for

    invitation = db.get(Invitation, invitation_id)
    assert invitation is not None
    token = token_for(invitation)
    db.commit()
    with TestClient(create_app(), raise_server_exceptions=False) as fresh:
        shown = fresh.get(f"/s/{token}")
        assert shown.status_code == 200
        return shown.url.path, _main(shown.text)


def test_reopening_the_link_after_a_request_shows_exactly_the_page_without_one(
    client: TestClient, db: Session
) -> None:
    asked = _completed(client, db)
    _ask(client, "07911 123456")
    _ask(client, "07912 654321")
    with TestClient(create_app(), raise_server_exceptions=False) as other:
        not_asked = _completed(other, db)
    assert len(rows(db, select(ContactRequestFiled))) == 1
    with_request, without_request = _reopened(asked, db), _reopened(not_asked, db)
    assert with_request[0] == without_request[0] == "/survey/complete"
    assert with_request[1] == without_request[1]
