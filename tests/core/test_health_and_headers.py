from fastapi.testclient import TestClient


def test_healthz_and_readyz_answer(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "reachable"


def test_every_response_carries_security_headers(client: TestClient) -> None:
    for path in ["/healthz", "/api/v1/nothing-here", "/nothing-here"]:
        response = client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in csp
        assert "'unsafe-inline'" not in csp
        assert "'nonce-" in csp
        assert response.headers["Cache-Control"] == "no-store"


def test_api_errors_are_problem_json(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found" and body["type"]


def test_html_errors_are_govuk_pages(client: TestClient) -> None:
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in response.text
    assert "govuk-template" in response.text


def test_method_not_allowed_is_problem_json(client: TestClient) -> None:
    response = client.post("/api/v1/openapi.json")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


def test_csp_nonce_matches_the_inline_script(client: TestClient) -> None:
    response = client.get("/nothing-here")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_oversized_body_is_refused_with_413(client: TestClient, settings_override) -> None:
    settings_override(VV_MAX_BODY_BYTES="1000")
    from app.main import create_app

    with TestClient(create_app()) as small:
        response = small.post(
            "/api/v1/anything", content=b"x" * 5000, headers={"content-type": "application/json"}
        )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
