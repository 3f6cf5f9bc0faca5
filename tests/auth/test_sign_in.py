"""Signing in with a password: the form, equal refusals, throttling, sessions and sign-out."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.auth.models import LoginThrottle, StaffSession, StaffUser
from app.auth.sessions import session_id_for
from app.enums import Role
from tests.auth_helpers import (
    PASSWORD,
    create_staff_user,
    form_csrf_token,
    post_login,
    secret_on_page,
    set_cookie,
    signed_in_client,
    staff_csrf_token,
)


def _comparable(html: str) -> str:
    """A page without what differs on every response (CSRF token, CSP nonce)."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_sign_in_page_is_a_govuk_form_with_a_csrf_token(client: TestClient) -> None:
    page = client.get("/staff/login")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in page.text
    assert 'autocomplete="current-password"' in page.text
    assert len(form_csrf_token(page.text)) == 64


def test_empty_form_shows_an_error_summary(client: TestClient) -> None:
    page = client.get("/staff/login")
    response = client.post(
        "/staff/login",
        data={"email": "", "password": "", "csrf_token": form_csrf_token(page.text)},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#email">Enter your email address' in response.text
    assert 'href="#password">Enter your password' in response.text
    assert "<title>Error: Sign in" in response.text


def test_wrong_password_and_unknown_user_look_the_same(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst, email="known@example.org")
    wrong = post_login(client, user.email, "not the password at all")
    unknown = post_login(client, "nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert "Enter a correct email address and password" in wrong.text
    assert _comparable(wrong.text).replace(user.email, "EMAIL") == _comparable(
        unknown.text
    ).replace("nobody@example.org", "EMAIL")
    assert (
        wrong.headers.get("set-cookie", "").split("=")[0]
        == (unknown.headers.get("set-cookie", "").split("=")[0])
    )
    # Neither failure stores or audits the email typed, or where it came from.
    db.expire_all()
    subjects = db.exec(select(LoginThrottle)).all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")).all()
    # Two accounts tried from one address.
    assert sorted(row.failures for row in subjects) == [1, 1, 2] and len(events) == 2
    for row in [*subjects, *events]:
        assert "@" not in str(row.model_dump()) and "testclient" not in str(row.model_dump())
    assert {event.actor for event in events} == {"anonymous"}


def test_a_disabled_user_is_refused_like_a_wrong_password(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    user.disabled_at = user.created_at
    db.add(user)
    db.commit()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 400
    assert "Enter a correct email address and password" in response.text


def test_the_sixth_rapid_failure_is_throttled_even_with_the_right_password(
    client: TestClient, db: Session
) -> None:
    user = create_staff_user(db, Role.analyst)
    for _ in range(5):
        assert post_login(client, user.email, "wrong password here").status_code == 400
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    # Five failures in a row cost the account 30 seconds (the first step of the back-off).
    assert "Wait 1 minute, then try again" in response.text
    assert 25 <= int(response.headers["Retry-After"]) <= 30
    assert "vv_staff" not in response.headers.get("set-cookie", "")
    # Upper case and spaces are the same account, so the same throttle.
    assert post_login(client, f"  {user.email.upper()} ", PASSWORD).status_code == 429
    db.expire_all()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in_throttled")).first()
    back_off = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.back_off")).one()
    assert back_off.detail == {"kind": "account", "failures": 5, "wait_seconds": 30}
    assert "@" not in str(back_off.model_dump())


def test_unknown_emails_are_throttled_the_same_way(client: TestClient) -> None:
    for _ in range(5):
        assert post_login(client, "ghost@example.org", "wrong password here").status_code == 400
    assert post_login(client, "ghost@example.org", "wrong password here").status_code == 429


def _wait_out_back_off(db: Session) -> None:
    """Move every block into the past, as if its delay had been waited out."""
    db.expire_all()
    for row in db.exec(select(LoginThrottle)).all():
        if row.blocked_until is not None:
            row.blocked_until = row.blocked_until - timedelta(hours=1)
            db.add(row)
    db.commit()


def test_the_back_off_lifts_once_waited_out_and_then_doubles(
    client: TestClient, db: Session
) -> None:
    email = create_staff_user(db, Role.analyst).email
    for _ in range(5):
        post_login(client, email, "wrong password here")
    assert post_login(client, email, PASSWORD).status_code == 429
    _wait_out_back_off(db)
    assert post_login(client, email, "wrong password again").status_code == 400
    blocked = post_login(client, email, PASSWORD)
    assert blocked.status_code == 429
    assert 55 <= int(blocked.headers["Retry-After"]) <= 60  # the sixth failure: one minute
    _wait_out_back_off(db)
    response = post_login(client, email, PASSWORD)
    assert response.status_code == 200 and response.url.path == "/staff/2fa/setup"
    db.expire_all()
    account = db.exec(select(LoginThrottle).where(LoginThrottle.failures == 0)).one()
    assert account.blocked_until is None  # the right password cleared the account's count


def test_refused_attempts_do_not_lengthen_the_wait(client: TestClient, db: Session) -> None:
    email = create_staff_user(db, Role.analyst).email
    for _ in range(5):
        post_login(client, email, "wrong password here")
    db.expire_all()
    before = {row.subject_hash: row.blocked_until for row in db.exec(select(LoginThrottle))}
    db.rollback()
    for _ in range(10):
        assert post_login(client, email, "wrong password here").status_code == 429
    db.expire_all()
    after = {row.subject_hash: row.blocked_until for row in db.exec(select(LoginThrottle))}
    assert after == before
    assert {row.failures for row in db.exec(select(LoginThrottle))} == {5}


def test_a_success_resets_the_failure_count(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    for _ in range(4):
        post_login(client, user.email, "wrong password here")
    assert post_login(client, user.email, PASSWORD).url.path == "/staff/2fa/setup"
    client.cookies.clear()  # a new browser: the half-signed-in one is sent to the code page
    for _ in range(4):
        post_login(client, user.email, "wrong password here")
    assert post_login(client, user.email, PASSWORD).status_code == 200


def test_signing_in_leads_to_the_home_page_listing_what_roles_allow(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst, Role.uploader])
    home = staff.get("/staff/")
    assert home.status_code == 200
    assert "analyst, uploader" in home.text
    assert '<a class="govuk-link" href="/reports/quarterly">Print the quarterly report' in home.text
    assert 'href="/staff/dashboard"' in home.text
    assert 'href="/staff/contact-requests"' not in home.text
    assert "Upload invitation batches and cancellations" in home.text
    assert "Approve and publish question bank changes" not in home.text
    assert staff.get("/api/v1/me").json() == {
        "actor": "user:1",
        "roles": ["analyst", "uploader"],
        "bank_scopes": [],
    }
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_in")).one()
    assert event.actor == "user:1"


def test_the_session_table_holds_only_the_hash_of_the_cookie(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    cookie = staff.cookies["vv_staff"]
    db.expire_all()
    live = db.exec(select(StaffSession).where(StaffSession.ended_at.is_(None))).one()  # type: ignore[union-attr]
    assert live.id == session_id_for(cookie) and cookie not in str(live.model_dump())


def test_a_session_cookie_stops_working_after_sign_out(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    cookie = staff.cookies["vv_staff"]
    response = staff.post("/staff/logout", data={"csrf_token": staff_csrf_token(staff)})
    assert response.status_code == 200 and response.url.path == "/staff/login"
    assert "You have signed out" in response.text
    assert "vv_staff" not in staff.cookies
    # The old cookie, replayed, is refused: the session ended on the server.
    set_cookie(staff, "vv_staff", cookie)
    assert staff.get("/api/v1/me").status_code == 401
    assert (
        staff.get("/staff/", follow_redirects=False).headers["location"].startswith("/staff/login")
    )
    db.expire_all()
    assert db.exec(select(AuditEvent).where(AuditEvent.action == "auth.sign_out")).one()


def test_a_new_session_id_is_issued_at_each_step(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    set_cookie(client, "vv_staff", "planted-by-someone-else")
    response = post_login(client, user.email, PASSWORD)
    half = client.cookies["vv_staff"]
    assert half != "planted-by-someone-else"
    assert response.url.path == "/staff/2fa/setup"
    code = pyotp.TOTP(secret_on_page(response.text)).now()
    done = client.post(
        "/staff/2fa/setup", data={"code": code, "csrf_token": form_csrf_token(response.text)}
    )
    assert done.url.path == "/staff/"
    full = client.cookies["vv_staff"]
    assert full != half
    set_cookie(client, "vv_staff", half)
    assert client.get("/api/v1/me").status_code == 401
    set_cookie(client, "vv_staff", full)
    assert client.get("/api/v1/me").status_code == 200


def test_sessions_end_after_the_idle_timeout(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    assert staff.get("/api/v1/me").status_code == 200
    for record in db.exec(select(StaffSession)).all():
        record.last_seen_at = record.last_seen_at - timedelta(minutes=31)
        db.add(record)
    db.commit()
    assert staff.get("/api/v1/me").status_code == 401


def test_sessions_end_after_the_absolute_timeout_even_when_busy(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    live = db.exec(select(StaffSession).where(StaffSession.ended_at.is_(None))).one()  # type: ignore[union-attr]
    live.created_at = live.created_at - timedelta(hours=12, minutes=1)
    db.add(live)
    db.commit()
    assert staff.get("/api/v1/me").status_code == 401


def test_an_html_page_needing_sign_in_redirects_and_returns_after(
    client: TestClient, db: Session
) -> None:
    response = client.get("/staff/?tab=1", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2F%3Ftab%3D1"
    page = client.get(response.headers["location"])
    assert 'name="next" value="/staff/?tab=1"' in page.text


def test_next_never_leaves_the_site(client: TestClient) -> None:
    page = client.get("/staff/login?next=//evil.example/steal")
    assert 'name="next" value="/staff/"' in page.text


def test_sessions_long_past_their_timeout_are_deleted(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    post_login(client, user.email, PASSWORD)
    old = db.exec(select(StaffSession)).one()
    old.created_at = old.created_at - timedelta(days=3)
    old_id = old.id
    db.add(old)
    db.commit()
    client.cookies.clear()
    post_login(client, user.email, PASSWORD)
    db.expire_all()
    remaining = [record.id for record in db.exec(select(StaffSession)).all()]
    assert len(remaining) == 1 and remaining != [old_id]


def _attacker_hammers(email: str, times: int = 8) -> list[int]:
    """Wrong passwords for `email` from another browser (no device cookie for it)."""
    from app.main import create_app

    with TestClient(create_app(), raise_server_exceptions=False) as attacker:
        return [post_login(attacker, email, f"guess number {n}").status_code for n in range(times)]


def test_an_attacker_elsewhere_cannot_lock_the_owner_out_of_their_own_browser(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    email = db.exec(select(StaffUser)).one().email
    db.rollback()
    device_cookie = staff.cookies.get("vv_device")
    assert device_cookie and "@" not in device_cookie and email.split("@")[0] not in device_cookie
    staff.post("/staff/logout", data={"csrf_token": staff_csrf_token(staff)})

    statuses = _attacker_hammers(email)
    assert statuses[:5] == [400] * 5 and set(statuses[5:]) == {429}  # the account is backed off

    # The owner's browser is counted on its own: they sign in, and even a typo is forgiven.
    assert post_login(staff, email, "a typo in it").status_code == 400
    response = post_login(staff, email, PASSWORD)
    assert response.status_code == 200 and response.url.path == "/staff/2fa"
    # A browser without the cookie is still held back.
    assert _attacker_hammers(email, times=1) == [429]


def test_a_device_cookie_vouches_for_its_own_account_only(client: TestClient, db: Session) -> None:
    signed_in_client(client, db, [Role.analyst])
    client.post("/staff/logout", data={"csrf_token": staff_csrf_token(client)})
    other = create_staff_user(db, Role.analyst)
    for _ in range(5):
        assert post_login(client, other.email, "wrong password here").status_code == 400
    assert post_login(client, other.email, PASSWORD).status_code == 429
    # A forged or altered cookie is no cookie at all.
    set_cookie(client, "vv_device", "made-up.0123456789abcdef")
    assert post_login(client, other.email, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    ("email", "password", "field", "message"),
    [
        ("staff\x00@example.org", PASSWORD, "email", "Enter an email address in the correct"),
        ("\x00", PASSWORD, "email", "Enter an email address in the correct format"),
        ("staff@example.org", "correct horse\x00battery", "password", "Your password contains a"),
    ],
)
def test_a_nul_in_the_sign_in_form_is_a_form_error_that_never_reaches_the_database(
    client: TestClient, db: Session, email: str, password: str, field: str, message: str
) -> None:
    create_staff_user(db, Role.analyst, email="staff@example.org")
    response = post_login(client, email, password)
    # 400 from the sign-in page itself (or 422 should a guard in front of it answer first).
    assert response.status_code in (400, 422), response.text
    assert "govuk-error-summary" in response.text
    if response.status_code == 400:
        assert f'href="#{field}">{message}' in response.text
    elif "\x00" in email + password:
        # The input guard (app/input_guard.py) answered before the page: it names the field.
        assert f"body {field}: must not contain a null character" in response.text
    else:
        assert f'href="#{field}">{message}' in response.text
    assert "\x00" not in response.text
    db.expire_all()
    assert db.exec(select(LoginThrottle)).all() == []  # no attempt was counted or looked up
    assert db.exec(select(AuditEvent).where(AuditEvent.action.startswith("auth."))).all() == []


def test_the_cookies_page_lists_the_device_cookie(client: TestClient, db: Session) -> None:
    from app import public_pages
    from app.auth import devices

    assert public_pages.DEVICE_COOKIE_NAME == devices.DEVICE_COOKIE
    staff = signed_in_client(client, db, [Role.analyst])
    set_cookie_header = staff.cookies.get(devices.DEVICE_COOKIE)
    assert set_cookie_header is not None
    page = client.get("/cookies").text
    assert "vv_device" in page and "180 days after signing in" in page
