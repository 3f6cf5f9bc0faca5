"""`GET /api/v1/invitation-batches/{batch_id}`: counts by status for a batch in any state, and
a clean 404 or 422 (problem+json, the id never echoed) for any id that is not a batch's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import session_scope
from app.db import utcnow as now
from app.enums import Role
from app.invitations.batches import import_rows
from app.invitations.models import InvitationBatch
from app.jobs.retention import purge
from tests.auth_helpers import api_headers
from tests.invitations.factories import make_row, phone_number

FIELDS = {"batch_id", "status", "created_at", "rows", "accepted", "rejected", "skipped", "statuses"}


def _dead_import(monkeypatch: pytest.MonkeyPatch) -> str:
    """A batch left `importing` by a process that died after two chunks of three rows."""
    from app.invitations import batches

    monkeypatch.setattr(batches, "_abandon_after_error", lambda session, batch_id: None)
    made: dict[str, str] = {}

    def dying_rows() -> Any:
        for i in range(8):
            yield make_row(phone=phone_number(i), case_ref=f"CR/{i}")
        yield {"case_ref": "CR/bad"}  # rejected
        raise SystemExit(9)

    def remember(done: int) -> None:
        if done == 1:
            with session_scope() as session:
                made["id"] = session.exec(select(InvitationBatch.id)).one()

    with pytest.raises(SystemExit), session_scope() as session:
        import_rows(
            session, dying_rows(), actor="test", source="json", chunk_size=3, on_progress=remember
        )
    return made["id"]


def test_an_importing_batch_shows_its_counts_so_far(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id = _dead_import(monkeypatch)
    headers = api_headers(db, Role.uploader)

    response = client.get(f"/api/v1/invitation-batches/{batch_id}", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == FIELDS
    assert body["status"] == "importing"
    assert body["accepted"] == 6 and body["statuses"] == {"pending": 6}
    assert "+44" not in response.text and "CR/" not in response.text

    with session_scope() as session:
        purge(session, at=now() + timedelta(hours=2))
    failed = client.get(f"/api/v1/invitation-batches/{batch_id}", headers=headers).json()
    assert failed["status"] == "failed" and failed["statuses"] == {}


@pytest.mark.parametrize(
    "batch_id",
    [
        "3f1c9a52-8d4e-4b7a-9e21-5c0d6f8a1b23",  # fixed: xdist workers must collect the same ids
        "not-a-uuid",
        "-1",
        "0",
        "99999999999999999999",
        str(2**63),
        "9" * 37,
        "9" * 4000,
        "\u0661\u0662",
        "%20",
        "..%2F..%2Fetc",
        "x" * 36,
    ],
    ids=lambda value: value[:24].encode("unicode_escape").decode(),
)
def test_an_id_that_is_no_batch_is_404_or_422(
    client: TestClient, db: Session, batch_id: str
) -> None:
    response = client.get(
        f"/api/v1/invitation-batches/{batch_id}", headers=api_headers(db, Role.uploader)
    )

    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    assert response.headers["content-type"] == "application/problem+json"
    if len(batch_id) > 3:
        assert batch_id not in response.text


def test_another_batchs_id_in_capitals_is_not_that_batch(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    batch_id = _dead_import(monkeypatch)
    response = client.get(
        f"/api/v1/invitation-batches/{batch_id.upper()}", headers=api_headers(db, Role.uploader)
    )
    assert response.status_code in (404, 422)
