"""Attack (issue 15): two approvers changing one action at the same moment on PostgreSQL. Each
change alone is valid, together they are not (the period after would start before the period
before ends): the row lock makes the second judge the action as the first left it, so one
succeeds, the other is refused, and the stored action is never the invalid mix of both."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlmodel import Session

from app.db import get_engine
from app.errors import InvalidInput
from app.reporting import action_input, actions
from app.reporting.models import PublishedAction

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]
CHANGES: list[dict[str, Any]] = [
    {"before_to": "2026-05"},  # with the period after from June: valid
    {"after_from": "2026-03", "after_to": "2026-04"},  # with the period before in January: valid
]


def test_two_changes_valid_alone_but_not_together_never_store_the_mix(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    action = PublishedAction(
        text="Calls every two weeks.",
        metrics=["satisfaction.overall"],
        before_from="2026-01",
        before_to="2026-01",
        after_from="2026-06",
        after_to="2026-06",
        published_by="user:1",
    )
    db.add(action)
    db.commit()
    action_id = action.id
    assert action_id is not None
    barrier = threading.Barrier(len(CHANGES), timeout=20)
    real_clean = action_input.clean_fields

    def slow_clean(values: Any) -> Any:
        time.sleep(0.5)  # both have read the action before either writes, without the lock
        return real_clean(values)

    monkeypatch.setattr(action_input, "clean_fields", slow_clean)

    def change(index: int) -> str:
        with Session(get_engine()) as session:
            barrier.wait()
            try:
                actions.update_action(session, action_id, CHANGES[index], actor=f"user:{index}")
            except InvalidInput:
                session.rollback()
                return "refused"
            session.commit()
            return "changed"

    with ThreadPoolExecutor(len(CHANGES)) as pool:
        outcomes = sorted(pool.map(change, range(len(CHANGES))))

    assert outcomes == ["changed", "refused"]
    db.expire_all()
    stored = db.get(PublishedAction, action_id)
    assert stored is not None
    _cleaned, errors = real_clean(stored.model_dump())
    assert errors == []
