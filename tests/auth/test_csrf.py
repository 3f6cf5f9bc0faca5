"""Every staff form and every cookie-authenticated unsafe API call needs its CSRF token."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from tests.auth_helpers import (
    PASSWORD,
    create_staff_user,
    form_csrf_token,
    post_login,
    set_cookie,
    signed_in_client,
    staff_csrf_token,
)


def test_the_sign_in_form_without_its_token_is_refused(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    client.get("/staff/login")
    response = client.post("/staff/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 403
    assert "text/html" in response.headers["content-type"]
    assert "reload the page and try again" in response.text
    assert "vv_staff" not in client.cookies


def test_the_sign_in_token_only_matches_its_own_cookie(client: TestClient, db: Session) -> None:
    user = create_staff_user(db, Role.analyst)
    token = form_csrf_token(client.get("/staff/login").text)
    # Another browser (an attacker's) has its own seed; our token means nothing there.
    set_cookie(client, "vv_login_csrf", "a-seed-the-attacker-chose")
    response = client.post(
        "/staff/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_the_second_factor_form_without_its_token_is_refused(
    client: TestClient, db: Session
) -> None:
    user = create_staff_user(db, Role.analyst)
    post_login(client, user.email, PASSWORD)
    response = client.post("/staff/2fa/setup", data={"code": "123456"})
    assert response.status_code == 403


def test_sign_out_without_its_token_is_refused_and_the_session_lives_on(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    assert staff.post("/staff/logout").status_code == 403
    assert staff.post("/staff/logout", data={"csrf_token": "guess"}).status_code == 403
    assert staff.get("/api/v1/me").status_code == 200


def test_unsafe_api_calls_with_a_session_cookie_need_the_header(
    role_client: TestClient, db: Session
) -> None:
    staff = signed_in_client(role_client, db, [Role.uploader])
    refused = staff.post("/api/v1/test-only/batches", json={})
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    wrong = staff.post("/api/v1/test-only/batches", headers={"X-CSRF-Token": "nope"})
    assert wrong.status_code == 403
    allowed = staff.post(
        "/api/v1/test-only/batches", headers={"X-CSRF-Token": staff_csrf_token(staff)}
    )
    assert allowed.status_code == 200
    assert allowed.json()["actor"].startswith("user:")
    # A form post can carry the token as a field instead.
    form = staff.post("/api/v1/test-only/batches", data={"csrf_token": staff_csrf_token(staff)})
    assert form.status_code == 200


def test_api_key_calls_need_no_csrf_token(role_client: TestClient, db: Session) -> None:
    from tests.auth_helpers import api_headers

    response = role_client.post("/api/v1/test-only/batches", headers=api_headers(db, Role.uploader))
    assert response.status_code == 200


def test_an_html_form_of_another_domain_is_checked_too(
    role_client: TestClient, db: Session
) -> None:
    staff = signed_in_client(role_client, db, [Role.victims_team])
    refused = staff.post("/test-only/notes", data={"note": "called back"})
    assert refused.status_code == 403
    assert "text/html" in refused.headers["content-type"]
    saved = staff.post(
        "/test-only/notes", data={"note": "called back", "csrf_token": staff_csrf_token(staff)}
    )
    assert saved.status_code == 200
    assert saved.json()["note"] == "called back"


def test_a_route_can_still_read_the_raw_body_after_the_token_check(
    role_client: TestClient, db: Session
) -> None:
    staff = signed_in_client(role_client, db, [Role.victims_team])
    token = staff_csrf_token(staff)
    response = staff.post("/test-only/raw", data={"csrf_token": token, "a": "1"})
    assert response.status_code == 200
    assert response.json()["body"] == f"csrf_token={token}&a=1"


# --- tokens that are not text: a lone surrogate, invalid UTF-8 ----------------------------------

BOUNDARY = "csrf-boundary"


def _multipart(fields: dict[str, bytes], charset: str = "utf-7") -> tuple[bytes, dict[str, str]]:
    """A multipart form whose declared charset turns `+2AA-` into a lone surrogate (U+D800)."""
    body = b"".join(
        b"--" + BOUNDARY.encode() + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    )
    body += b"--" + BOUNDARY.encode() + b"--\r\n"
    kind = f"multipart/form-data; boundary={BOUNDARY}; charset={charset}"
    return body, {"Content-Type": kind}


LONE_SURROGATE_UTF7 = b"+2AA-"


def _refused(response: Any) -> None:
    assert response.status_code in (403, 422), response.status_code


def test_a_lone_surrogate_as_the_sign_in_token_is_refused_not_a_500(
    client: TestClient, db: Session
) -> None:
    user = create_staff_user(db, Role.analyst)
    client.get("/staff/login")
    body, headers = _multipart(
        {
            "email": user.email.encode(),
            "password": PASSWORD.encode(),
            "csrf_token": LONE_SURROGATE_UTF7,
        }
    )
    _refused(client.post("/staff/login", content=body, headers=headers))
    for raw in (b"csrf_token=%ED%A0%80", b"csrf_token=%FF%FE", b"csrf_token=%C0"):
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        _refused(client.post("/staff/login", content=raw, headers=form))


def test_a_lone_surrogate_as_a_signed_in_token_is_refused_not_a_500(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    body, headers = _multipart({"csrf_token": LONE_SURROGATE_UTF7})
    _refused(staff.post("/staff/logout", content=body, headers=headers))
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    _refused(staff.post("/staff/logout", content=b"csrf_token=%ED%A0%80", headers=form))
    assert staff.get("/api/v1/me").status_code == 200  # still signed in


def test_a_token_header_or_field_that_is_not_text_is_refused_on_the_api(
    role_client: TestClient, db: Session
) -> None:
    staff = signed_in_client(role_client, db, [Role.uploader])
    # Header bytes that are not UTF-8 (a browser never sends them; a forged request can).
    for raw in (b"\xed\xa0\x80", b"\xff\xfe", "é".encode("latin-1")):
        response = staff.post("/api/v1/test-only/batches", headers=[(b"X-CSRF-Token", raw)])
        _refused(response)
    body, headers = _multipart({"csrf_token": LONE_SURROGATE_UTF7})
    _refused(staff.post("/api/v1/test-only/batches", content=body, headers=headers))


def test_a_lone_surrogate_as_a_survey_form_token_is_refused_not_a_500(
    client: TestClient, db: Session
) -> None:
    from tests.factories import create_bank_version
    from tests.survey.factories import bank_document, create_invitation, enter

    create_bank_version(db, bank_document())
    enter(client, create_invitation(db))
    for path in ("/survey/start", "/survey/withdraw", "/survey/submit", "/survey/language"):
        body, headers = _multipart({"csrf_token": LONE_SURROGATE_UTF7, "answer": b"x"})
        response = client.post(path, content=body, headers=headers)
        _refused(response)
        assert "nothing was changed" in response.text or response.status_code == 422
