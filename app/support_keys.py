"""The keys of question_banks/support_services.yaml, for the layers below the banks.

A support worker's account and a key are scoped to services by these keys (app/auth), and the
auth layer may not import the banks that load the file. This reads only the keys; the banks
check the whole file (app/banks/support.py) and the row check uses theirs.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

SUPPORT_PATH = Path(__file__).resolve().parent.parent / "question_banks" / "support_services.yaml"


def known_support_services(path: Path = SUPPORT_PATH) -> frozenset[str]:
    """The keys in the file; re-read when it changes, empty when it is missing or unreadable."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _keys(str(path), stamp)


@lru_cache(maxsize=4)
def _keys(path: str, _mtime: int) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as file:
            data = yaml.safe_load(file)
    except (OSError, yaml.YAMLError):
        return frozenset()
    entries = data.get("services") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        return frozenset()
    return frozenset(
        entry["key"]
        for entry in entries
        if isinstance(entry, dict) and isinstance(entry.get("key"), str)
    )
