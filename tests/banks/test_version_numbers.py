"""Every route that takes a bank version number (in its path or its query) answers a number no
version can have with a clean 404 or 422, on SQLite and PostgreSQL alike, never a 500.

Each request is otherwise valid (a real bank, a key allowed to do it, a complete body), so the
version number is the only thing the route can refuse: a missing body would answer 422 before the
number was ever looked up, and prove nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.banks.yaml_files import document_as_yaml
from app.enums import Role
from tests.auth_helpers import api_headers, create_staff_user
from tests.banks.conftest import create_loaded_version, fixture_document

HASH = "0" * 64


@dataclass(frozen=True)
class VersionRoute:
    method: str
    path: str  # as the app declares it
    where: str  # "path", or the query parameter holding the number
    json: dict[str, Any] | None = None
    form: dict[str, str] | None = None
    query: dict[str, str] = field(default_factory=dict)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def url(self, number: str) -> str:
        return self.path.format(slug="general", version=number if self.where == "path" else "1")

    def params(self, number: str) -> dict[str, str]:
        if self.where == "path":
            return dict(self.query)
        return {**self.query, self.where: number}


def _draft_json() -> dict[str, Any]:
    return {"document": fixture_document(), "change_note": "n"}


def _draft_form() -> dict[str, str]:
    return {"document": document_as_yaml(fixture_document()), "change_note": "n"}


ROUTES = [
    VersionRoute("GET", "/api/v1/banks/{slug}/versions/{version}", "path"),
    VersionRoute("PUT", "/api/v1/banks/{slug}/drafts/{version}", "path", json=_draft_json()),
    VersionRoute("POST", "/api/v1/banks/{slug}/drafts/{version}/submit", "path"),
    VersionRoute(
        "POST", "/api/v1/banks/{slug}/drafts/{version}/approve", "path", json={"content_hash": HASH}
    ),
    VersionRoute("GET", "/api/v1/banks/{slug}/diff", "from", query={"to": "1"}),
    VersionRoute("GET", "/api/v1/banks/{slug}/diff", "to", query={"from": "1"}),
    VersionRoute("GET", "/staff/banks/{slug}/versions/{version}", "path"),
    VersionRoute("GET", "/staff/banks/{slug}/diff", "from", query={"to": "1"}),
    VersionRoute("GET", "/staff/banks/{slug}/diff", "to", query={"from": "1"}),
    VersionRoute("GET", "/staff/banks/{slug}/drafts/new", "from"),
    VersionRoute("GET", "/staff/banks/{slug}/drafts/{version}/edit", "path"),
    VersionRoute("POST", "/staff/banks/{slug}/drafts/{version}", "path", form=_draft_form()),
    VersionRoute("POST", "/staff/banks/{slug}/drafts/{version}/submit", "path"),
    VersionRoute("GET", "/staff/banks/{slug}/drafts/{version}/approve", "path"),
    VersionRoute(
        "POST", "/staff/banks/{slug}/drafts/{version}/approve", "path", form={"content_hash": HASH}
    ),
]

# No version has any of these numbers. "١" and "١٢" are Arabic-Indic digits (one, twelve):
# Python's int() reads them as 1 and 12, so they must never reach a version that way.
NUMBERS = [
    "99999999999999999999",
    "-1",
    "0",
    str(2**31),
    str(2**63),
    str(2**64),
    "١٢",
    "١",
    "１",  # fullwidth one
    "+1",
    "1_0",
    " 1",
]


def _is_int(annotation: Any) -> bool:
    """int, VersionNumber (an Annotated int), or an optional one."""
    if annotation is int:
        return True
    if get_origin(annotation) is Annotated:
        return _is_int(get_args(annotation)[0])
    return any(_is_int(arg) for arg in get_args(annotation))


def _int_query_params(route: APIRoute) -> set[str]:
    found: set[str] = set()
    stack = [route.dependant]
    while stack:
        dependant = stack.pop()
        stack.extend(dependant.dependencies)
        for param in dependant.query_params:
            if _is_int(param.field_info.annotation):
                found.add(param.alias)
    return found


def _app_version_routes() -> set[tuple[str, str, str]]:
    from app.main import create_app
    from tests.core.test_hostile_input import walk_routes

    found = set()
    for route in walk_routes(create_app().router.routes):
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute) or "/banks/" not in route.path:
            continue
        for method in route.methods - {"HEAD"}:
            if "{version}" in route.path:
                found.add((method, route.path, "path"))
            for name in _int_query_params(original):
                found.add((method, route.path, name))
    return found


def test_every_route_taking_a_version_number_is_checked() -> None:
    assert {(r.method, r.path, r.where) for r in ROUTES} == _app_version_routes()


def _row_counts(db: Session) -> dict[str, int]:
    import app.models  # noqa: F401
    from app.db import metadata

    counts = {
        table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
        for table in metadata.sorted_tables
    }
    db.rollback()  # end the read: SQLite would otherwise hold the app's writes back
    return counts


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: n.encode("unicode_escape").decode())
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r.method} {r.path} {r.where}")
def test_a_version_number_no_version_has_is_404_or_422(
    client: TestClient, db: Session, route: VersionRoute, number: str
) -> None:
    create_loaded_version(db)  # version 1, published: "١" and "+1" must not find it
    admin = create_staff_user(db, Role.admin)
    headers = api_headers(db, Role.admin, user=admin)
    before = _row_counts(db)

    response = client.request(
        route.method,
        route.url(number),
        params=route.params(number),
        json=route.json,
        data=route.form,
        headers=headers,
        follow_redirects=False,
    )

    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    if route.is_api:
        assert response.headers["content-type"] == "application/problem+json"
    else:
        assert response.headers["content-type"].startswith("text/html")
    assert _row_counts(db) == before
