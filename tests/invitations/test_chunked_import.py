"""An import commits chunk by chunk, so no staff import ever makes a victim's write fail.

The batch is `importing` until its last chunk is in, and nothing of it is sent meanwhile; an
import that fails (an error, or its process killed) is undone, at once or by `purge` an hour
later, and the same rows can then be sent again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.db import as_utc, get_engine, session_scope
from app.db import utcnow as now
from app.enums import Role
from app.invitations.batches import import_rows
from app.invitations.contacts import contact_hash
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, Invitation, InvitationBatch, OutboundMessage
from app.jobs.retention import purge
from tests.auth_helpers import api_headers
from tests.conftest import is_postgres
from tests.invitations.factories import RecordingSender, make_row, phone_number, upload


def rows_for(numbers: range) -> list[dict[str, Any]]:
    return [make_row(phone=phone_number(i), case_ref=f"CR/{i}") for i in numbers]


def count(db: Session, model: Any, *where: Any) -> int:
    db.expire_all()
    total = int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)
    db.rollback()  # end the read: on SQLite every transaction holds the write lock
    return total


def only_batch(db: Session) -> InvitationBatch:
    db.expire_all()
    batches = db.exec(select(InvitationBatch)).all()
    db.rollback()
    assert len(batches) == 1
    return batches[0]


def contact(db: Session, number: int) -> Contact | None:
    db.expire_all()
    found = db.exec(
        select(Contact).where(Contact.contact_hash == contact_hash(phone_number(number)))
    ).first()
    db.rollback()
    return found


def test_a_batch_is_importing_until_whole_and_nothing_of_it_is_sent_meanwhile(
    client: TestClient, db: Session, database_url: str
) -> None:
    headers = api_headers(db, Role.uploader)
    seen: dict[str, Any] = {}
    # Nothing is due while the batch imports; then everything but the cancelled row is.

    def midway(done: int) -> None:
        if done != 7:  # chunks of 3: two are committed, the third is on its way
            return
        with Session(get_engine(database_url)) as other:
            batch_id = other.exec(select(InvitationBatch.id)).one()
        seen["status"] = client.get(f"/api/v1/invitation-batches/{batch_id}", headers=headers)
        seen["sent"] = dispatch_once(sender=RecordingSender()).sent
        # The force cancels one of the rows already stored: it must stay cancelled.
        seen["cancelled"] = client.post(
            "/api/v1/invitation-cancellations", json={"case_ref": "CR/1"}, headers=headers
        )

    with session_scope() as session:
        result = import_rows(
            session, rows_for(range(10)), actor="test", source="json", chunk_size=3,
            on_progress=midway,
        )  # fmt: skip

    status = seen["status"].json()
    assert status["status"] == "importing"
    assert status["accepted"] == 6 and status["statuses"] == {"pending": 6}
    assert seen["sent"] == 0
    assert seen["cancelled"].json() == {"cancelled": 1}
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 9
    assert count(db, OutboundMessage, col(OutboundMessage.status) == "cancelled") == 1
    done = client.get(f"/api/v1/invitation-batches/{result.batch_id}", headers=headers).json()
    assert done["status"] == "complete" and done["accepted"] == 10 and done["rows"] == 10


def test_an_import_that_fails_midway_is_undone_and_can_be_sent_again(db: Session) -> None:
    # An earlier case of contact 100 (the same case's stage would be the ledger's business).
    earlier = upload(db, [make_row(phone=phone_number(100), case_ref="CR/earlier")])
    # Invited long ago (outside cooling-off), so the new batch may invite this contact again.
    long_ago = now() - timedelta(days=100)
    known = contact(db, 100)
    assert known is not None
    known.last_invited_at = long_ago
    db.add(known)
    db.commit()

    def failing_rows() -> Any:
        yield from rows_for(range(100, 101))
        yield from rows_for(range(1, 8))
        raise RuntimeError("the records system went away")

    with pytest.raises(RuntimeError), session_scope() as session:
        import_rows(session, failing_rows(), actor="test", source="json", chunk_size=3)

    failed = db.exec(select(InvitationBatch).where(InvitationBatch.id != earlier.batch_id)).one()
    db.rollback()
    assert failed.status == "failed"
    assert count(db, Invitation, col(Invitation.batch_id) == failed.id) == 0
    assert count(db, OutboundMessage) == 1  # the earlier batch's invitation only
    restored = contact(db, 100)
    assert restored is not None and restored.last_batch_id == earlier.batch_id
    assert restored.last_invited_at is not None
    assert abs(as_utc(restored.last_invited_at) - long_ago) < timedelta(seconds=1)
    assert all(contact(db, i) is None for i in range(1, 8))
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "invitation_batch.failed")).one()
    db.rollback()
    assert event.object_id == failed.id and event.detail["invitations_removed"] == 6

    again = upload(db, rows_for(range(100, 101)) + rows_for(range(1, 8)))
    assert again.accepted == 8 and again.skipped == []


def test_an_import_whose_process_died_is_undone_by_purge_after_an_hour(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.invitations import batches

    # As if the process had been killed: nothing gets the chance to clean up.
    monkeypatch.setattr(batches, "_abandon_after_error", lambda session, batch_id: None)

    def dying_rows() -> Any:
        yield from rows_for(range(1, 8))
        raise SystemExit(9)

    with pytest.raises(SystemExit), session_scope() as session:
        import_rows(session, dying_rows(), actor="test", source="json", chunk_size=3)

    batch = only_batch(db)
    assert batch.status == "importing" and batch.accepted == 6
    assert count(db, OutboundMessage, col(OutboundMessage.status) != "importing") == 0
    assert dispatch_once(sender=RecordingSender()).sent == 0

    with session_scope() as session:
        report = purge(session)  # too early to call it stuck, and its links are not closed
    assert report.imports_abandoned == 0 and report.invitations_closed == 0
    assert count(db, Invitation, col(Invitation.contact_id).is_not(None)) == 6

    with session_scope() as session:
        report = purge(session, at=now() + timedelta(hours=2))
    assert report.imports_abandoned == 1
    assert "1 stuck imports undone" in report.summary()
    assert only_batch(db).status == "failed"
    assert count(db, Invitation) == 0 and count(db, Contact) == 0


def _write_csv(path: Path, rows: int) -> None:
    day = (now().date() - timedelta(days=5)).isoformat()
    lines = ["case_ref,crime_group,touchpoint,touchpoint_date,channel,phone,safe_to_contact"]
    lines += [f"CR/{i},general,reporting,{day},sms,{phone_number(i)},true" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


def test_kill_9_during_a_cli_import_leaves_a_batch_purge_can_undo(
    db: Session, tmp_path: Path
) -> None:
    csv_file = tmp_path / "batch.csv"
    _write_csv(csv_file, 20_000)
    command = [str(Path(sys.executable).parent / "victim-voice"), "invitations", "import"]
    process = subprocess.Popen(
        [*command, str(csv_file)], env=dict(os.environ), stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if count(db, InvitationBatch, col(InvitationBatch.accepted) >= 2000):
                break
            time.sleep(0.05)
        else:
            pytest.fail("the import never got going")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(30)

    batch = only_batch(db)
    assert batch.status == "importing"
    stored = count(db, Invitation)
    assert 2000 <= stored < 20_000 and stored == batch.accepted  # whole chunks only
    assert count(db, OutboundMessage, col(OutboundMessage.status) == "due") == 0
    assert dispatch_once(sender=RecordingSender()).sent == 0

    with session_scope() as session:
        assert purge(session, at=now() + timedelta(hours=2)).imports_abandoned == 1
    assert only_batch(db).status == "failed"
    assert (
        count(db, Invitation) == 0 and count(db, Contact) == 0 and count(db, OutboundMessage) == 0
    )


@pytest.mark.skipif(
    is_postgres(os.environ.get("VV_TEST_DATABASE_URL", "")),
    reason="SQLite's single write lock is what an import used to hold",
)
def test_a_victims_answer_is_saved_promptly_while_a_large_import_runs(
    client: TestClient, db: Session
) -> None:
    from app.survey.models import InProgressAnswer
    from tests.factories import create_bank_version
    from tests.survey.factories import bank_document, create_invitation, token_for

    create_bank_version(db, bank_document())
    token = token_for(create_invitation(db))
    rows = rows_for(range(20_000))
    going = threading.Event()
    failures: list[BaseException] = []

    def progress(done: int) -> None:
        if done == 3000:
            going.set()

    def run_import() -> None:
        try:
            with session_scope() as session:
                import_rows(session, rows, actor="test", source="json", on_progress=progress)
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)
            going.set()

    importer = threading.Thread(target=run_import)
    importer.start()
    try:
        assert going.wait(60)
        started = time.perf_counter()
        response = client.put(
            f"/api/v1/survey/{token}/answers", json={"answers": {"sat_overall": "very_satisfied"}}
        )
        waited = time.perf_counter() - started
        import_still_running = importer.is_alive()
    finally:
        importer.join(120)

    print(f"the victim's save waited {waited * 1000:.0f} ms during the import")
    assert failures == []
    assert response.status_code == 200, response.text
    assert waited < 2.0, f"the victim's save waited {waited:.1f} s for the import"
    assert import_still_running, "the save did not overlap the import"
    assert count(db, InProgressAnswer) == 1
    assert count(db, Invitation) == 20_001
