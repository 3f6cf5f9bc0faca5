"""Crime groups come from question_banks/crime_groups.yaml, each with a contact class."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from app import crime_groups
from app.crime_groups import (
    CRIME_GROUPS_PATH,
    CrimeGroupFileError,
    contact_class,
    crime_group_title,
    is_specialist,
    parse_crime_groups,
    read_crime_groups,
    specialist_groups,
)
from app.enums import CRIME_GROUPS, CrimeGroup

APP = Path(__file__).resolve().parents[2] / "app"


def test_shipped_groups_and_their_contact_class() -> None:
    assert CRIME_GROUPS == ("general", "rasso", "vawg")
    assert [group.value for group in CrimeGroup] == list(CRIME_GROUPS)
    assert contact_class("general") == "general"
    assert contact_class("rasso") == "specialist"
    assert is_specialist("vawg")
    assert specialist_groups() == frozenset({"rasso", "vawg"})
    assert crime_group_title("rasso") == "Rape and serious sexual offences"


def test_an_unknown_slug_is_specialist() -> None:
    assert is_specialist("not_listed")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_contact_class_is_read_from_the_file_and_follows_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write(
        tmp_path / "crime_groups.yaml",
        "groups:\n"
        "  - {slug: general, title: General, contact: general}\n"
        "  - {slug: hate, title: Hate crime}\n"  # no contact: specialist
        "  - {slug: fraud, title: Fraud, contact: general, general_approved_by: a@example.org}\n"
        "  - {slug: theft, title: Theft, contact: general}\n",  # no approver: specialist
    )
    monkeypatch.setattr(crime_groups, "CRIME_GROUPS_PATH", path)
    assert crime_groups.crime_group_slugs() == ("general", "hate", "fraud", "theft")
    assert contact_class("hate") == "specialist"
    assert contact_class("fraud") == "general"
    assert contact_class("theft") == "specialist"
    # A changed file is read again (cached on its modification time).
    _write(path, "groups:\n  - {slug: hate, title: Hate crime, contact: specialist}\n")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    assert crime_groups.crime_group_slugs() == ("hate",)
    assert is_specialist("fraud")  # no longer listed


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("groups: nope", "must hold `groups:`"),
        ("groups:\n  - {slug: Bad Slug, title: X}", "slug: must be"),
        ("groups:\n  - {slug: a, title: X, contact: sometimes}", "specialist or general"),
        ("groups:\n  - {slug: a, title: X}\n  - {slug: a, title: Y}", "listed twice"),
        ("groups:\n  - {slug: a, title: X, colour: red}", "unknown key"),
        ("groups:\n  - {slug: a, title: X, contact: general}", "only an approver"),
        ("groups: []", "no crime group"),
    ],
)
def test_problems_of_the_file(text: str, problem: str) -> None:
    import yaml

    _entries, problems = parse_crime_groups(yaml.safe_load(text))
    assert any(problem in found for found in problems), problems


def test_a_missing_or_empty_file_stops_the_service(tmp_path: Path) -> None:
    with pytest.raises(CrimeGroupFileError):
        read_crime_groups(tmp_path / "absent.yaml")
    with pytest.raises(CrimeGroupFileError):
        read_crime_groups(_write(tmp_path / "empty.yaml", "groups: []\n"))


def test_shipped_file_has_no_problem() -> None:
    import yaml

    entries, problems = parse_crime_groups(yaml.safe_load(CRIME_GROUPS_PATH.read_text()))
    assert problems == []
    assert {entry.slug: entry.contact for entry in entries} == {
        "general": "general",
        "rasso": "specialist",
        "vawg": "specialist",
    }


# Literal slugs may appear only as data: words a message must never contain, demo rows.
_SLUG_ALLOWED = {
    "messaging/message_lint.py",
    "messaging/neutral_words.py",
    "invitations/demo.py",
    "demo.py",
    "reporting/demo_responses.py",
    "reporting/demo_actions.py",
    "enums.py",
}


def test_no_rule_in_app_keys_on_a_slug() -> None:
    found = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        if relative in _SLUG_ALLOWED:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"[\"'](rasso|vawg)[\"']", line):
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == [], "rules key on contact class (app/crime_groups.py), never a slug"
