"""The demo batch gives working survey links from the outbox."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.invitations.demo import DEMO_ROWS, seed_demo_batch
from app.invitations.links import is_well_formed
from app.settings import get_settings


def test_the_demo_sends_its_links_in_quiet_hours_too(db: Session, settings_override: Any) -> None:
    """`make run` at night must still print links: quiet hours are checked at sending too."""
    settings_override(VV_QUIET_HOURS="00:00-23:59")
    lines = seed_demo_batch(db)
    assert f"{len(DEMO_ROWS) - 1} messages written" in lines[0], lines[0]
    assert get_settings().quiet_hours == "00:00-23:59"  # restored after


def test_demo_batch_prints_working_links(db: Session, client: TestClient) -> None:
    lines = seed_demo_batch(db)
    assert lines[0].startswith("Demo batch") and f"{len(DEMO_ROWS)} accepted" in lines[0]
    links = [line.split(": ")[-1] for line in lines[1:]]
    # Every row but the one a support service hands over (no message is sent for it).
    direct = [row for row in DEMO_ROWS if row.get("contact_via") != "support_service"]
    assert len(direct) == len(DEMO_ROWS) - 1
    assert len(links) == len(direct)
    for link in links:
        token = link.removeprefix("http://testserver/s/")
        assert is_well_formed(token)
        assert client.get(f"/api/v1/survey/{token}").status_code not in (404, 410)
    # Again: the contacts are cooling off, and the same links are shown.
    again = seed_demo_batch(db)
    # The support service's row too: its stage is in the case-stage ledger, keyed by the service.
    assert "0 accepted" in again[0]
    assert sorted(again[1:]) == sorted(lines[1:])
