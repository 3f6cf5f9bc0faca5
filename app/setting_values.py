"""Parsers of setting values that are more than a word: the settings check them when they load
(a bad value stops the service at start), and the domains use what they return.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import time

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_QUIET_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A local (Europe/London) window with no messages; `start > end` wraps past midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_quiet_hours(value: str) -> QuietHours | None:
    """`"20:00-09:00"` → QuietHours; `"none"` (or empty) → None. Raises ValueError otherwise."""
    if value.strip().lower() in ("", "none", "off"):
        return None
    match = _QUIET_RE.match(value)
    if not match:
        raise ValueError("VV_QUIET_HOURS must look like 20:00-09:00, or be none")
    sh, sm, eh, em = (int(part) for part in match.groups())
    return QuietHours(time(sh, sm), time(eh, em))


def parse_networks(value: str) -> list[IPNetwork]:
    """`VV_TRUSTED_PROXIES` as networks; ValueError naming the entry that is not one."""
    networks: list[IPNetwork] = []
    for part in value.split(","):
        entry = part.strip()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError as exc:
            raise ValueError(
                f"VV_TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network"
            ) from exc
    return networks
