"""The second factor: set-up at first sign-in, a code at later ones, no replay, no guessing."""

from __future__ import annotations

from datetime import UTC, datetime

import pyotp
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.auth.models import StaffUser
from app.crypto import decrypt
from app.enums import Role
from tests.auth_helpers import (
    PASSWORD,
    create_staff_user,
    form_csrf_token,
    next_code,
    post_login,
    secret_on_page,
    sign_in,
    staff_csrf_token,
)


def _half_signed_in(client: TestClient, db: Session) -> tuple[StaffUser, str]:
    """A user past the password, on the set-up page; returns the user and the page."""
    user = create_staff_user(db, Role.analyst)
    page = post_login(client, user.email, PASSWORD)
    assert page.url.path == "/staff/2fa/setup"
    return user, page.text


def test_first_sign_in_shows_the_secret_and_an_inline_qr_code(
    client: TestClient, db: Session
) -> None:
    user, page = _half_signed_in(client, db)
    secret = secret_on_page(page)
    assert len(secret) == 32
    assert "<svg" in page and "<img" not in page
    assert "Set up your authenticator app" in page
    db.expire_all()
    stored = db.get(StaffUser, user.id)
    assert stored is not None and stored.totp_secret_encrypted is not None
    assert secret not in stored.totp_secret_encrypted
    assert decrypt(stored.totp_secret_encrypted) == secret
    assert stored.totp_confirmed_at is None
    db.rollback()
    # Reloading keeps the same secret, so a slow scan still matches.
    assert secret_on_page(client.get("/staff/2fa/setup").text) == secret


def test_nothing_behind_a_role_works_before_the_second_factor(
    client: TestClient, db: Session
) -> None:
    _half_signed_in(client, db)
    assert client.get("/api/v1/me").status_code == 401
    home = client.get("/staff/")
    assert home.url.path == "/staff/2fa/setup"


def test_a_wrong_code_is_refused_with_an_error_summary(client: TestClient, db: Session) -> None:
    user, page = _half_signed_in(client, db)
    secret = secret_on_page(page)
    wrong = str((int(pyotp.TOTP(secret).now()) + 1) % 1_000_000).zfill(6)
    response = client.post(
        "/staff/2fa/setup", data={"code": wrong, "csrf_token": form_csrf_token(page)}
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.text
    assert 'href="#code">The code is not right' in response.text
    assert client.get("/api/v1/me").status_code == 401
    empty = client.post("/staff/2fa/setup", data={"code": "", "csrf_token": form_csrf_token(page)})
    assert 'href="#code">Enter the 6-digit code' in empty.text
    db.expire_all()
    assert db.get(StaffUser, user.id).totp_confirmed_at is None  # type: ignore[union-attr]
    failed = db.exec(
        select(AuditEvent).where(AuditEvent.action == "auth.second_factor_failed")
    ).all()
    assert [event.actor for event in failed] == [f"user:{user.id}"]


def test_later_sign_ins_ask_for_the_code(client: TestClient, db: Session) -> None:
    user, page = _half_signed_in(client, db)
    sign_in_code = pyotp.TOTP(secret_on_page(page)).now()
    client.post(
        "/staff/2fa/setup", data={"code": sign_in_code, "csrf_token": form_csrf_token(page)}
    )
    client.post("/staff/logout", data={"csrf_token": staff_csrf_token(client)})

    response = post_login(client, user.email, PASSWORD)
    assert response.url.path == "/staff/2fa"
    assert "Enter your security code" in response.text
    assert 'id="totp-secret"' not in response.text  # the secret is never shown again
    assert client.get("/staff/2fa/setup").url.path == "/staff/2fa"
    done = client.post(
        "/staff/2fa",
        data={"code": next_code(db, user.email), "csrf_token": form_csrf_token(response.text)},
    )
    assert done.url.path == "/staff/"
    assert client.get("/api/v1/me").json()["actor"] == f"user:{user.id}"


def test_a_replayed_code_is_refused(client: TestClient, db: Session) -> None:
    user, page = _half_signed_in(client, db)
    code = pyotp.TOTP(secret_on_page(page)).now()
    client.post("/staff/2fa/setup", data={"code": code, "csrf_token": form_csrf_token(page)})
    assert client.get("/api/v1/me").status_code == 200
    client.post("/staff/logout", data={"csrf_token": staff_csrf_token(client)})

    again = post_login(client, user.email, PASSWORD)
    replay = client.post(
        "/staff/2fa", data={"code": code, "csrf_token": form_csrf_token(again.text)}
    )
    assert replay.status_code == 400
    assert "The code is not right" in replay.text
    assert client.get("/api/v1/me").status_code == 401


def test_guessing_codes_is_throttled(client: TestClient, db: Session) -> None:
    user, page = _half_signed_in(client, db)
    token = form_csrf_token(page)
    secret = secret_on_page(page)
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.now(UTC))
    valid = {totp.generate_otp(step + offset) for offset in (-2, -1, 0, 1, 2)}
    guesses = [str(digit) * 6 for digit in range(10) if str(digit) * 6 not in valid][:5]
    for guess in guesses:
        assert (
            client.post("/staff/2fa/setup", data={"code": guess, "csrf_token": token}).status_code
            == 400
        )
    right = pyotp.TOTP(secret).now()
    response = client.post("/staff/2fa/setup", data={"code": right, "csrf_token": token})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert client.get("/api/v1/me").status_code == 401


def test_helpers_sign_in_twice_without_replaying(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    sign_in(client, db, user.email)
    client.post("/staff/logout", data={"csrf_token": staff_csrf_token(client)})
    sign_in(client, db, user.email)
    assert client.get("/api/v1/me").status_code == 200


def test_a_password_alone_opens_the_code_page_only_briefly(client: TestClient, db: Session) -> None:
    from datetime import timedelta

    from app.auth.models import StaffSession

    _half_signed_in(client, db)
    record = db.exec(select(StaffSession)).one()
    record.created_at = record.created_at - timedelta(minutes=16)
    db.add(record)
    db.commit()
    assert client.get("/staff/2fa/setup").url.path == "/staff/login"


def test_a_code_that_is_not_six_digits_is_a_form_error_and_not_a_guess(
    client: TestClient, db: Session
) -> None:
    from app.auth.models import LoginThrottle

    user, page = _half_signed_in(client, db)
    token = form_csrf_token(page)
    for typed in ("12345", "1234567", "abcdef"):
        response = client.post("/staff/2fa/setup", data={"code": typed, "csrf_token": token})
        assert response.status_code == 400
        assert 'href="#code">Enter the 6-digit code from your authenticator app' in response.text
    for typed in ("12\x003456", "\x00"):
        # The input guard (app/input_guard.py) answers before the form is read.
        response = client.post("/staff/2fa/setup", data={"code": typed, "csrf_token": token})
        assert response.status_code == 422
        assert "govuk-error-summary" in response.text
        assert "\x00" not in response.text
    db.expire_all()
    # Only the password step's rows, cleared by its success: no code was counted.
    assert [row.failures for row in db.exec(select(LoginThrottle)).all()] == [0, 0]
    failed = db.exec(
        select(AuditEvent).where(AuditEvent.action == "auth.second_factor_failed")
    ).all()
    assert failed == []
    db.rollback()  # end the read: SQLite would otherwise keep the app waiting for the lock
    # Typed with the spaces an app shows, the right code still works.
    code = pyotp.TOTP(secret_on_page(page)).now()
    done = client.post(
        "/staff/2fa/setup", data={"code": f"{code[:3]} {code[3:]}", "csrf_token": token}
    )
    assert done.url.path == "/staff/"
    assert client.get("/api/v1/me").json()["actor"] == f"user:{user.id}"
