"""`victim-voice demo` seeds banks, staff users and a dispatched batch with working links."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.models import StaffUser
from app.banks.models import BankVersion
from app.cli import app


def test_demo_prints_working_links_and_is_repeatable(client: TestClient, db: Session) -> None:
    first = CliRunner().invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    links = re.findall(r"http://testserver/s/\S+", first.output)
    assert len(links) == 5
    assert {user.email for user in db.exec(select(StaffUser))} >= {"admin@example.org"}
    assert {v.status for v in db.exec(select(BankVersion))} == {"published"}
    db.rollback()

    opened = client.get(links[0].removeprefix("http://testserver"), follow_redirects=True)
    assert opened.status_code == 200
    assert "Exit this page" in opened.text

    again = CliRunner().invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    assert len(db.exec(select(BankVersion)).all()) == 3  # nothing published twice
