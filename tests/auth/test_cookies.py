"""Cookie flags: HttpOnly and SameSite=Lax always; Secure and __Host- over https."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from tests.auth_helpers import PASSWORD, create_staff_user, form_csrf_token


def _set_cookies(response_headers: list[str]) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in response_headers}


def _sign_in_cookies(client: TestClient, db: Session) -> dict[str, str]:
    user = create_staff_user(db, Role.analyst)
    page = client.get("/staff/login")
    cookies = _set_cookies(page.headers.get_list("set-cookie"))
    response = client.post(
        "/staff/login",
        data={"email": user.email, "password": PASSWORD, "csrf_token": form_csrf_token(page.text)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    cookies.update(_set_cookies(response.headers.get_list("set-cookie")))
    return cookies


def test_cookies_over_http(client: TestClient, db: Session) -> None:
    cookies = _sign_in_cookies(client, db)
    for name in ("vv_staff", "vv_login_csrf"):
        header = cookies[name].lower()
        assert "httponly" in header and "samesite=lax" in header and "path=/" in header
        assert "secure" not in header
        assert "max-age" not in header.replace("max-age=0", "")  # session cookies only


def test_cookies_over_https_are_secure_with_the_host_prefix(
    db: Session, settings_override: Callable[..., None]
) -> None:
    settings_override(VV_BASE_URL="https://testserver")
    from app.main import create_app

    with TestClient(create_app(), base_url="https://testserver") as client:
        cookies = _sign_in_cookies(client, db)
        for name in ("__Host-vv_staff", "__Host-vv_login_csrf"):
            header = cookies[name].lower()
            assert "secure" in header and "httponly" in header and "samesite=lax" in header
            assert "path=/" in header and "domain=" not in header
        assert "vv_staff" not in cookies
        # The prefixed cookie is the one read back.
        assert client.get("/staff/2fa/setup").status_code == 200
        assert 'id="totp-secret"' in client.get("/staff/2fa/setup").text
