"""Attacks on retrying an import that died: nobody cancelled or opted out is messaged, and
nobody is messaged twice, however the retry, purge, dispatch and another import interleave.

The race tests run on PostgreSQL (each thread its own session); the rest run on both.
"""

from __future__ import annotations

import os
import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.db import session_scope
from app.db import utcnow as now
from app.invitations.batches import import_rows
from app.invitations.cancellations import cancel_invitations
from app.invitations.contacts import contact_hash
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Contact, InvitationBatch, OutboundMessage
from app.invitations.optout import opt_out_contact
from app.jobs.retention import purge
from tests.invitations.factories import RecordingSender, make_row, phone_number
from tests.invitations.test_import_retry import _die_midway

RACE_SECONDS = 20.0
on_postgres = pytest.mark.skipif(
    not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
)


def row(number: int) -> dict[str, Any]:
    return make_row(phone=phone_number(number), case_ref=f"CR/{number}")


FILE = [row(i) for i in range(1, 13)]
CANCELLED = 2  # in the dead import's first chunk


def _sent(sender: RecordingSender) -> Counter[str]:
    return Counter(message.to for message in sender.sent)


def _retry(rows: list[dict[str, Any]] = FILE, chunk_size: int = 3) -> dict[str, Any]:
    with session_scope() as session:
        return import_rows(
            session, rows, actor="test", source="json", chunk_size=chunk_size
        ).as_dict()


def _nothing_left_importing(db: Session) -> None:
    db.expire_all()
    left = db.exec(select(OutboundMessage).where(col(OutboundMessage.status) == "importing"))
    assert left.all() == []
    db.rollback()


@pytest.mark.parametrize("purged", ["purge first", "retry first", "no purge"])
def test_a_case_cancelled_while_its_import_was_dying_is_never_messaged_by_the_retry(
    db: Session, monkeypatch: pytest.MonkeyPatch, purged: str
) -> None:
    _die_midway(monkeypatch, FILE, after=4)  # contacts 1-3 stored, messages importing
    with session_scope() as session:
        assert cancel_invitations(session, case_ref=f"CR/{CANCELLED}", touchpoint=None, actor="t")
    if purged == "purge first":
        with session_scope() as session:
            assert purge(session, at=now() + timedelta(hours=2)).imports_abandoned == 1

    answer = _retry()
    if purged == "retry first":
        with session_scope() as session:
            assert purge(session, at=now() + timedelta(hours=2)).imports_abandoned == 1
    sender = RecordingSender()
    dispatch_once(sender=sender)

    sent = _sent(sender)
    assert phone_number(CANCELLED) not in sent
    assert set(sent) == {phone_number(i) for i in range(1, 13) if i != CANCELLED}
    assert all(times == 1 for times in sent.values()), sent
    # The cancelled stage of that case stays in the case-stage ledger: the same stage again
    # is not invited (stage_allocation; cooling-off is for other cases of the contact).
    assert {"row": CANCELLED - 1, "reason": "stage_allocation"} in answer["skipped"]
    # Sending the file once more still messages nobody again.
    _retry()
    again = RecordingSender()
    dispatch_once(sender=again)
    assert again.sent == []


@pytest.mark.parametrize("purged", ["purge first", "no purge"])
def test_a_contact_who_opted_out_while_the_import_was_dying_is_never_messaged_by_the_retry(
    db: Session, monkeypatch: pytest.MonkeyPatch, purged: str
) -> None:
    _die_midway(monkeypatch, FILE, after=4)
    with session_scope() as session:
        found = session.exec(
            select(Contact).where(Contact.contact_hash == contact_hash(phone_number(1)))
        ).one()
        opt_out_contact(session, found, source="test")
    if purged == "purge first":
        with session_scope() as session:
            purge(session, at=now() + timedelta(hours=2))
    answer = _retry()
    sender = RecordingSender()
    dispatch_once(sender=sender)
    sent = _sent(sender)
    assert phone_number(1) not in sent
    assert len(sent) == 11 and all(times == 1 for times in sent.values())
    assert {"row": 0, "reason": "opted_out"} in answer["skipped"]


def _together(*actions: Callable[[], Any]) -> list[Any]:
    """Run the actions in threads released at once; their results (or exceptions)."""
    start = threading.Barrier(len(actions))
    results: list[Any] = [None] * len(actions)

    def run(index: int) -> None:
        start.wait(RACE_SECONDS)
        try:
            results[index] = actions[index]()
        except Exception as exc:  # noqa: BLE001 - reported by the test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_SECONDS)
    assert not any(thread.is_alive() for thread in threads), "a racer hung"
    return results


@on_postgres
@pytest.mark.parametrize("dead_first", [False, True])
def test_two_imports_of_the_same_rows_at_once_message_everyone_once(
    db: Session, monkeypatch: pytest.MonkeyPatch, dead_first: bool
) -> None:
    if dead_first:
        _die_midway(monkeypatch, FILE, after=7)
    results = _together(lambda: _retry(chunk_size=2), lambda: _retry(chunk_size=3))
    assert not any(isinstance(result, Exception) for result in results), results
    sender = RecordingSender()
    dispatch_once(sender=sender)
    with session_scope() as session:
        purge(session, at=now() + timedelta(hours=2))
    dispatch_once(sender=sender)
    sent = _sent(sender)
    assert set(sent) == {phone_number(i) for i in range(1, 13)}
    assert all(times == 1 for times in sent.values()), sent
    _nothing_left_importing(db)


@on_postgres
def test_a_retry_racing_dispatch_messages_everyone_once(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A complete batch whose messages are due, then a dead import of the next file.
    _retry(FILE[:6])
    _die_midway(monkeypatch, FILE[6:], after=4)
    sender = RecordingSender()
    results = _together(
        lambda: _retry(FILE[6:], chunk_size=1), lambda: dispatch_once(sender=sender)
    )
    assert not any(isinstance(result, Exception) for result in results), results
    dispatch_once(sender=sender)
    sent = _sent(sender)
    assert set(sent) == {phone_number(i) for i in range(1, 13)}
    assert all(times == 1 for times in sent.values()), sent
    db.expire_all()
    assert db.exec(select(InvitationBatch).where(col(InvitationBatch.status) == "complete")).all()
    db.rollback()
