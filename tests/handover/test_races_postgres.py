"""Handover races on PostgreSQL, over real HTTP (issue 12 attacks).

A real uvicorn serves the app on a loopback port; each parallel request has its own browser and
starts at the same moment (a barrier), so the requests overlap in the database. Bounded: at most
6 requests at once, 20 s each.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import httpx
import pytest
from sqlmodel import Session, col, func, select

from app.auth.models import LoginThrottle
from app.enums import Role
from app.handover.models import Handover
from app.survey.models import SurveySession
from tests.auth.conftest import LiveServer
from tests.auth.conftest import live_server as live_server  # noqa: PLC0414 (the fixture)
from tests.auth.conftest import served_by_cli as served_by_cli  # noqa: PLC0414 (the fixture)
from tests.auth_helpers import create_staff_user, form_csrf_token, sign_in
from tests.factories import create_bank_version
from tests.handover.factories import (
    CASE_REF,
    HANDOVER_URL,
    LOOKUP_URL,
    code_of,
    held_invitation,
    match_ids,
)
from tests.survey.factories import bank_document

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(
        not os.environ.get("VV_TEST_DATABASE_URL"), reason="races are run on PostgreSQL"
    ),
]

TIMEOUT = httpx.Timeout(20.0)
T = TypeVar("T")


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _all_at_once(count: int, action: Callable[[int], T]) -> list[T]:
    barrier = threading.Barrier(count, timeout=20)

    def run(index: int) -> T:
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count), timeout=60))


def _worker_browser(server: LiveServer, db: Session) -> tuple[httpx.Client, str, str]:
    """A signed-in support worker's browser on the live server: client, CSRF token, match id."""
    user = create_staff_user(db, Role.support_worker, services=["victim_support"])
    browser = httpx.Client(base_url=server.base_url, timeout=TIMEOUT, follow_redirects=True)
    sign_in(browser, db, user.email)  # type: ignore[arg-type]  # a TestClient is an httpx.Client
    token = form_csrf_token(browser.get("/staff/").text)
    found = browser.post(LOOKUP_URL, data={"case_ref": CASE_REF, "csrf_token": token})
    [invitation_id] = match_ids(found.text)
    return browser, token, invitation_id


def _hand_over(browser: httpx.Client, token: str, invitation_id: str) -> httpx.Response:
    data = {
        "case_ref": CASE_REF,
        "invitation": invitation_id,
        "agreed": "yes",
        "csrf_token": token,
    }
    return browser.post(HANDOVER_URL, data=data)


def _victim(server: LiveServer) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=TIMEOUT, follow_redirects=False)


def _count(db: Session, model: type[SurveySession] | type[Handover]) -> int:
    db.expire_all()
    counted = db.exec(select(func.count()).select_from(model)).one()
    db.rollback()
    return int(counted)


def _codes_on(pages: list[httpx.Response]) -> list[str]:
    return [code_of(page) for page in pages if re.search(r'id="handover-code"', page.text)]


def test_one_code_typed_on_four_devices_at_once_makes_exactly_one_session(
    live_server: LiveServer, db: Session
) -> None:
    held_invitation(db)
    browser, token, invitation_id = _worker_browser(live_server, db)
    code = code_of(_hand_over(browser, token, invitation_id))
    victims = [_victim(live_server) for _ in range(4)]

    statuses = _all_at_once(4, lambda i: victims[i].post("/code", data={"code": code}).status_code)

    assert sorted(statuses) == [303, 400, 400, 400], statuses
    assert _count(db, SurveySession) == 1
    for client in [browser, *victims]:
        client.close()


def test_two_handovers_of_a_new_invitation_at_once_never_fail(
    live_server: LiveServer, db: Session
) -> None:
    """Two workers (or a double-clicked button) hand over the same invitation for the first
    time at once: each gets a page, one handover record results, and only the code shown last
    works (a new code replaces the old), never both."""
    held_invitation(db)
    workers = [_worker_browser(live_server, db) for _ in range(2)]

    pages = _all_at_once(2, lambda i: _hand_over(*workers[i]))

    assert [page.status_code for page in pages] == [200, 200], [p.text[-500:] for p in pages]
    codes = _codes_on(pages)
    assert len(codes) == 2
    assert _count(db, Handover) == 1
    victims = [_victim(live_server) for _ in codes]
    used = [victims[i].post("/code", data={"code": c}).status_code for i, c in enumerate(codes)]
    assert sorted(used) == [303, 400], used
    for client in [*(w[0] for w in workers), *victims]:
        client.close()


def test_a_handover_racing_a_redemption_never_lets_the_old_code_and_the_new_both_in(
    live_server: LiveServer, db: Session
) -> None:
    held_invitation(db)
    browser, token, invitation_id = _worker_browser(live_server, db)
    old = code_of(_hand_over(browser, token, invitation_id))
    victim = _victim(live_server)

    def act(index: int) -> httpx.Response:
        if index == 0:
            return victim.post("/code", data={"code": old})
        return _hand_over(browser, token, invitation_id)

    redeemed, handed = _all_at_once(2, act)

    assert redeemed.status_code in {303, 400} and handed.status_code == 200
    new = code_of(handed)
    # Whichever went first, the new code works once; the old one at most once.
    late = _victim(live_server)
    assert late.post("/code", data={"code": new}).status_code == 303
    assert late.post("/code", data={"code": old}).status_code == 400
    db.expire_all()
    sessions = db.exec(select(SurveySession).where(col(SurveySession.ended_at).is_(None))).all()
    db.rollback()
    assert len(sessions) == (2 if redeemed.status_code == 303 else 1)
    for client in [browser, victim, late]:
        client.close()


def test_twelve_codes_at_once_on_two_worker_processes_check_at_most_ten(
    served_by_cli: LiveServer, db: Session
) -> None:
    """`victim-voice serve --workers 2`: the per-address count is in the database, so both
    processes share it; each guess claims another address in X-Forwarded-For, which is not
    believed (no trusted proxy), and the right code sent among them is refused all the same."""
    held_invitation(db)
    db.rollback()

    guesses = [f"ZZZZ-ZZ{a}{b}" for a in "23" for b in "234567"]
    victims = [_victim(served_by_cli) for _ in guesses]

    def guess(index: int) -> int:
        headers = {"X-Forwarded-For": f"198.51.100.{index}"}
        return (
            victims[index].post("/code", data={"code": guesses[index]}, headers=headers).status_code
        )

    statuses = _all_at_once(len(guesses), guess)

    checked = statuses.count(400)
    assert checked <= 10 and statuses.count(429) == len(guesses) - checked, statuses
    db.expire_all()
    assert len(db.exec(select(LoginThrottle)).all()) == 1  # one address: the socket's
    db.rollback()
    for client in victims:
        client.close()


def test_answer_on_my_own_pressed_twice_at_once_gives_one_code(
    live_server: LiveServer, db: Session
) -> None:
    """A double tap on "Answer on my own": one request gives the victim a code; the other
    finds the session ended, so the victim is never left holding a code already replaced."""
    held_invitation(db)
    browser, token, invitation_id = _worker_browser(live_server, db)
    data = {
        "case_ref": CASE_REF,
        "invitation": invitation_id,
        "requested": "yes",
        "csrf_token": token,
    }
    started = browser.post("/staff/support/assisted", data=data)
    assert started.status_code == 200 and started.url.path == "/survey/assisted"
    survey_token = form_csrf_token(browser.get("/survey/start").text)

    pages = _all_at_once(
        2, lambda _i: browser.post("/survey/on-my-own", data={"csrf_token": survey_token})
    )

    shown = [page for page in pages if 'id="own-code"' in page.text]
    assert len(shown) == 1, [page.status_code for page in pages]
    code = re.search(r'id="own-code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<', shown[0].text)
    assert code
    victim = _victim(live_server)
    assert victim.post("/code", data={"code": code.group(1) + code.group(2)}).status_code == 303
    for client in (browser, victim):
        client.close()
