"""Token routes are throttled per client address: only links that lead nowhere count, so a
victim's own use never does; once an address is blocked every token route answers 429."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session

from app.auth.models import LoginThrottle
from app.db import utcnow
from app.invitations.link_throttle import is_token_route
from app.invitations.links import new_token
from app.main import create_app
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    enter,
    token_for,
)

FREE_MISSES = 20


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _client(address: str) -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False, client=(address, 50000)) as client:
        yield client


@pytest.fixture
def local() -> Iterator[TestClient]:
    yield from _client("127.0.0.1")


@pytest.fixture
def neighbour() -> Iterator[TestClient]:
    yield from _client("127.0.0.2")


def test_the_token_routes_are_the_ones_throttled() -> None:
    token = new_token()
    for path in (f"/s/{token}", f"/s/{token}/stop", f"/api/v1/survey/{token}"):
        assert is_token_route(path)
    assert is_token_route(f"/api/v1/survey/{token}/answers")
    assert is_token_route(f"/api/v1/survey/{token}/submit")
    for path in ("/survey/start", "/survey/page/ab12", "/", "/staff/login", "/api/v1/metrics"):
        assert not is_token_route(path)


def test_a_victims_normal_use_is_never_throttled(local: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    assert enter(local, invitation) == "/survey/start"
    for _ in range(3 * FREE_MISSES):
        saved = answer(local, "sat_overall", "fairly_satisfied")
        assert saved.status_code == 303
        put = local.put(f"/api/v1/survey/{token}/answers", json={"answers": {"sat_overall": None}})
        assert put.status_code == 200
        assert local.get(f"/s/{token}", follow_redirects=False).status_code == 303


def test_misses_from_one_address_block_it_with_a_neutral_429(
    local: TestClient, neighbour: TestClient, db: Session
) -> None:
    good = token_for(create_invitation(db))
    for _ in range(FREE_MISSES):
        assert local.get(f"/s/{new_token()}").status_code == 404
    # Blocked now: every token route, a good token too, so a 429 tells nothing about a token.
    page = local.get(f"/s/{good}", follow_redirects=False)
    assert page.status_code == 429
    assert 1 <= int(page.headers["retry-after"]) <= 30
    main = page.text.split('id="main-content"', 1)[1].split("</main>")[0].lower()
    title = page.text.split("<title>", 1)[1].split("</title>")[0].lower()
    assert title.startswith("too many attempts")
    assert "too many attempts" in main
    for word in ("police", "crime", "victim", "commissioner", "survey"):
        assert word not in main and word not in title, word
    api = local.get(f"/api/v1/survey/{good}")
    assert api.status_code == 429 and api.headers["content-type"] == "application/problem+json"
    assert api.json()["status"] == 429 and "retry-after" in api.headers
    assert local.post(f"/s/{good}/stop").status_code == 429
    # Another address is not affected; nor are the pages outside the token routes.
    assert neighbour.get(f"/s/{good}", follow_redirects=False).status_code == 303
    assert local.get("/survey/start", follow_redirects=False).status_code != 429
    # When the block has passed, the good link works again.
    db.execute(update(LoginThrottle).values(blocked_until=utcnow() - timedelta(seconds=1)))
    db.commit()
    assert local.get(f"/s/{good}", follow_redirects=False).status_code == 303


def test_a_misspelt_link_counts_as_a_miss(local: TestClient, db: Session) -> None:
    good = token_for(create_invitation(db))
    for _ in range(FREE_MISSES):
        assert local.get(f"/api/v1/survey/{good.swapcase()}").status_code == 404
    assert local.get(f"/api/v1/survey/{good}").status_code == 429
