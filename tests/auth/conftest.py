"""Fixtures of the auth tests: a test-only app with role-protected routes; a live server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class LiveServer:
    """The app served by a real uvicorn on 127.0.0.1, as `victim-voice serve` runs it."""

    base_url: str


@pytest.fixture
def live_server() -> Iterator[LiveServer]:
    """uvicorn in a thread on a free loopback port, with the options `serve` uses."""
    import uvicorn

    from app.cli import UVICORN_OPTIONS
    from app.main import create_app

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        create_app(), host="127.0.0.1", port=port, log_level="warning", **UVICORN_OPTIONS
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start within 10 s"
        time.sleep(0.02)
    yield LiveServer(base_url=f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def served_by_cli() -> Iterator[LiveServer]:
    """`victim-voice serve --workers 2` in its own process group, as deployed (not a thread)."""
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = Path(sys.executable).parent / "victim-voice"
    process = subprocess.Popen(
        [str(command), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so its workers stop with it
    )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        assert time.monotonic() < deadline, "victim-voice serve did not answer within 30 s"
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    yield LiveServer(base_url=base_url)
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
