"""Approval races on PostgreSQL, over real HTTP: an edit against an approval, two approvals.

Bounded: a few rounds of two or three requests released together, 20 s per request at most.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from sqlmodel import Session, col, select

from app.banks.models import BankVersion
from app.banks.service import content_hash
from app.enums import Role
from tests.auth.conftest import LiveServer, live_server  # noqa: F401  (the fixture)
from tests.auth_helpers import api_headers, create_staff_user
from tests.banks.conftest import create_loaded_version, find_question, fixture_document

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]

BANK = "/api/v1/banks/general"


def _together(*actions: Callable[[], httpx.Response]) -> list[httpx.Response]:
    barrier = threading.Barrier(len(actions), timeout=20)

    def run(action: Callable[[], httpx.Response]) -> httpx.Response:
        barrier.wait()
        return action()

    with ThreadPoolExecutor(max_workers=len(actions)) as pool:
        return list(pool.map(run, actions, timeout=60))


def _reworded(text: str) -> dict[str, Any]:
    document = fixture_document()
    find_question(document, "comments")["text"]["en"] = text
    return document


def _bound(db: Session, *roles: Role) -> dict[str, str]:
    user = create_staff_user(db, *roles, banks=["general"])
    return api_headers(db, *roles, banks=["general"], user=user)


def _rows(db: Session) -> list[BankVersion]:
    db.expire_all()
    rows = list(db.exec(select(BankVersion).order_by(col(BankVersion.version))).all())
    db.rollback()
    return rows


def test_an_edit_racing_an_approval_never_publishes_unreviewed_words(
    live_server: LiveServer,  # noqa: F811
    db: Session,
) -> None:
    create_loaded_version(db)
    author = _bound(db, Role.editor)
    approver = _bound(db, Role.approver)
    with httpx.Client(base_url=live_server.base_url, timeout=20) as http:
        for round_number in range(4):
            reviewed = _reworded(f"Reviewed words, round {round_number}.")
            created = http.post(
                f"{BANK}/drafts", json={"document": reviewed}, headers=author
            ).json()
            version = created["version"]
            http.post(f"{BANK}/drafts/{version}/submit", headers=author)
            shown = http.get(f"{BANK}/versions/{version}", headers=approver).json()
            unreviewed = _reworded(f"Slipped in while the approver read, round {round_number}.")

            edit, approval = _together(
                lambda v=version, d=unreviewed: http.put(
                    f"{BANK}/drafts/{v}", json={"document": d}, headers=author
                ),
                lambda v=version, h=shown["content_hash"]: http.post(
                    f"{BANK}/drafts/{v}/approve", json={"content_hash": h}, headers=approver
                ),
            )

            row = next(r for r in _rows(db) if r.version == version)
            if approval.status_code == 200:
                # The approval went first: the edit found a published version and changed nothing.
                assert edit.status_code == 409, edit.text
                assert row.status == "published"
                assert row.content_hash == shown["content_hash"]
                assert row.content_hash == content_hash(row.document)
            else:
                # The edit went first: the approval named content that is no longer there.
                assert approval.status_code == 409, approval.text
                assert edit.status_code == 200, edit.text
                assert row.status == "draft" and row.content_hash != shown["content_hash"]
    assert [r.version for r in _rows(db) if r.status == "published"] != []


def test_two_approvals_at_once_leave_one_version_published(
    live_server: LiveServer,  # noqa: F811
    db: Session,
) -> None:
    create_loaded_version(db)
    author = _bound(db, Role.editor)
    first = _bound(db, Role.approver)
    second = _bound(db, Role.approver)
    with httpx.Client(base_url=live_server.base_url, timeout=20) as http:
        for round_number in range(3):
            versions = []
            for which in ("a", "b"):
                text = f"Version {which}, round {round_number}."
                made = http.post(
                    f"{BANK}/drafts", json={"document": _reworded(text)}, headers=author
                ).json()
                http.post(f"{BANK}/drafts/{made['version']}/submit", headers=author)
                versions.append(made["version"])
            hashes = [
                http.get(f"{BANK}/versions/{v}", headers=first).json()["content_hash"]
                for v in versions
            ]
            results = _together(
                *[
                    lambda v=version, h=digest, k=key: http.post(
                        f"{BANK}/drafts/{v}/approve", json={"content_hash": h}, headers=k
                    )
                    for version, digest, key in zip(versions, hashes, (first, second), strict=True)
                ]
            )
            assert [r.status_code for r in results] == [200, 200]
            published = [r.version for r in _rows(db) if r.status == "published"]
            assert len(published) == 1, published
            assert published[0] in versions
