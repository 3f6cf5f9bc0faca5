"""The crime groups and their contact class, read from `question_banks/crime_groups.yaml`.

Every safe-contact rule asks `is_specialist(slug)`, never compares a slug: a group the file
adds is specialist unless it says `contact: general`, and only an approver can make it so (a
group other than the shipped `general` needs `general_approved_by`, checked against the
database by `victim-voice banks load`; without it the group is treated as specialist here and
`victim-voice banks check` reports an error). Pure: no database, the file cached on its mtime.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
CRIME_GROUPS_FILE = "crime_groups.yaml"
CRIME_GROUPS_PATH = ROOT / "question_banks" / CRIME_GROUPS_FILE

SPECIALIST = "specialist"
GENERAL = "general"
CONTACT_CLASSES = (GENERAL, SPECIALIST)
# The one group shipped as general: it needs no approver's name.
SHIPPED_GENERAL = "general"
# An invitation's crime_group column holds at most 16 characters.
_SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,15}$")
_KEYS = {"slug", "title", "contact", "general_approved_by"}
MAX_TITLE = 80


class CrimeGroupFileError(RuntimeError):
    """The crime group file is missing or malformed (run `victim-voice banks check`)."""


@dataclass(frozen=True, slots=True)
class CrimeGroupEntry:
    slug: str
    title: str
    # What the file says (`specialist` when it says nothing).
    declared: str
    general_approved_by: str | None

    @property
    def needs_approval(self) -> bool:
        """Marked general, but not the shipped group: an approver must be named."""
        return self.declared == GENERAL and self.slug != SHIPPED_GENERAL

    @property
    def contact(self) -> str:
        """The class the rules use: general only when the file may say so."""
        if self.declared == GENERAL and (not self.needs_approval or self.general_approved_by):
            return GENERAL
        return SPECIALIST


def _entry(index: int, item: Any, problems: list[str]) -> CrimeGroupEntry | None:
    where = f"groups[{index}]"
    if not isinstance(item, dict):
        problems.append(f"{where}: must be a mapping with slug, title and contact")
        return None
    unknown = sorted(str(key) for key in item if key not in _KEYS)
    if unknown:
        problems.append(f"{where}: unknown key(s) {', '.join(unknown)}")
    slug, title = item.get("slug"), item.get("title")
    if not isinstance(slug, str) or not _SLUG_RE.match(slug):
        problems.append(f"{where}.slug: must be 1-16 lower-case letters, digits or _")
        return None
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_TITLE:
        problems.append(f"{slug}.title: must be text of 1-{MAX_TITLE} characters")
        title = slug
    declared = item.get("contact", SPECIALIST)
    if declared not in CONTACT_CLASSES:
        problems.append(f"{slug}.contact: must be specialist or general")
        declared = SPECIALIST
    approver = item.get("general_approved_by")
    if approver is not None and (not isinstance(approver, str) or "@" not in approver):
        problems.append(f"{slug}.general_approved_by: must be an approver's email address")
        approver = None
    approved_by = approver.strip().lower() if isinstance(approver, str) else None
    entry = CrimeGroupEntry(slug, title.strip(), declared, approved_by or None)
    if entry.needs_approval and entry.general_approved_by is None:
        problems.append(
            f"{slug}.contact: only an approver can make a group general: name them in "
            "general_approved_by (until then the group is treated as specialist)"
        )
    return entry


def parse_crime_groups(data: Any) -> tuple[list[CrimeGroupEntry], list[str]]:
    """The entries of a parsed file and the problems found (an empty list when it is sound)."""
    if not isinstance(data, dict) or not isinstance(data.get("groups"), list):
        return [], ["the file must hold `groups:`, a list of crime groups"]
    problems: list[str] = []
    entries: list[CrimeGroupEntry] = []
    for index, item in enumerate(data["groups"]):
        entry = _entry(index, item, problems)
        if entry is None:
            continue
        if any(known.slug == entry.slug for known in entries):
            problems.append(f"{entry.slug}: listed twice")
            continue
        entries.append(entry)
    if not entries:
        problems.append("the file lists no crime group")
    return entries, problems


def read_crime_groups(path: Path | None = None) -> tuple[CrimeGroupEntry, ...]:
    """The groups of the file, re-read when it changes; CrimeGroupFileError if unusable."""
    path = path or CRIME_GROUPS_PATH
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise CrimeGroupFileError(f"{path} is missing") from exc
    return _read(str(path), stamp)


@lru_cache(maxsize=4)
def _read(path: str, _mtime: int) -> tuple[CrimeGroupEntry, ...]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = yaml.safe_load(handle)
    except (OSError, yaml.YAMLError) as exc:
        raise CrimeGroupFileError(f"{path} cannot be read as YAML") from exc
    entries, _problems = parse_crime_groups(data)
    if not entries:
        raise CrimeGroupFileError(f"{path} lists no usable crime group")
    # A problem with one entry is for `banks check` to report; the rules stay safe meanwhile
    # because an unapproved general group is treated as specialist.
    return tuple(entries)


def crime_group_slugs() -> tuple[str, ...]:
    return tuple(entry.slug for entry in read_crime_groups())


def contact_class(slug: str) -> str:
    """`general` or `specialist`; a slug the file does not list is specialist (the safe side)."""
    for entry in read_crime_groups():
        if entry.slug == slug:
            return entry.contact
    return SPECIALIST


def is_specialist(slug: str) -> bool:
    return contact_class(slug) == SPECIALIST


def specialist_groups() -> frozenset[str]:
    return frozenset(entry.slug for entry in read_crime_groups() if entry.contact == SPECIALIST)


def crime_group_title(slug: str) -> str:
    for entry in read_crime_groups():
        if entry.slug == slug:
            return entry.title
    return slug
