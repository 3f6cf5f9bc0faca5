"""Redirects never take their address from the request's Host header.

Behind a load balancer any Host can arrive (health checks send their own), so no Host is
refused; but a `Location` built from it would send a victim to whoever forged the header (and
poison a shared cache). Every redirect is a path on this site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import _IncludedRouter
from fastapi.testclient import TestClient

HOSTILE = {"host": "evil.example"}


def _routes(app: FastAPI) -> Iterator[tuple[str, set[str]]]:
    def walk(routes: list) -> Iterator[tuple[str, set[str]]]:  # type: ignore[type-arg]
        for route in routes:
            if isinstance(route, _IncludedRouter):
                yield from walk(route.effective_candidates())  # type: ignore[arg-type]
                continue
            path = getattr(route, "path", None) or getattr(route, "path_format", None)
            methods = getattr(route, "methods", None) or {"GET"}
            if path:
                yield path, set(methods) - {"HEAD"}

    return walk(app.routes)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def _slash_twin(path: str) -> str:
    return path.rstrip("/") if path.endswith("/") else path + "/"


def _assert_on_this_site(response_location: str | None, asked: str) -> None:
    if response_location is None:
        return
    # A path on this site, or a fixed address of the service's own choosing (the quick exit).
    assert "evil.example" not in response_location, (asked, response_location)
    assert not response_location.startswith("//"), (asked, response_location)


def test_no_redirect_anywhere_names_a_hostile_host(client: TestClient) -> None:
    routes = list(_routes(client.app))  # type: ignore[arg-type]
    assert len(routes) > 60  # the walk found the app's routes (FastAPI internals changed?)
    slash_redirects = 0
    for path, methods in routes:
        concrete = _concrete(path)
        for method in sorted(methods):
            asked = _slash_twin(concrete)
            response = client.request(method, asked, headers=HOSTILE, follow_redirects=False)
            location = response.headers.get("location")
            _assert_on_this_site(location, f"{method} {asked}")
            if response.status_code in (307, 308):
                slash_redirects += 1
                assert location == concrete, (asked, location)
        if "GET" in methods:
            response = client.get(concrete, headers=HOSTILE, follow_redirects=False)
            _assert_on_this_site(response.headers.get("location"), f"GET {concrete}")
    assert slash_redirects > 50


def test_staff_home_without_its_slash_redirects_on_this_site(client: TestClient) -> None:
    response = client.get("/staff", headers=HOSTILE, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/staff/"
    # Followed, it reaches the sign-in page (still on this site).
    home = client.get("/staff/", headers=HOSTILE, follow_redirects=False)
    assert home.headers["location"].startswith("/staff/login")


def test_slash_redirect_keeps_the_query_string(client: TestClient) -> None:
    response = client.get(
        "/staff/login/?next=%2Fstaff%2Fbanks", headers=HOSTILE, follow_redirects=False
    )
    assert response.status_code == 307
    assert response.headers["location"] == "/staff/login?next=%2Fstaff%2Fbanks"


def test_a_path_that_looks_like_another_site_is_not_redirected_there(
    client: TestClient,
) -> None:
    for asked in [
        "//evil.example/",
        "//evil.example",
        "/\\evil.example/",
        "///evil.example/",
        "/%2Fevil.example/",
        "/%5Cevil.example/",
    ]:
        response = client.get(asked, headers=HOSTILE, follow_redirects=False)
        location = response.headers.get("location")
        if location is not None:
            assert not location.startswith("//") and "\\" not in location, (asked, location)


def test_any_host_header_is_still_answered(client: TestClient) -> None:
    """A load balancer's health check sends its own Host: it is answered, not refused."""
    for host in ["evil.example", "10.0.0.7:8000", "internal-lb.local"]:
        response = client.get("/healthz", headers={"host": host})
        assert response.status_code == 200 and response.json() == {"status": "ok"}
    page = client.get("/accessibility", headers=HOSTILE)
    assert page.status_code == 200 and "evil.example" not in page.text
