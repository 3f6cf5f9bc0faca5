"""`victim-voice demo` seeds banks, staff users and a dispatched batch with working links."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.auth.models import StaffUser
from app.banks.models import BankVersion
from app.cli import app
from app.handover.lookup import matches_of


@pytest.fixture(autouse=True)
def _small_history(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests are about banks, users and links: a few invitations of history will do (the
    full history has its own test, test_demo_figures.py)."""
    from app.reporting import demo_responses

    small = {group: {"reporting": 2} for group in demo_responses.VOLUMES}
    monkeypatch.setattr(demo_responses, "VOLUMES", small)


def test_demo_prints_working_links_and_is_repeatable(client: TestClient, db: Session) -> None:
    first = CliRunner().invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    links = re.findall(r"http://testserver/s/\S+", first.output)
    assert len(links) == 5
    assert {user.email for user in db.exec(select(StaffUser))} >= {
        "admin@example.org",
        "isva@example.org",
    }
    assert "look up the crime reference DEMO-0006" in first.output
    # … and the demo's support worker finds it there.
    worker = db.exec(select(StaffUser).where(StaffUser.email == "isva@example.org")).one()
    found = matches_of(db, frozenset(worker.support_scopes), "DEMO-0006")
    assert [(match.crime_group, match.touchpoint) for match in found] == [("rasso", "reporting")]
    assert {v.status for v in db.exec(select(BankVersion))} == {"published"}
    db.rollback()

    opened = client.get(links[0].removeprefix("http://testserver"), follow_redirects=True)
    assert opened.status_code == 200
    assert "Exit this page" in opened.text

    again = CliRunner().invoke(app, ["demo"])
    assert again.exit_code == 0, again.output
    assert len(db.exec(select(BankVersion)).all()) == 3  # nothing published twice


def _approve_in_the_service(db: Session, slug: str) -> int:
    """A partner's change, submitted and approved by someone else, as the staff pages do."""
    from app.banks import service
    from app.banks.versions import approve_draft, create_draft, submit_draft

    published = service.latest_published(db, slug)
    assert published is not None
    document = dict(published.document)
    document["title"] = (
        {**document["title"], "en": "Your views (changed in the service)"}
        if isinstance(document["title"], dict)
        else "Your views (changed in the service)"
    )
    draft, _ = create_draft(db, slug, document, change_note="partner edit", actor="user:7")
    submit_draft(db, slug, draft.version, actor="user:7")
    approve_draft(
        db,
        slug,
        draft.version,
        actor="user:8",
        approver="user:8",
        content_hash=draft.content_hash,
    )
    db.commit()
    return draft.version


def test_demo_after_a_bank_change_approved_in_the_service_still_starts(
    client: TestClient, db: Session
) -> None:
    """`make run` twice: the demo skips the bank whose newest version was made in the service."""
    first = CliRunner().invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    version = _approve_in_the_service(db, "general")

    again = CliRunner().invoke(app, ["demo"])

    assert again.exit_code == 0, again.output
    assert (
        f"general: skipped: its newest version ({version}, published) was made in the service"
        in again.output
    )
    assert "Staff sign-in" in again.output and "Survey links" in again.output
    # The partner's approved work is still what victims see; nothing was published over it.
    db.expire_all()
    versions = [(v.version, v.status, v.source) for v in db.exec(select(BankVersion))]
    db.commit()
    assert (version, "published", "service") in versions
    assert len(versions) == 4  # three banks loaded once, and the partner's version
    # And the links it prints still open the survey.
    links = re.findall(r"http://testserver/s/\S+", again.output)
    assert links
    opened = client.get(links[0].removeprefix("http://testserver"), follow_redirects=True)
    assert opened.status_code == 200


def test_demo_with_an_outbox_holding_lines_it_did_not_write(
    db: Session, settings_override: object, tmp_path: object
) -> None:
    from pathlib import Path

    outbox = Path(str(tmp_path)) / "outbox.jsonl"
    outbox.write_text('{"channel": "sms"}\nnot json\n\n{"body": 3, "reference": []}\n')
    settings_override(VV_OUTBOX_PATH=str(outbox))  # type: ignore[operator]
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert len(re.findall(r"http://testserver/s/\S+", result.output)) == 5


def test_demo_leaves_a_bank_with_a_draft_under_review_alone(db: Session) -> None:
    from app.banks import service
    from app.banks.versions import create_draft, submit_draft

    assert CliRunner().invoke(app, ["demo"]).exit_code == 0
    published = service.latest_published(db, "rasso")
    assert published is not None
    draft, _ = create_draft(
        db, "rasso", dict(published.document), change_note="under way", actor="user:7"
    )
    submit_draft(db, "rasso", draft.version, actor="user:7")
    db.commit()

    again = CliRunner().invoke(app, ["demo"])

    assert again.exit_code == 0, again.output
    assert "rasso: skipped: its newest version (2, in_review) was made in the service" in (
        again.output
    )
    db.expire_all()
    assert service.get_version(db, "rasso", 2).status == "in_review"  # type: ignore[union-attr]
    db.commit()
