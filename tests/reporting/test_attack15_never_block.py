"""Attack (issue 15): the new reads never make a victim's save wait on SQLite. /results freezes
a closed quarter from an anonymous request (its figures computed in a read-only transaction,
stored in a short one) and reads the stored ones; the action log computes each action's effect;
the partner page reads a partner's groups. Each is made slow while a victim saves an answer:
the save must go through at once (tests/reporting/test_staff_reads_never_block.py's rule)."""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.reporting import results_freeze
from app.reporting.models import PublishedAction
from app.reporting.results_models import ResultsQuarter
from app.survey.models import InProgressAnswer
from tests.auth_helpers import signed_in_client
from tests.conftest import is_postgres
from tests.factories import create_bank_version
from tests.reporting.test_staff_reads_never_block import PROMPT, slow_down
from tests.survey.factories import bank_document, create_invitation, token_for

pytestmark = pytest.mark.skipif(
    is_postgres(os.environ.get("VV_TEST_DATABASE_URL", "")),
    reason="SQLite's single write lock is what a slow read could hold",
)
AGGREGATE = "app.reporting.aggregates.aggregate_metric_from"
# Path → (roles of the reader, None for an anonymous visitor; a function it calls while reading).
READS: dict[str, tuple[list[Role] | None, str]] = {
    "/results": (None, "app.reporting.results_freeze.quarter_figures"),
    "/results?format=json": (None, "app.reporting.results_pages.public_results"),
    "/results?format=csv": (None, "app.reporting.results_pages.public_results"),
    "/staff/actions": ([Role.analyst], AGGREGATE),
    "/api/v1/actions": ([Role.analyst], AGGREGATE),
    "/staff/partner-figures": ([Role.editor], AGGREGATE),
}


@pytest.mark.parametrize("path", list(READS))
def test_a_victims_save_goes_through_while_a_slow_new_read_runs(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    from app.main import create_app

    create_bank_version(db, bank_document())
    token = token_for(create_invitation(db))
    db.add(
        PublishedAction(
            text="Calls every two weeks.",
            metrics=["satisfaction.overall"],
            before_from="2026-01",
            before_to="2026-01",
            published_by="user:1",
        )
    )
    db.commit()
    roles, target = READS[path]
    if roles is None:
        reader_client = client
    else:
        reader_client = signed_in_client(client, db, roles, banks=["general"])
    # A closed quarter not yet frozen, so the anonymous page computes and stores it.
    monkeypatch.setattr(
        results_freeze,
        "closed_quarters",
        lambda _s, _settings, *, at, skip=frozenset(): [q for q in ["2026-Q1"] if q not in skip],
    )
    db.rollback()  # end the test's own read: on SQLite it would hold the write lock
    going = threading.Event()
    slow_down(monkeypatch, target, going)
    answers: dict[str, Any] = {}

    def read() -> None:
        try:
            answers["reader"] = reader_client.get(path)
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

    assert saved.status_code == 200, saved.text
    assert waited < PROMPT, f"the victim's save waited {waited:.1f} s for {path}"
    assert read_still_running, "the save did not overlap the read"
    assert answers["reader"].status_code == 200, answers["reader"].text
    db.expire_all()
    assert len(db.exec(select(InProgressAnswer)).all()) == 1
    frozen = [row.quarter for row in db.exec(select(ResultsQuarter))]
    assert frozen == (["2026-Q1"] if roles is None else [])
    db.rollback()
