"""An unexpected error answers 500 with our headers, and logs neither the path nor the input."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient

from app.main import create_app

SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"]


def test_unexpected_error_is_a_safe_500_with_headers(caplog: pytest.LogCaptureFixture) -> None:
    app = create_app()

    @app.get("/api/v1/boom/{token}")
    def api_boom(token: str) -> None:
        raise RuntimeError("secret-input " + token)

    @app.get("/s-boom/{token}")
    def page_boom(token: str) -> None:
        raise RuntimeError("secret-input " + token)

    # raise_server_exceptions=True: the error must stop inside the app, not reach the server.
    client = TestClient(app, raise_server_exceptions=True)
    with caplog.at_level(logging.ERROR):
        api = client.get("/api/v1/boom/TOKEN123")
        page = client.get("/s-boom/TOKEN123")

    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    assert api.json()["title"] == "Something went wrong"
    assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert "Sorry, there is a problem with the service" in page.text
    for response in (api, page):
        assert "secret-input" not in response.text and "TOKEN123" not in response.text
        assert "Traceback" not in response.text
        for header in SECURITY_HEADERS:
            assert header in response.headers
        assert response.headers["Cache-Control"] == "no-store"
    assert "TOKEN123" not in caplog.text and "secret-input" not in caplog.text
    assert "/api/v1/boom/{token}" in caplog.text
