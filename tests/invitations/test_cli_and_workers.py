"""The import and dispatch commands, and several workers sending at once."""

from __future__ import annotations

import csv
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, insert, select
from sqlmodel import Session
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.db import new_uuid
from app.db import utcnow as now
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.invitations.rows import COLUMNS
from app.messaging.sender import OutgoingMessage, SendReceipt
from tests.conftest import is_postgres
from tests.invitations.factories import make_row, phone_number

HEADER = list(COLUMNS)


def _csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER)
        writer.writeheader()
        for row in rows:
            writer.writerow({name: row.get(name, "") for name in HEADER})
    return path


def test_import_command_with_progress(tmp_path: Path, db: Session) -> None:
    rows = [
        make_row(phone=phone_number(i), case_ref=f"C{i}", safe_to_contact="true") for i in range(30)
    ]
    rows.append(make_row(phone="07700 900001", safe_to_contact="true"))
    rows.append(make_row(phone=phone_number(2), safe_to_contact="True"))
    path = _csv(tmp_path / "batch.csv", rows)
    result = CliRunner().invoke(cli_app, ["invitations", "import", str(path)])
    # Row 30 is rejected (exit 1 tells a script that some rows were not stored).
    assert result.exit_code == 1, result.output
    assert "32 rows, 30 accepted, 1 rejected, 1 skipped" in result.output
    assert "skipped duplicate: 1" in result.output
    assert "row 30: phone must be a UK mobile number" in result.output
    assert "07700" not in result.output
    assert "Importing rows" in result.output  # the progress bar
    assert db.scalar(select(func.count()).select_from(Invitation)) == 30
    db.commit()


def test_import_command_good_file_and_bad_header(tmp_path: Path) -> None:
    good = _csv(tmp_path / "good.csv", [make_row(safe_to_contact="TRUE")])
    result = CliRunner().invoke(cli_app, ["invitations", "import", str(good)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text("case_ref,phone\nA,07911123456\n")
    result = CliRunner().invoke(cli_app, ["invitations", "import", str(bad)])
    assert result.exit_code == 1
    assert "header.crime_group: column is required" in result.output
    assert "07911" not in result.output
    result = CliRunner().invoke(cli_app, ["invitations", "import", str(tmp_path / "none.csv")])
    assert result.exit_code == 1


def test_dispatch_once_command(tmp_path: Path, settings_override: Any) -> None:
    outbox = tmp_path / "out.jsonl"
    settings_override(VV_OUTBOX_PATH=str(outbox))
    good = _csv(tmp_path / "good.csv", [make_row(safe_to_contact="TRUE")])
    assert CliRunner().invoke(cli_app, ["invitations", "import", str(good)]).exit_code == 0
    result = CliRunner().invoke(cli_app, ["dispatch", "--once"])
    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert json.loads(outbox.read_text())["channel"] == "sms"


class _CountingSender:
    name = "counting"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.references: list[str] = []

    def send(self, message: OutgoingMessage) -> SendReceipt:
        with self.lock:
            self.references.append(message.reference)
        return SendReceipt(provider=self.name)


def _seed_due(db: Session, count: int) -> None:
    """`count` due invitations inserted directly (the import is tested elsewhere)."""
    from app.crypto import encrypt
    from app.invitations.contacts import contact_hash

    batch = InvitationBatch(created_by="test", created_at=now())
    db.add(batch)
    db.flush()
    moment = now()
    contacts = [
        {
            "contact_hash": contact_hash(phone_number(i)),
            "channel": "sms",
            "destination_encrypted": encrypt(phone_number(i)),
            "created_at": moment,
        }
        for i in range(count)
    ]
    db.execute(insert(Contact), contacts)
    ids = list(db.scalars(select(Contact.id).order_by(Contact.id)))
    invitations = []
    messages = []
    for contact_id in ids:
        invitation_id = new_uuid()
        invitations.append(
            {
                "id": invitation_id,
                "batch_id": batch.id,
                "contact_id": contact_id,
                "crime_group": "general",
                "touchpoint": "reporting",
                "touchpoint_date": moment.date(),
                "language": "en",
                "channel": "sms",
                "status": "pending",
                "created_at": moment,
            }
        )
        messages.append(
            {
                "id": new_uuid(),
                "invitation_id": invitation_id,
                "kind": "invitation",
                "status": "due",
                "due_at": moment,
                "attempts": 0,
            }
        )
    db.execute(insert(Invitation), invitations)
    db.execute(insert(OutboundMessage), messages)
    db.commit()


def test_two_workers_send_each_message_exactly_once(db: Session, database_url: str) -> None:
    if not is_postgres(database_url):
        pytest.skip("several dispatch workers need PostgreSQL (SQLite serialises writers)")
    _seed_due(db, 1000)
    sender = _CountingSender()
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            dispatch_once(sender=sender, worker=name)
        except BaseException as exc:  # pragma: no cover - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(sender.references) == 1000
    assert len(set(sender.references)) == 1000
    claimed_by = dict(
        db.execute(
            select(OutboundMessage.claimed_by, func.count())  # type: ignore[call-overload]
            .where(OutboundMessage.kind == "invitation")
            .group_by(OutboundMessage.claimed_by)
        ).all()
    )
    sent = db.scalar(
        select(func.count())
        .select_from(OutboundMessage)
        .where(OutboundMessage.kind == "invitation", OutboundMessage.status == "sent")
    )
    db.commit()
    assert sent == 1000
    # Both workers took part (the claims interleaved rather than one worker doing it all).
    assert set(claimed_by) == {"worker-0", "worker-1"}, claimed_by


def test_sequential_workers_on_any_database(db: Session) -> None:
    _seed_due(db, 40)
    sender = _CountingSender()
    dispatch_once(sender=sender, worker="a", limit=25)
    dispatch_once(sender=sender, worker="b")
    assert sorted(sender.references) == sorted(set(sender.references))
    assert len(sender.references) == 40


def test_dispatch_loop_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    executable = Path(sys.executable).parent / "victim-voice"
    process = subprocess.Popen(
        [str(executable), "dispatch"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "Dispatching every 30 seconds" in first, first
        time.sleep(0.5)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Dispatch stopped." in output


def test_review_command_lists_and_settles(db: Session) -> None:
    """Hand-overs left by a dead worker are held for review; an operator settles them."""
    from datetime import timedelta

    from app.invitations.dispatch import claim_due, take_for_hand_over
    from tests.invitations.factories import upload

    upload(db, [make_row(), make_row(phone=phone_number(9))])
    long_ago = now() - timedelta(hours=1)
    for message_id in claim_due(db, worker="dead", limit=10, at=long_ago):
        assert take_for_hand_over(db, message_id, worker="dead", at=long_ago).outgoing
    db.commit()
    dispatch_once(sender=_CountingSender())  # marks the abandoned hand-overs for review
    ids = list(db.scalars(select(OutboundMessage.id).where(OutboundMessage.status == "review")))
    db.commit()
    listing = CliRunner().invoke(cli_app, ["invitations", "review"])
    assert "2 messages held for review" in listing.output and ids[0] in listing.output
    assert "handed over" in listing.output
    settled = CliRunner().invoke(
        cli_app, ["invitations", "review", "--resend", ids[0], "--sent", ids[1]]
    )
    assert settled.exit_code == 0 and "1 messages held" not in settled.output
    assert "0 messages held for review" in settled.output
    sender = _CountingSender()
    dispatch_once(sender=sender)
    assert sender.references == [ids[0]]


def test_rotate_keys_command(db: Session, settings_override: Any) -> None:
    from cryptography.fernet import Fernet

    from app.crypto import decrypt
    from app.invitations.dispatch import dispatch_once
    from app.invitations.links import link_of
    from app.settings import get_settings
    from tests.invitations.factories import PHONE_E164, RecordingSender, upload

    upload(db, [make_row()])
    dispatch_once(sender=RecordingSender())
    invitation = db.scalars(select(Invitation)).one()
    token = link_of(invitation)
    db.commit()
    old_key = get_settings().encryption_keys
    new_key = Fernet.generate_key().decode()
    settings_override(VV_ENCRYPTION_KEYS=f"{new_key},{old_key}")
    result = CliRunner().invoke(cli_app, ["invitations", "rotate-keys"])
    assert result.exit_code == 0 and "Re-encrypted 1" in result.output
    settings_override(VV_ENCRYPTION_KEYS=new_key)  # the old key can go
    contact = db.scalars(select(Contact)).one()
    db.commit()
    assert decrypt(contact.destination_encrypted or "") == PHONE_E164
    # The link kept for the reminder is re-encrypted too.
    db.expire_all()
    assert token is not None and link_of(db.get(Invitation, invitation.id)) == token
