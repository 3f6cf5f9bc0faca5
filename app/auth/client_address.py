"""The address a request came from, for throttling: the socket's peer, or what a trusted proxy
says it forwarded.

`X-Forwarded-For` is believed only when the peer that sent the request is named in
`VV_TRUSTED_PROXIES` (comma-separated addresses or CIDR networks; empty by default, so the header
is ignored). The list is read from the right, where each trusted proxy appended the address it
received the request from: the first address that is not itself a trusted proxy is the client.
Anything to the left of it was written by the client and is never read, so nobody can choose the
address they are throttled by. A malformed entry ends the walk at the last trusted hop.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from fastapi import Request

from app.setting_values import IPNetwork
from app.settings import get_settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Used when the server cannot tell (no socket peer): one shared subject, never none.
UNKNOWN = "unknown"


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:1.2.3.4 is 1.2.3.4
    return address


def _trusted(address: IPAddress, proxies: Sequence[IPNetwork]) -> bool:
    return any(address.version == net.version and address in net for net in proxies)


def resolve(peer: str | None, forwarded_for: Sequence[str], proxies: Sequence[IPNetwork]) -> str:
    """The client's address from the socket peer and the X-Forwarded-For header values."""
    hop = _address(peer) if peer else None
    if hop is None:
        return peer or UNKNOWN
    entries = [entry for value in forwarded_for for entry in value.split(",")]
    while _trusted(hop, proxies) and entries:
        previous = _address(entries.pop())
        if previous is None:
            break  # garbage from or through a proxy: keep the last hop we can vouch for
        hop = previous
    return str(hop)


def client_address(request: Request) -> str:
    """The address this request is throttled by (see the module docstring)."""
    peer = request.client.host if request.client else None
    return resolve(
        peer, request.headers.getlist("x-forwarded-for"), get_settings().trusted_proxy_networks
    )
