"""Who may call what: every staff endpoint of /api/v1, for every role and for nobody.

The table below is written from docs/api-contract.md (the Roles paragraph and the endpoint
tables), plus the extras the code adds (drop-off for a bank's editors, reading a
self-assessment). A new endpoint fails `test_the_table_covers_every_endpoint` until it is added
here, so nobody can ship a route without deciding who may call it.

A caller outside the allowed roles gets 403 whatever the body or parameters (the role check
runs before any validation), and the refusal is kept as an `access.denied` audit event. A caller
inside gets anything but 401/403 (and no 500): usually 404 or 422 for the empty body sent.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.audit import AuditEvent
from app.enums import Role
from tests.auth_helpers import api_headers, create_staff_user

API = "/api/v1"
# Not staff endpoints: the survey is authorised by its token, Notify by its own bearer token.
EXCLUDED_PREFIXES = (f"{API}/survey/", f"{API}/callbacks/")
EXCLUDED_PATHS = {f"{API}/openapi.json"}

ROLES = [role.value for role in Role]
assert sorted(ROLES) == sorted(
    ["admin", "approver", "editor", "analyst", "uploader", "victims_team", "support_worker"]
)
# A support worker alone has no power beyond their own pages (issue 12).
STAFF = frozenset(ROLES) - {"support_worker"}
EDITOR_BANK = "general"  # the editor's key is scoped to this bank; {slug} is this bank too


def _only(*roles: str) -> frozenset[str]:
    return frozenset({"admin", *roles})  # admin may do everything


ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/me"): STAFF,
    # Question banks
    ("GET", "/banks"): STAFF,
    ("GET", "/banks/{slug}"): STAFF,
    ("GET", "/banks/{slug}/versions"): STAFF,
    ("GET", "/banks/{slug}/versions/{version}"): STAFF,
    ("POST", "/banks/{slug}/drafts"): _only("editor"),
    ("PUT", "/banks/{slug}/drafts/{version}"): _only("editor"),
    ("POST", "/banks/{slug}/drafts/{version}/submit"): _only("editor"),
    ("POST", "/banks/{slug}/drafts/{version}/approve"): _only("approver"),
    ("GET", "/banks/{slug}/diff"): STAFF,
    # Invitations
    ("POST", "/invitation-batches"): _only("uploader"),
    ("GET", "/invitation-batches/{batch_id}"): _only("uploader"),
    ("POST", "/invitation-cancellations"): _only("uploader"),
    # Aggregates
    ("GET", "/metrics"): _only("analyst"),
    ("GET", "/aggregates/victims-code"): _only("analyst"),
    ("GET", "/aggregates/funnel"): _only("analyst"),
    ("GET", "/aggregates/skipped"): _only("analyst"),
    ("GET", "/aggregates/dropoff"): _only("analyst", "editor"),  # editor of ?bank= only
    ("GET", "/aggregates/crosstab"): _only("analyst"),  # issue 14: named by us
    ("GET", "/aggregates/{metric_id}"): _only("analyst"),
    ("PUT", "/self-assessments/{period}"): _only("uploader"),
    ("GET", "/self-assessments/{period}"): _only("uploader", "analyst"),
    # Compliance evidence (issue 14; paths named by us, not in the contract)
    ("GET", "/compliance/moj-metrics"): _only("analyst"),
    ("GET", "/compliance/reviews"): _only("approver", "uploader", "analyst"),
    ("POST", "/compliance/reviews"): _only("approver", "uploader"),
    # Comments, "you said, we did", "contact me"
    ("GET", "/comments"): _only("analyst"),
    ("POST", "/comments/{comment_id}/quotable"): _only("analyst"),
    ("GET", "/actions"): STAFF,
    ("POST", "/actions"): _only("approver"),
    ("PATCH", "/actions/{action_id}"): _only("approver"),  # issue 15: named by us
    ("GET", "/contact-requests"): _only("victims_team"),
    ("POST", "/contact-requests/{request_id}/close"): _only("victims_team"),
}

# Query parameters without which the role itself cannot be decided (the bank of the editor).
QUERY: dict[tuple[str, str], dict[str, str]] = {
    ("GET", "/aggregates/dropoff"): {"bank": EDITOR_BANK},
}

# 403s answered without an `access.denied` audit event (app bugs; see each reason).
# 403s answered without an `access.denied` audit event (app bugs): none known. An entry here
# marks those cases xfail(strict=True) with its reason.
UNAUDITED: dict[tuple[str, str], str] = {}


def _path_values() -> dict[str, str]:
    return {
        "slug": EDITOR_BANK,
        "version": "1",
        "batch_id": str(uuid.uuid4()),
        "id": str(uuid.uuid4()),
        "comment_id": str(uuid.uuid4()),
        "request_id": str(uuid.uuid4()),
        "action_id": "1",
        "period": "2026-Q3",
        "metric_id": "satisfaction.overall",
    }


def _staff_operations() -> list[tuple[str, str]]:
    from app.main import create_app

    operations = []
    for path, methods in create_app().openapi()["paths"].items():
        if path in EXCLUDED_PATHS or path.startswith(EXCLUDED_PREFIXES):
            continue
        assert path.startswith(API + "/"), path
        for method in methods:
            if method in {"get", "post", "put", "patch", "delete"}:
                operations.append((method.upper(), path.removeprefix(API)))
    return sorted(operations)


OPERATIONS = _staff_operations()


def _cases() -> Iterator[Any]:
    for method, path in OPERATIONS:
        allowed = ALLOWED.get((method, path), frozenset())
        for role in [None, *ROLES]:
            marks = []
            if role is not None and role not in allowed and (method, path) in UNAUDITED:
                marks.append(pytest.mark.xfail(strict=True, reason=UNAUDITED[(method, path)]))
            yield pytest.param(
                method, path, role, id=f"{method} {path} as {role or 'nobody'}", marks=marks
            )


def test_the_table_covers_every_endpoint() -> None:
    assert set(OPERATIONS) == set(ALLOWED)


def _denials(db: Session) -> list[tuple[str, str]]:
    """(actor, object_id) of every access.denied event, read in a transaction closed at once."""
    db.expire_all()
    events = [
        (event.actor, event.object_id)
        for event in db.scalars(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    ]
    db.rollback()  # end the read: SQLite would otherwise hold the app's writes back
    return events


def _event_count(db: Session) -> int:
    total = int(db.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    db.rollback()
    return total


@pytest.mark.parametrize(("method", "path", "role"), list(_cases()))
def test_role_matrix(
    client: TestClient, db: Session, method: str, path: str, role: str | None
) -> None:
    url = API + path.format(**_path_values())
    headers: dict[str, str] = {}
    if role is not None:
        banks = [EDITOR_BANK] if role == "editor" else []
        # Bound to a person holding the same roles: only a bound key may approve a bank
        # version (an unbound approver key's 403 is tested in tests/banks/test_approval.py).
        user = create_staff_user(db, Role(role), banks=banks)
        headers = api_headers(db, Role(role), banks=banks, user=user)
    kwargs: dict[str, Any] = {"headers": headers, "params": QUERY.get((method, path), {})}
    if method in {"POST", "PUT", "PATCH"}:
        kwargs["json"] = {}  # a body no endpoint accepts: the role check must come first
    before = len(_denials(db))
    events_before = _event_count(db)

    response = client.request(method, url, **kwargs)

    if role is None:
        assert response.status_code == 401, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert len(_denials(db)) == before  # nobody to audit: a 401 is not a denial
        return
    if role in ALLOWED[(method, path)]:
        assert response.status_code not in (401, 403), response.text
        assert response.status_code < 500, response.text
        return
    assert response.status_code == 403, response.text
    assert response.headers["content-type"] == "application/problem+json"
    denials = _denials(db)
    assert len(denials) == before + 1, f"no access.denied audit event for {method} {path}"
    actor, object_id = denials[-1]
    assert actor.startswith("key:")
    # The route template (with or without the /api/v1 prefix), never the concrete path.
    assert object_id in (API + path, path)
    assert _event_count(db) == events_before + 1, "a refused call writes only its denial"


# --- An unexpected error -----------------------------------------------------------------------


def _assert_security_headers(response: Any) -> None:
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["Cache-Control"] == "no-store"


def test_unexpected_500_is_safe_and_keeps_security_headers() -> None:
    from app.main import create_app

    app = create_app()

    @app.get("/api/v1/test-boom")
    def api_boom() -> None:
        raise RuntimeError("secret-input")

    @app.get("/test-boom-page")
    def page_boom() -> None:
        raise RuntimeError("secret-input")

    with TestClient(app, raise_server_exceptions=False) as test_client:
        api = test_client.get("/api/v1/test-boom")
        page = test_client.get("/test-boom-page")

    assert api.status_code == 500
    assert api.headers["content-type"] == "application/problem+json"
    body = api.json()
    assert body["status"] == 500 and body["title"] and body["type"]
    assert page.status_code == 500 and "text/html" in page.headers["content-type"]
    assert "govuk-template" in page.text
    assert "Sorry, there is a problem with the service" in page.text
    for response in (api, page):
        assert "secret-input" not in response.text
        assert "Traceback" not in response.text and "RuntimeError" not in response.text
        _assert_security_headers(response)


# --- Readiness -------------------------------------------------------------------------------

UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/x"


def test_readyz_is_503_when_the_database_is_unreachable(settings_override: Any) -> None:
    from app.db import dispose_engines
    from app.main import create_app

    settings_override(VV_DATABASE_URL=UNREACHABLE)
    try:
        test_client = TestClient(create_app(), raise_server_exceptions=False)
        response = test_client.get("/readyz")
        assert response.status_code == 503
        assert response.json()["database"] == "unreachable"
        assert "nobody" not in response.text and "127.0.0.1" not in response.text
        _assert_security_headers(response)
        assert test_client.get("/healthz").status_code == 200  # alive, just not ready
    finally:
        dispose_engines()  # drops the engine for the unreachable URL (others are rebuilt)
