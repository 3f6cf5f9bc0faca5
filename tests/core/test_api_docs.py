"""The API documentation: Swagger UI served from our own origin under the CSP, and an OpenAPI
document that says how to authenticate and which problem+json errors each operation answers."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from app.main import STATIC_DIR

OPENAPI = "/api/v1/openapi.json"


def _operations(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (method, path): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_docs_page_loads_swagger_from_our_origin_without_inline_script(
    client: TestClient,
) -> None:
    redirect = client.get("/docs", follow_redirects=False)
    assert redirect.status_code == 308 and redirect.headers["location"] == "/api/v1/docs"
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    scripts = re.findall(r"<script([^>]*)>", page.text)
    assert scripts and all('src="/static/' in attributes for attributes in scripts)
    assert "https://" not in page.text.split("</head>")[0]  # nothing from a CDN
    for asset in re.findall(r'(?:src|href)="/static/([^"]+)"', page.text):
        assert (STATIC_DIR / asset).is_file(), f"{asset}: run `make assets`"


def test_openapi_declares_the_bearer_key_on_every_staff_operation(client: TestClient) -> None:
    document = client.get(OPENAPI).json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["apiKey"] == {**schemes["apiKey"], "type": "http", "scheme": "bearer"}
    assert schemes["apiKey"]["bearerFormat"] == "API key"
    operations = _operations(document)
    aggregate = operations[("get", "/api/v1/aggregates/{metric_id}")]
    assert aggregate["security"] == [{"apiKey": []}]
    assert {"401", "403", "404", "422"} <= set(aggregate["responses"])
    assert operations[("post", "/api/v1/callbacks/notify/delivery")]["security"] == [
        {"notifyCallback": []}
    ]
    # The victim's survey is authorised by its token alone: no key, and 404/410 for a link.
    survey = operations[("put", "/api/v1/survey/{token}/answers")]
    assert "security" not in survey
    assert {"404", "409", "410", "413", "422"} <= set(survey["responses"])
    assert "401" not in survey["responses"]
    staff = [op for (_, path), op in operations.items() if "{token}" not in path]
    assert all(op.get("security") for op in staff), "every other operation needs a key"


def test_every_error_response_is_problem_json_with_an_example(client: TestClient) -> None:
    document = client.get(OPENAPI).json()
    assert "HTTPValidationError" not in str(document)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail"}
    seen: set[str] = set()
    for (method, path), operation in _operations(document).items():
        for status, response in operation["responses"].items():
            if status.startswith("2"):
                continue
            seen.add(status)
            content = response["content"]
            assert list(content) == ["application/problem+json"], (method, path, status)
            example = content["application/problem+json"]["example"]
            assert example["status"] == int(status) and example["type"].startswith("/problems/")
        if method in ("post", "put"):
            assert "413" in operation["responses"], (method, path)
    assert seen == {"401", "403", "404", "409", "410", "413", "422"}


def test_problem_examples_match_what_the_service_answers(client: TestClient) -> None:
    document = client.get(OPENAPI).json()
    documented = document["paths"]["/api/v1/metrics"]["get"]["responses"]["401"]
    example = documented["content"]["application/problem+json"]["example"]
    answer = client.get("/api/v1/metrics")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert (answer.json()["type"], answer.json()["title"]) == (example["type"], example["title"])
    bad = client.get("/api/v1/survey/not-a-token")
    unknown = document["paths"]["/api/v1/survey/{token}"]["get"]["responses"]["404"]
    assert bad.status_code == 404
    assert bad.json()["type"] == unknown["content"]["application/problem+json"]["example"]["type"]
