"""Which address a sign-in is throttled by: the socket's peer, or a trusted proxy's word."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.auth.client_address import resolve
from app.setting_values import parse_networks
from tests.auth.conftest import LiveServer
from tests.auth_helpers import form_csrf_token

PROXIES = parse_networks("10.0.0.0/8, 192.0.2.10, 2001:db8::/32")


@pytest.mark.parametrize(
    ("peer", "forwarded", "expected"),
    [
        # No trusted proxy: the header is the client's own words and is ignored.
        ("203.0.113.5", ["198.51.100.1"], "203.0.113.5"),
        # The proxy appended the address it saw; what the client wrote to its left is ignored.
        ("10.1.2.3", ["1.1.1.1, 198.51.100.7"], "198.51.100.7"),
        # Two trusted proxies in a row are skipped, from the right.
        ("10.1.2.3", ["6.6.6.6, 198.51.100.7, 192.0.2.10"], "198.51.100.7"),
        # Several header lines read as one list, in order.
        ("10.1.2.3", ["6.6.6.6", "198.51.100.7"], "198.51.100.7"),
        # Nothing forwarded: the proxy itself is the client.
        ("10.1.2.3", [], "10.1.2.3"),
        # Garbage ends the walk at the last hop that can be vouched for.
        ("10.1.2.3", ["198.51.100.7, not-an-address"], "10.1.2.3"),
        ("10.1.2.3", ["198.51.100.7, 300.1.1.1, 10.9.9.9"], "10.9.9.9"),
        # IPv6, and IPv4 written as IPv6.
        ("2001:db8::1", [" 2001:db9::5 "], "2001:db9::5"),
        ("::ffff:10.1.2.3", ["198.51.100.7"], "198.51.100.7"),
        # A test client's made-up peer name is used as it is; no peer at all is "unknown".
        ("testclient", ["198.51.100.7"], "testclient"),
        (None, ["198.51.100.7"], "unknown"),
    ],
)
def test_the_client_address_is_read_from_the_right_past_trusted_proxies(
    peer: str | None, forwarded: list[str], expected: str
) -> None:
    assert resolve(peer, forwarded, PROXIES) == expected


def test_a_bad_trusted_proxies_setting_refuses_to_start(
    settings_override: Callable[..., None],
) -> None:
    from app.settings import get_settings

    settings_override(VV_TRUSTED_PROXIES="10.0.0.0/8, proxy.example")
    with pytest.raises(ValueError, match="proxy.example"):
        get_settings()


def _spray(server: LiveServer, count: int, forwarded: Callable[[int], str]) -> list[int]:
    """`count` wrong passwords, each for a different account, each with its own XFF."""
    statuses = []
    with httpx.Client(base_url=server.base_url, timeout=20) as browser:
        token = form_csrf_token(browser.get("/staff/login").text)
        for index in range(count):
            response = browser.post(
                "/staff/login",
                data={
                    "email": f"person{index}@example.org",
                    "password": "a wrong password",
                    "csrf_token": token,
                },
                headers={"X-Forwarded-For": forwarded(index)},
            )
            statuses.append(response.status_code)
    return statuses


def test_a_spoofed_forwarded_for_does_not_escape_the_address_throttle(
    live_server: LiveServer, db: Session
) -> None:
    # Twenty guesses over twenty accounts from one address, each claiming another address.
    statuses = _spray(live_server, 21, lambda index: f"198.51.100.{index}")
    assert statuses == [400] * 20 + [429]
    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.back_off")).all()
    assert [event.detail["kind"] for event in events] == ["address"]


def test_behind_a_trusted_proxy_each_client_has_its_own_address(
    live_server: LiveServer, db: Session, settings_override: Callable[..., None]
) -> None:
    settings_override(VV_TRUSTED_PROXIES="127.0.0.1")
    # As the proxy forwards them: a different real client each time, and a spoofed entry
    # each client wrote itself (always the same) to the left.
    statuses = _spray(live_server, 25, lambda index: f"6.6.6.6, 198.51.100.{index}")
    assert statuses == [400] * 25
    # One real client behind the proxy spraying is still slowed down, whatever it writes.
    statuses = _spray(live_server, 21, lambda index: f"6.6.6.{index}, 198.51.100.200")
    assert statuses == [400] * 20 + [429]
