"""Entering with a link: signature, invitation state, the session cookie, leaving."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.invitations.links import TOKEN_LENGTH, new_token, token_hash
from app.survey.models import SurveySession
from tests.factories import create_bank_version
from tests.survey.factories import (
    bank_document,
    create_invitation,
    create_support_service,
    enter,
    reload,
    rows,
    step_url,
    token_for,
)

UNUSABLE = "This survey link cannot be opened"


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _main_text(html: str) -> str:
    return html.split('id="main-content"', 1)[1]


def test_a_link_becomes_a_session_cookie_and_a_url_without_the_token(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    response = client.get(f"/s/{token}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/survey/start"
    assert token not in response.headers["location"]
    cookies = response.headers.get_list("set-cookie")
    assert len(cookies) == 1, "no cookie but the survey session"
    cookie = cookies[0]
    assert cookie.startswith("vv_survey=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # http in tests; see the https test
    assert "max-age" not in cookie.lower() and "expires" not in cookie.lower()  # browser session
    value = cookie.split(";")[0].split("=", 1)[1]
    (stored,) = rows(db, select(SurveySession))
    assert stored.id == hashlib.sha256(value.encode()).hexdigest()  # only the hash is kept
    assert stored.invitation_id == invitation.id
    fresh = reload(db, invitation)
    # Not yet "opened": a mail scanner fetches links too (see test_opened.py).
    assert fresh.status == "sent" and fresh.opened_at is None
    assert fresh.bank_version_id is not None

    page = client.get("/survey/start")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "set-cookie" not in page.headers


def test_the_cookie_is_secure_behind_https(
    client: TestClient, db: Session, settings_override
) -> None:
    settings_override(VV_BASE_URL="https://survey.example.org")
    invitation = create_invitation(db)
    response = client.get(f"/s/{token_for(invitation)}", follow_redirects=False)
    assert "Secure" in response.headers["set-cookie"]


def test_opening_never_moves_an_invitation_backwards(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, status="started")
    enter(client, invitation)
    assert reload(db, invitation).status == "started"


def _tampered(token: str) -> str:
    return token[:-1] + ("a" if token[-1] != "a" else "b")


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(lambda inv: _tampered(token_for(inv)), id="tampered"),
        pytest.param(lambda inv: token_for(inv) + "x", id="extended"),
        pytest.param(lambda inv: token_for(inv)[:-1], id="shortened"),
        pytest.param(lambda inv: token_for(inv).swapcase(), id="other-case"),
        pytest.param(lambda inv: token_for(inv).upper(), id="upper-case"),
        pytest.param(lambda inv: token_for(inv) + "=", id="padded"),
        pytest.param(lambda inv: token_for(inv) + "%3D%3D", id="padded-escaped"),
        pytest.param(lambda inv: token_for(inv) + ".", id="trailing-dot"),
        pytest.param(lambda inv: " " + token_for(inv), id="leading-space"),
        pytest.param(lambda inv: inv.link_hash or token_hash(token_for(inv)), id="the-hash"),
        pytest.param(lambda inv: new_token(), id="unknown"),
        pytest.param(lambda inv: "not-a-token", id="garbage"),
    ],
)
def test_a_forged_or_unknown_link_is_404(client: TestClient, db: Session, make_token) -> None:
    invitation = create_invitation(db)
    response = client.get(f"/s/{make_token(invitation)}", follow_redirects=False)
    assert response.status_code == 404
    assert UNUSABLE in response.text
    assert "set-cookie" not in response.headers


def test_a_never_sent_invitation_is_404(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, status="pending", expires_at=None)
    assert client.get(f"/s/{token_for(invitation)}").status_code == 404


def _ended_page(client: TestClient, token: str) -> str:
    response = client.get(f"/s/{token}", follow_redirects=False)
    assert response.status_code == 410
    assert "set-cookie" not in response.headers or 'vv_survey=""' in response.headers["set-cookie"]
    return _main_text(response.text)


def test_ended_links_are_410_with_one_neutral_page(client: TestClient, db: Session) -> None:
    create_support_service(db, key="victim-support", name="Victim Support")
    expired_token = token_for(create_invitation(db, expires_in=timedelta(days=-1)))
    past_expiry = create_invitation(db, expires_in=timedelta(seconds=-1))
    expired_status = create_invitation(db, status="expired")
    withdrawn = create_invitation(db, status="withdrawn")
    cancelled = create_invitation(db, status="cancelled")
    pages = {
        _ended_page(client, expired_token),
        _ended_page(client, token_for(past_expiry)),
        _ended_page(client, token_for(expired_status)),
        _ended_page(client, token_for(withdrawn)),
        _ended_page(client, token_for(cancelled)),
    }
    # Nothing on the page tells which reason applied (CSP nonces aside, they are identical).
    assert len({re.sub(r'nonce="[^"]+"', "", page) for page in pages}) == 1
    page = pages.pop()
    assert UNUSABLE in page
    assert "Victim Support" in page and "0808 168 9111" in page
    assert "press 55" in page


def test_a_token_is_random_short_and_stored_only_as_its_hash(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    assert len(token) == TOKEN_LENGTH and token.isalnum() and token.isascii()
    db.expire_all()
    stored = db.get(type(invitation), invitation.id)
    assert stored is not None and stored.link_hash == token_hash(token)
    # Nothing stored holds the token in the clear (the encrypted copy is for the reminder).
    row = db.execute(text("SELECT * FROM invitation WHERE id = :id"), {"id": invitation.id})
    assert token not in repr(row.one())
    db.commit()
    # The same invitation keeps its one token; tokens of other invitations differ.
    assert token_for(invitation) == token
    assert len({token_for(create_invitation(db)) for _ in range(20)} | {token}) == 21
    # The one spelling works, also after a key rotation (nothing is signed).
    assert client.get(f"/s/{token}", follow_redirects=False).status_code == 303
    assert client.get(f"/s/{token}/", follow_redirects=False).status_code in (307, 404)


def test_pages_without_a_session_ask_to_open_the_link_again(client: TestClient) -> None:
    for path in [
        "/survey/start",
        "/survey/page/0123456789abcdef",
        "/survey/check",
        "/survey/complete",
    ]:
        response = client.get(path)
        assert response.status_code == 401, path
        assert "Open your survey link again" in response.text
        assert "Exit this page" in response.text
    client.cookies.set("vv_survey", "made-up")
    assert client.get("/survey/start").status_code == 401
    assert client.post("/survey/submit", data={"csrf_token": "x"}).status_code == 401


def test_an_expired_session_asks_to_open_the_link_again(
    client: TestClient, db: Session, settings_override
) -> None:
    settings_override(VV_SURVEY_SESSION_MINUTES="0")
    enter(client, create_invitation(db))
    assert client.get("/survey/start").status_code == 401


def test_a_session_ends_when_its_invitation_is_withdrawn_elsewhere(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    invitation = reload(db, invitation)
    invitation.status = "cancelled"
    db.add(invitation)
    db.commit()
    response = client.get("/survey/start")
    assert response.status_code == 410
    assert UNUSABLE in response.text


def test_exit_ends_the_session_and_leaves_for_a_neutral_site(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    response = client.get("/survey/exit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert 'vv_survey=""' in response.headers["set-cookie"]
    assert rows(db, select(SurveySession))[0].ended_at is not None
    # Even with the old cookie value sent again, the session is over.
    assert client.get("/survey/start").status_code == 401


def test_exit_without_a_session_still_leaves(client: TestClient) -> None:
    response = client.get("/survey/exit", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "https://www.bbc.co.uk/weather"


def test_the_link_still_works_after_exit(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    client.get("/survey/exit", follow_redirects=False)
    assert enter(client, invitation) == "/survey/start"
    assert client.get("/survey/start").status_code == 200


def test_page_titles_end_with_the_neutral_service_name_not_the_organisation(
    client: TestClient, db: Session
) -> None:
    """Titles stay in the browser history: "…Police and Crime Commissioner" would say who asked."""
    enter(client, create_invitation(db))
    title = re.search(r"<title>([^<]*)</title>", client.get("/survey/start").text)
    assert title and title.group(1) == "Tell us about your experience – Your views"
    assert "Victim" not in title.group(1) and "Police" not in title.group(1)


def test_odd_query_values_never_break_a_page(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    assert client.get(step_url(client, "q:sat_overall") + "?change=nonsense").status_code == 200


def test_old_sessions_are_deleted(client: TestClient, db: Session, settings_override) -> None:
    from datetime import timedelta

    from app.survey.session import delete_old_sessions

    invitation = create_invitation(db)
    enter(client, invitation)
    client.get("/survey/exit", follow_redirects=False)
    enter(client, invitation)
    assert delete_old_sessions(db, older_than=timedelta(0)) == 1
    db.commit()
    assert len(rows(db, select(SurveySession))) == 1
    assert client.get("/survey/start").status_code == 200


def test_opening_a_link_again_ends_the_browsers_previous_session(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    enter(client, invitation)
    sessions = rows(db, select(SurveySession))
    assert len(sessions) == 2
    assert sorted(s.ended_at is None for s in sessions) == [False, True]
    assert client.get("/survey/start").status_code == 200
