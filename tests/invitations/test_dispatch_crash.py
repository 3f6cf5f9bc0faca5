"""Dispatch after a crash: real `victim-voice dispatch` processes killed with SIGKILL.

After a worker dies and dispatch runs again, every message is sent exactly once, or held for
review because it may have reached the sender; none stays claimed. Only the message in flight
when the worker died may go to review: the others are claimed again once the claim expires.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.invitations.lifecycle import MessageStatus
from app.invitations.models import Invitation, OutboundMessage
from tests.conftest import is_postgres
from tests.invitations.factories import make_row, phone_number, upload
from tests.messaging.notify_double import running_notify_double

CLAIM_SECONDS = 1
VICTIM_VOICE = str(Path(sys.executable).parent / "victim-voice")
CRASH_WORKER = str(Path(__file__).with_name("dispatch_crash_worker.py"))
WAIT = 30  # seconds: the longest any step here may take before the test gives up


@dataclass
class Run:
    env: dict[str, str]
    outbox: Path
    marker: Path

    def delivered(self) -> list[str]:
        if not self.outbox.exists():
            return []
        return [json.loads(line)["reference"] for line in self.outbox.read_text().splitlines()]

    def paused_at(self) -> str | None:
        """The reference the crash worker stopped at ("-" in the claim); None if not yet."""
        if not self.marker.exists():
            return None
        lines = self.marker.read_text().splitlines()
        return lines[-1].removeprefix("paused ") if lines else None


@pytest.fixture
def run(tmp_path: Path) -> Run:
    outbox = tmp_path / "outbox.jsonl"
    env = dict(os.environ)
    env.update(
        VV_SENDER="outbox",
        VV_OUTBOX_PATH=str(outbox),
        VV_DISPATCH_CLAIM_SECONDS=str(CLAIM_SECONDS),
        VV_QUIET_HOURS="none",
    )
    return Run(env=env, outbox=outbox, marker=tmp_path / "paused.txt")


def _seed(db: Session, count: int) -> None:
    rows = [make_row(phone=phone_number(i), case_ref=f"CRASH-{i}") for i in range(count)]
    result = upload(db, rows)
    assert result.accepted == count


def _start(command: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _kill(process: subprocess.Popen[str]) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=WAIT)
    assert process.returncode == -signal.SIGKILL


def _wait_until(condition: object, what: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        if process.poll() is not None:
            output = process.stdout.read() if process.stdout else ""
            pytest.fail(f"worker ended before {what}: {output}")
        time.sleep(0.02)
    process.kill()
    pytest.fail(f"timed out waiting for {what}")


def _dispatch_again(env: dict[str, str]) -> str:
    """Once every claim of the dead worker has expired, a new worker runs to the end."""
    time.sleep(CLAIM_SECONDS + 0.3)
    done = subprocess.run(
        [VICTIM_VOICE, "dispatch", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT * 2,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _invitation_messages(db: Session) -> list[OutboundMessage]:
    query = select(OutboundMessage).where(OutboundMessage.kind == "invitation")
    messages = list(db.exec(query.execution_options(populate_existing=True)).all())
    db.commit()
    return messages


def assert_settled(db: Session, delivered: list[str], in_flight: set[str]) -> None:
    """Sent exactly once, or held for review because it was in the sender's hands."""
    messages = _invitation_messages(db)
    times = Counter(delivered)
    assert all(count == 1 for count in times.values()), "a message reached the sender twice"
    by_status = Counter(message.status for message in messages)
    assert set(by_status) <= {MessageStatus.sent, MessageStatus.review}, by_status
    review = {message.id for message in messages if message.status == MessageStatus.review}
    assert review == in_flight
    for message in messages:
        if message.status == MessageStatus.sent:
            assert times[message.id] == 1, f"{message.id} marked sent but sent {times[message.id]}x"
    # Every link is live (treated as sent), and the one in doubt gets no reminder.
    invitations = db.exec(select(Invitation).execution_options(populate_existing=True)).all()
    reminders = db.exec(select(OutboundMessage).where(OutboundMessage.kind == "reminder")).all()
    db.commit()
    assert all(i.status == "sent" and i.expires_at is not None for i in invitations)
    review_invitations = {m.invitation_id for m in messages if m.id in review}
    assert {r.invitation_id for r in reminders} == {i.id for i in invitations} - review_invitations


@pytest.mark.parametrize(
    ("point", "nth"),
    [
        ("claim", 1),  # killed inside the claim transaction, before it committed
        ("before_send", 3),  # after the hand-over mark, before the sender was called
        ("after_send", 3),  # the sender took the message, the sent mark never came
    ],
)
def test_killed_worker_leaves_only_the_message_in_flight_for_review(
    db: Session, run: Run, point: str, nth: int
) -> None:
    _seed(db, 12)
    worker = _start([sys.executable, CRASH_WORKER, point, str(nth), str(run.marker)], run.env)
    try:
        _wait_until(lambda: run.paused_at() is not None, f"the pause at {point}", worker)
    finally:
        _kill(worker)
    paused = run.paused_at()
    assert paused is not None
    in_flight = set() if point == "claim" else {paused}
    sent_before = len(run.delivered())
    assert sent_before == {"claim": 0, "before_send": nth - 1, "after_send": nth}[point]

    output = _dispatch_again(run.env)

    assert_settled(db, run.delivered(), in_flight)
    assert len(run.delivered()) == 12 - (1 if point == "before_send" else 0)
    assert f"for review {len(in_flight)}" in output, output


def test_killed_mid_run_with_a_slow_notify_api(db: Session, run: Run) -> None:
    """The plain `victim-voice dispatch` command, killed while Notify holds a request."""
    _seed(db, 10)
    with running_notify_double() as notify:
        # Quick for three messages, then Notify holds the 4th long past the kill.
        notify.delay, notify.slow_from = 30, 4
        env = {**run.env, **notify.settings()}
        worker = _start([VICTIM_VOICE, "dispatch", "--once"], env)
        try:
            _wait_until(lambda: notify.wait_for(4, timeout=0.01), "the 4th request", worker)
        finally:
            _kill(worker)
        assert len(notify.references) == 4
        in_flight = {notify.references[-1]}  # Notify had it when the worker died
        notify.delay = 0
        output = _dispatch_again(env)
        assert_settled(db, notify.references, in_flight)
        assert len(notify.references) == 10
    assert "re-queued 6" in output and "for review 1" in output, output


def test_killed_again_during_recovery(db: Session, run: Run) -> None:
    """A worker that dies while sending what a dead worker left is recovered from too."""
    _seed(db, 8)
    first = _start([sys.executable, CRASH_WORKER, "after_send", "2", str(run.marker)], run.env)
    try:
        _wait_until(lambda: run.paused_at() is not None, "the first pause", first)
    finally:
        _kill(first)
    in_flight = {run.paused_at() or ""}
    time.sleep(CLAIM_SECONDS + 0.3)
    run.marker.unlink()
    second = _start([sys.executable, CRASH_WORKER, "before_send", "3", str(run.marker)], run.env)
    try:
        _wait_until(lambda: run.paused_at() is not None, "the second pause", second)
    finally:
        _kill(second)
    in_flight.add(run.paused_at() or "")
    _dispatch_again(run.env)
    assert_settled(db, run.delivered(), in_flight)


def test_slow_worker_never_sends_what_another_worker_took_over(db: Session, run: Run) -> None:
    """Claims outlive their time while a worker is slow; a second worker takes them over.

    Whichever marks a message for hand-over first sends it; the other skips it.
    """
    _seed(db, 20)
    slow = _start([sys.executable, CRASH_WORKER, "none", "0", str(run.marker), "0.5"], run.env)
    try:
        _wait_until(lambda: len(run.delivered()) >= 2, "the slow worker's 2nd message", slow)
        time.sleep(CLAIM_SECONDS + 0.2)  # the slow worker's remaining claims have expired
        fast = subprocess.run(
            [VICTIM_VOICE, "dispatch", "--once"],
            env=run.env,
            capture_output=True,
            text=True,
            timeout=WAIT * 2,
        )
        assert fast.returncode == 0, fast.stdout + fast.stderr
        output, _ = slow.communicate(timeout=WAIT)
    finally:
        if slow.poll() is None:
            slow.kill()
    assert slow.returncode == 0, output
    assert_settled(db, run.delivered(), set())
    assert len(run.delivered()) == 20
    taken_over = re.search(r"taken over by another worker (\d+)", output)
    assert taken_over is not None and int(taken_over.group(1)) > 0, output


def test_two_worker_processes_race_on_postgres(db: Session, run: Run, database_url: str) -> None:
    if not is_postgres(database_url):
        pytest.skip("several dispatch workers need PostgreSQL (SQLite serialises writers)")
    _seed(db, 120)
    env = {**run.env, "VV_DISPATCH_CLAIM_SECONDS": "300"}
    workers = [_start([VICTIM_VOICE, "dispatch", "--once"], env) for _ in range(3)]
    outputs = [worker.communicate(timeout=WAIT * 2)[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0], "\n".join(outputs)
    assert_settled(db, run.delivered(), set())
    assert len(run.delivered()) == 120
