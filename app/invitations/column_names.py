"""Batch column names under another spelling: refused, never silently ignored.

Columns a batch does not know are ignored (a force's export may carry its own). But a protective
column under a near-miss name (`Under 18`, `under-18`, `Safe_Time`) would be ignored too, and
the row read as saying nothing: a child messaged, a message sent outside the safe time. So a
name that differs from a batch column only in case, spaces, hyphens or underscores is refused.
Pure: the columns are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_NOISE = re.compile(r"[^a-z0-9]")


def _key(name: str) -> str:
    return _NOISE.sub("", name.lower())


def near_misses(names: Iterable[object], columns: Iterable[str]) -> list[tuple[str, str]]:
    """(name given, column meant) for each name that is a batch column in another spelling."""
    exact = set(columns)
    known = {_key(column): column for column in exact}
    return [
        (name, known[_key(name)])
        for name in names
        if isinstance(name, str) and name not in exact and _key(name) in known
    ]


def near_miss_message(column: str) -> str:
    return f"is not a batch column: write it exactly as {column} (it would be ignored)"
