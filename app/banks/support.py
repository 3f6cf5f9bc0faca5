"""Support services: live signposting data, seeded from question_banks/support_services.yaml.

Not part of any bank version: a corrected helpline number must show at once, on every page.
The file is a list of services (or `services: [...]`), each with the fields of `SupportEntry`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import or_
from sqlmodel import Session, col, select

from app import audit
from app.banks.models import SupportService
from app.banks.problems import Problem, schema_problems
from app.banks.schema import Identifier, NonEmptyText
from app.banks.yaml_files import read_yaml, yaml_message
from app.db import utcnow as now
from app.enums import CrimeGroup

SUPPORT_FILE = "support_services.yaml"
WEBSITE_MAX_LENGTH = 300  # the column's size
WEBSITE_PROBLEM = (
    "must be a web address starting with https:// and naming a site, "
    "for example https://www.victimsupport.org.uk"
)


def is_safe_website(url: str) -> bool:
    """An http(s) address naming a host, with nothing a browser would run or reinterpret.

    Victims follow these links: a `javascript:` or `data:` address would run in our page, a
    `//host` one would leave it, and credentials in it would mislead the reader.
    """
    if not url or len(url) > WEBSITE_MAX_LENGTH or url != url.strip():
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 or ch == "\\" for ch in url):
        return False
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError:
        return False
    return (
        parts.scheme.lower() in ("http", "https")
        and bool(hostname)
        and parts.username is None
        and parts.password is None
    )


class SupportEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Identifier = Field(description="Stable id: change the text freely, never the key.")
    name: NonEmptyText
    helps_with: NonEmptyText
    phone: str = ""
    hours: str = ""
    website: str = Field(default="", description="https:// address of the service's site")
    crime_group: CrimeGroup | None = Field(default=None, description="None: every crime group")
    area: str | None = Field(default=None, description="Local policing area; None: every area")
    sort_order: int = 0

    @field_validator("website")
    @classmethod
    def _website_is_a_web_address(cls, value: str) -> str:
        value = value.strip()
        if value and not is_safe_website(value):
            raise ValueError(WEBSITE_PROBLEM)
        return value


class SupportFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    services: list[SupportEntry]


def _as_file(data: Any) -> Any:
    return {"services": data} if isinstance(data, list) else data


def parse_support_file(path: Path) -> list[SupportEntry]:
    """The entries of a support services file (raises ValueError or ValidationError)."""
    data = read_yaml(path)
    return SupportFile.model_validate(_as_file(data)).services


SUPPORT_PATH = Path(__file__).resolve().parent.parent.parent / "question_banks" / SUPPORT_FILE


def support_service_keys(path: Path = SUPPORT_PATH) -> frozenset[str]:
    """The keys of the support services file (a batch row's `support_service` names one);
    re-read when the file changes, empty when it is missing or unreadable."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:
        return frozenset()
    return _keys(str(path), stamp)


@lru_cache(maxsize=4)
def _keys(path: str, _mtime: int) -> frozenset[str]:
    try:
        return frozenset(entry.key for entry in parse_support_file(Path(path)))
    except (ValueError, yaml.YAMLError):
        return frozenset()


def check_support_file(path: Path, file: str | None = None) -> list[Problem]:
    """Problems of a support services file, in the bank check's shape (the key as the id)."""
    name = file or str(path)
    try:
        data = read_yaml(path)
    except yaml.YAMLError as error:
        return [Problem(name, "(file)", yaml_message(error))]
    try:
        entries = SupportFile.model_validate(_as_file(data)).services
    except ValidationError as error:
        raw = _as_file(data)
        problems = []
        for problem in schema_problems(name, raw, error):
            problems.append(_rename_service(problem, raw))
        return problems
    problems = []
    keys = [entry.key for entry in entries]
    for key in sorted({key for key in keys if keys.count(key) > 1}):
        problems.append(Problem(name, key, f"service key '{key}' is used more than once"))
    for entry in entries:
        if not entry.phone and not entry.website:
            problems.append(Problem(name, entry.key, "give a phone number or a website"))
        if entry.website.lower().startswith("http://"):
            problems.append(
                Problem(
                    name,
                    entry.key,
                    "website: use https:// if the site offers it (an http:// link can be "
                    "changed on the way)",
                    "warning",
                )
            )
    return problems


def _rename_service(problem: Problem, raw: Any) -> Problem:
    # schema_problems names list items by question/section; here the item is a service, whose
    # id is its key: "services[2].phone" → "<key>: phone".
    message = problem.message
    if message.startswith("services[") and isinstance(raw, dict):
        index_text, _, rest = message[len("services[") :].partition("]")
        services = raw.get("services") or []
        if index_text.isdigit() and 0 < int(index_text) <= len(services):
            item = services[int(index_text) - 1]
            key = item.get("key") if isinstance(item, dict) else None
            where = key if isinstance(key, str) and key else f"service {index_text}"
            return Problem(problem.file, where, rest.lstrip(".: ") or message, problem.severity)
    return problem


def load_support_services(session: Session, path: Path, *, actor: str = "cli") -> dict[str, int]:
    """Upsert services by key from `path`; services no longer in the file are removed."""
    entries = parse_support_file(path)
    existing = {row.key: row for row in session.exec(select(SupportService)).all()}
    counts = {"added": 0, "updated": 0, "removed": 0, "unchanged": 0}
    for entry in entries:
        values = entry.model_dump()
        values["crime_group"] = entry.crime_group.value if entry.crime_group else None
        row = existing.pop(entry.key, None)
        if row is None:
            session.add(SupportService(**values))
            counts["added"] += 1
            continue
        changed = False
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
                changed = True
        if changed:
            row.updated_at = now()
            session.add(row)
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    for row in existing.values():
        session.delete(row)
        counts["removed"] += 1
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="support_services.load",
        object_type="support_service",
        detail=dict(counts),
    )
    return counts


def support_services_for(
    session: Session, crime_group: str | None, area: str | None
) -> list[SupportService]:
    """Services for a crime group and area: those for it, then those for everyone."""
    statement = select(SupportService).where(
        or_(
            col(SupportService.crime_group).is_(None),
            col(SupportService.crime_group) == crime_group,
        ),
        or_(col(SupportService.area).is_(None), col(SupportService.area) == area),
    )
    rows = [_with_safe_website(row) for row in session.exec(statement).all()]
    # Specific services first (they know this crime group or area), then by the file's order.
    rows.sort(
        key=lambda row: (
            row.crime_group is None,
            row.area is None,
            row.sort_order,
            row.name,
        )
    )
    return rows


def _with_safe_website(row: SupportService) -> SupportService:
    """The row, or a detached copy without its link if the stored address is unsafe.

    Defence in depth: the file check refuses such addresses, but a row written before it
    (or by hand) must still never become a link on a victim's page. The copy is never added
    to the session, so what is stored stays as it was.
    """
    if not row.website or is_safe_website(row.website):
        return row
    return SupportService.model_validate({**row.model_dump(), "website": ""})
