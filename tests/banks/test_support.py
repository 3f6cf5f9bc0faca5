"""Support services: seeded from a file by key, live (not versioned), chosen by group and area."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select

from app.audit import AuditEvent
from app.banks.models import SupportService
from app.banks.support import load_support_services, support_services_for

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
