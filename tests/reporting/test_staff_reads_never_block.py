"""No staff read ever makes a victim's write wait (issue 9, point 3).

On SQLite every write transaction takes the database's one write lock when it begins, and a
victim's save waits for it (then fails after the busy timeout, losing the answer). A staff
read that computed its figures inside such a transaction held the lock for as long as it
computed: a slow dashboard or a report's PDF made every victim wait. Here each staff read is
made slow (a function it calls sleeps while the read is under way) and a victim saves an
answer meanwhile: the save must go through at once.
"""

from __future__ import annotations

import functools
import importlib
import os
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.survey.models import InProgressAnswer
from tests.auth_helpers import signed_in_client
from tests.conftest import is_postgres
from tests.factories import create_bank_version
from tests.survey.factories import bank_document, create_invitation, token_for

SLOW = 3.0  # seconds the staff read spends "computing"
# A victim's save must take less than this meanwhile: a held lock makes it wait at least SLOW;
# a busy CI machine has made a free save take 1.1 s, so the margin sits between the two.
PROMPT = 2.0

AGGREGATE = "app.reporting.aggregates.aggregate_metric_from"
# Staff read → (a function it calls while it reads, the audit action it records).
READS: dict[str, tuple[str, str]] = {
    "/api/v1/aggregates/satisfaction.overall": (AGGREGATE, "aggregates.read"),
    "/api/v1/aggregates/satisfaction.overall?format=csv": (AGGREGATE, "aggregates.read"),
    "/api/v1/aggregates/victims-code": (
        "app.reporting.victims_code.aggregate_metric_from",
        "aggregates.read",
    ),
    "/api/v1/aggregates/funnel": ("app.reporting.funnel.funnel_from", "aggregates.read"),
    "/api/v1/aggregates/dropoff?bank=general": (
        "app.reporting.dropoff.dropoff_from",
        "aggregates.read",
    ),
    "/api/v1/comments": ("app.reporting.comments.released_conditions", "comments.read"),
    "/api/v1/comments?format=csv": ("app.reporting.comments.released_conditions", "comments.read"),
    "/staff/dashboard": (AGGREGATE, "dashboard.read"),
    "/reports/quarterly": (AGGREGATE, "reports.quarterly.read"),
    "/reports/quarterly.pdf": ("app.reporting.report_pdf.render_pdf", "reports.quarterly.pdf"),
    "/reports/quarterly.zip": ("app.reporting.report_pack.build_pack", "reports.quarterly.pack"),
    "/staff/comments": ("app.reporting.comments.released_conditions", "comments.read"),
}

pytestmark = pytest.mark.skipif(
    is_postgres(os.environ.get("VV_TEST_DATABASE_URL", "")),
    reason="SQLite's single write lock is what a staff read used to hold",
)


def slow_down(monkeypatch: pytest.MonkeyPatch, target: str, going: threading.Event) -> None:
    """Make `target` (module.attribute) sleep once, after its first call, telling `going`."""
    module_name, _, name = target.rpartition(".")
    module = importlib.import_module(module_name)
    original: Callable[..., Any] = getattr(module, name)

    @functools.wraps(original)
    def slow(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if not going.is_set():
            going.set()
            time.sleep(SLOW)
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.mark.parametrize("path", list(READS))
def test_a_victims_save_goes_through_while_a_slow_staff_read_runs(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    from app.main import create_app

    create_bank_version(db, bank_document())
    token = token_for(create_invitation(db))
    staff = signed_in_client(client, db, Role.analyst)
    db.rollback()  # end the test's own read: on SQLite it would hold the write lock
    target, action = READS[path]
    going = threading.Event()
    slow_down(monkeypatch, target, going)
    answers: dict[str, Any] = {}

    def read() -> None:
        try:
            answers["staff"] = staff.get(path)
        finally:
            going.set()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert going.wait(60)
        victim = TestClient(create_app(), raise_server_exceptions=False)
        started = time.perf_counter()
        saved = victim.put(
            f"/api/v1/survey/{token}/answers", json={"answers": {"sat_overall": "very_satisfied"}}
        )
        waited = time.perf_counter() - started
        read_still_running = reader.is_alive()
    finally:
        reader.join(120)

    print(f"{path}: the victim's save waited {waited * 1000:.0f} ms")
    assert saved.status_code == 200, saved.text
    assert waited < PROMPT, f"the victim's save waited {waited:.1f} s for {path}"
    assert read_still_running, "the save did not overlap the staff read"
    assert answers["staff"].status_code == 200, answers["staff"].text
    db.expire_all()
    assert len(db.exec(select(InProgressAnswer)).all()) == 1
    # The read is still audited, in a transaction of its own.
    assert db.exec(select(AuditEvent).where(AuditEvent.action == action)).first() is not None
    db.rollback()
