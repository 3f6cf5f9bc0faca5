"""Support services: seeded from a file by key, live (not versioned), chosen by group and area."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.banks.models import SupportService
from app.banks.support import (
    check_support_file,
    load_support_services,
    parse_support_file,
    support_services_for,
)

SEED = """
services:
  - key: victim_support
    name: Victim Support
    helps_with: Support for anyone affected by crime.
    phone: 08 08 16 89 111
    hours: Open 24 hours
    sort_order: 10
  - key: rape_crisis
    crime_group: rasso
    name: Rape Crisis
    helps_with: Support after rape or sexual abuse.
    phone: 0808 500 2222
    sort_order: 20
  - key: local_idva
    crime_group: vawg
    area: B1
    name: Local IDVA service
    helps_with: Independent domestic violence advisers.
    website: https://example.org/idva
  - key: birmingham_hub
    area: B1
    name: Birmingham victims hub
    helps_with: Local help for victims in Birmingham.
    phone: 0121 000 0000
"""


def _seed(tmp_path: Path, text: str = SEED) -> Path:
    path = tmp_path / "support_services.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_services_for_a_crime_group_and_area(db: Session, tmp_path: Path) -> None:
    counts = load_support_services(db, _seed(tmp_path))
    db.commit()
    assert counts == {"added": 4, "updated": 0, "removed": 0, "unchanged": 0}
    assert [s.key for s in support_services_for(db, "vawg", "B1")] == [
        "local_idva",
        "birmingham_hub",
        "victim_support",
    ]
    assert [s.key for s in support_services_for(db, "rasso", "W2")] == [
        "rape_crisis",
        "victim_support",
    ]
    assert [s.key for s in support_services_for(db, "general", None)] == ["victim_support"]


def test_reload_corrects_a_number_at_once_and_removes_closed_services(
    db: Session, tmp_path: Path
) -> None:
    path = _seed(tmp_path)
    load_support_services(db, path)
    db.commit()
    assert load_support_services(db, path) == {
        "added": 0,
        "updated": 0,
        "removed": 0,
        "unchanged": 4,
    }
    changed = SEED.replace("0808 500 2222", "0808 500 2223").split("  - key: birmingham_hub")[0]
    _seed(tmp_path, changed)
    counts = load_support_services(db, path)
    db.commit()
    assert counts == {"added": 0, "updated": 1, "removed": 1, "unchanged": 2}
    rows = {row.key: row for row in db.exec(select(SupportService)).all()}
    assert set(rows) == {"victim_support", "rape_crisis", "local_idva"}
    assert rows["rape_crisis"].phone == "0808 500 2223"
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "support_services.load")).all()
    assert [event.detail["updated"] for event in events] == [0, 0, 1]


def test_banks_load_seeds_the_shipped_support_file(db: Session, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli

    _seed(tmp_path)
    result = CliRunner().invoke(cli, ["banks", "load", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "support services: 4 added, 0 updated, 0 removed, 0 unchanged" in result.output
    assert len(db.exec(select(SupportService)).all()) == 4


HOSTILE_WEBSITES = [
    "javascript:alert(document.cookie)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/help",
    "https://",
    "https:///path-without-host",
    "www.victimsupport.org.uk",
    "https://user:password@evil.example/",
    "https://example.org/" + "a" * 300,
]


def _one_service(website: str) -> str:
    return (
        "services:\n  - key: helpline\n    name: A helpline\n    helps_with: Someone to talk to.\n"
        f"    phone: '0800 000 000'\n    website: {json.dumps(website)}\n"
    )


@pytest.mark.parametrize("website", HOSTILE_WEBSITES)
def test_support_website_must_be_a_web_address_with_a_host(tmp_path: Path, website: str) -> None:
    path = _seed(tmp_path, _one_service(website))
    problems = check_support_file(path)
    assert [(p.question_id, p.severity) for p in problems] == [("helpline", "error")]
    assert "website" in problems[0].message and "https://" in problems[0].message
    with pytest.raises(ValidationError):
        parse_support_file(path)


def test_banks_load_refuses_a_javascript_website_and_stores_nothing(
    db: Session, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli

    _seed(tmp_path, _one_service("javascript:alert(1)"))
    result = CliRunner().invoke(cli, ["banks", "load", str(tmp_path)])
    assert result.exit_code == 1
    assert "helpline: website: " in result.output and "https://" in result.output
    assert db.exec(select(SupportService)).all() == []


def test_https_and_plain_http_websites_are_accepted_http_with_a_warning(tmp_path: Path) -> None:
    assert check_support_file(_seed(tmp_path, _one_service("https://example.org/help"))) == []
    problems = check_support_file(_seed(tmp_path, _one_service("http://example.org/help")))
    assert [(p.severity, p.question_id) for p in problems] == [("warning", "helpline")]
    assert "https://" in problems[0].message


def test_a_stored_hostile_website_is_never_rendered_as_a_link(
    client: TestClient, db: Session
) -> None:
    """Defence in depth: a row stored before the check (or by hand) shows without its link."""
    from tests.survey.factories import create_invitation, token_for

    for index, website in enumerate(
        ["javascript:alert(1)", "data:text/html,x", "https://ok.example"]
    ):
        db.add(
            SupportService(
                key=f"service-{index}",
                name=f"Service {index}",
                helps_with="Help.",
                phone="0800 000 000",
                website=website,
            )
        )
    db.commit()
    invitation = create_invitation(db, status="withdrawn")
    page = client.get(f"/s/{token_for(invitation)}").text
    assert "Service 0" in page and "Service 1" in page  # still listed, with their phone
    assert "javascript:" not in page and "data:text" not in page
    assert 'href="https://ok.example"' in page
    # Reading them never changed what is stored.
    stored = {row.key: row.website for row in db.exec(select(SupportService)).all()}
    db.commit()
    assert stored["service-0"] == "javascript:alert(1)"
