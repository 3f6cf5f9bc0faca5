"""Fixtures of the auth tests: a test-only app with role-protected routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import Depends, FastAPI, Form, Request
from fastapi.testclient import TestClient

from app.auth.deps import Caller, require_roles
from app.enums import Role


def add_role_routes(app: FastAPI) -> FastAPI:
    """Routes behind require_roles, as other domains declare them (one with a path parameter)."""

    @app.get("/api/v1/test-only/banks/{slug}")
    def read_bank(slug: str, caller: Caller = Depends(require_roles(Role.editor))) -> dict:
        return {"actor": caller.actor, "may_edit": caller.may_edit(slug)}

    @app.post("/api/v1/test-only/batches")
    def upload(caller: Caller = Depends(require_roles(Role.uploader))) -> dict:
        return {"actor": caller.actor}

    @app.get("/api/v1/test-only/reports")
    def report(caller: Caller = Depends(require_roles(Role.analyst, Role.approver))) -> dict:
        return {"actor": caller.actor}

    @app.post("/test-only/notes")
    def save_note(
        note: Annotated[str, Form()],
        caller: Caller = Depends(require_roles(Role.victims_team)),
    ) -> dict:
        return {"actor": caller.actor, "note": note}

    @app.post("/test-only/raw")
    async def raw_body(
        request: Request, caller: Caller = Depends(require_roles(Role.victims_team))
    ) -> dict:
        return {"body": (await request.body()).decode()}

    return app


@pytest.fixture
def role_client() -> Iterator[TestClient]:
    """A client of an app that also has the test-only role-protected routes."""
    from app.main import create_app

    with TestClient(add_role_routes(create_app()), raise_server_exceptions=False) as client:
        yield client
