"""A GOV.UK Notify API double on loopback: checks the client's JWT as Notify does, records
every request it accepted, and can be slowed down (to kill a worker while a call is in flight).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"victim_voice_test-{SERVICE_ID}-{SECRET}"
SMS_TEMPLATE = str(uuid.uuid4())
EMAIL_TEMPLATE = str(uuid.uuid4())
INBOUND_SENDER = str(uuid.uuid4())


@dataclass
class NotifyState:
    """What the double received, and how it answers."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    answer_status: int = 201
    # Seconds to wait after recording a request and before answering it, from the
    # `slow_from`-th request on (1-based).
    delay: float = 0.0
    slow_from: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)
    base_url: str = ""

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    @property
    def references(self) -> list[str]:
        with self.lock:
            return [str(body.get("reference")) for _path, body in self.received]

    def wait_for(self, count: int, timeout: float) -> bool:
        """Wait until `count` requests have arrived; False on timeout."""
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout)

    def settings(self) -> dict[str, str]:
        """The VV_ settings that make the notify sender talk to this double."""
        return {
            "VV_SENDER": "notify",
            "VV_NOTIFY_API_KEY": API_KEY,
            "VV_NOTIFY_BASE_URL": self.base_url,
            "VV_NOTIFY_SMS_TEMPLATE_ID": SMS_TEMPLATE,
            "VV_NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE,
            "VV_NOTIFY_SMS_SENDER_ID": INBOUND_SENDER,
        }


def _handler(state: NotifyState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

        def do_POST(self) -> None:  # noqa: N802
            token = self.headers.get("Authorization", "").removeprefix("Bearer ")
            try:
                claims = jwt.decode(
                    token, SECRET, algorithms=["HS256"], options={"require": ["iat"]}
                )
            except jwt.PyJWTError:
                self._reply(403, {"errors": [{"error": "AuthError", "message": "Invalid token"}]})
                return
            if claims.get("iss") != SERVICE_ID:
                self._reply(403, {"errors": [{"error": "AuthError", "message": "bad iss"}]})
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            with state.arrived:
                state.received.append((self.path, body))
                number = len(state.received)
                state.arrived.notify_all()
            if state.delay and number >= state.slow_from:
                time.sleep(state.delay)
            if state.answer_status != 201:
                self._reply(state.answer_status, {"errors": [{"error": "X", "message": "no"}]})
                return
            self._reply(201, {"id": str(uuid.uuid4()), "reference": body.get("reference")})

        def _reply(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client was killed while we slept: nothing to answer

    return Handler


@contextmanager
def running_notify_double() -> Iterator[NotifyState]:
    """Start the double on a free loopback port; stopped when the block ends."""
    state = NotifyState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
