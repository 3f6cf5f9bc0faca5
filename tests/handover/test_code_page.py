"""The victim's `/code` page: a one-time code becomes a survey session on that device (issue 12)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow
from app.handover.models import Handover
from app.invitations.models import Invitation
from app.survey.session import COOKIE_NAME
from tests.factories import create_bank_version
from tests.handover.factories import code_of, hand_over, held_invitation, worker
from tests.survey.factories import bank_document

CODE_URL = "/code"
WRONG = "The code is not right, or it has been used"


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _handed_over_code(client: TestClient, db: Session) -> str:
    held_invitation(db)
    with TestClient(client.app, base_url=str(client.base_url)) as staff_browser:
        return code_of(hand_over(worker(staff_browser, db)))


def _without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", html)


def _victim(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url=str(client.base_url))


def test_the_code_page_is_a_victim_page(client: TestClient) -> None:
    page = client.get(CODE_URL)
    assert page.status_code == 200
    assert 'name="code"' in page.text
    assert "Exit this page" in page.text
    assert page.headers["cache-control"] == "no-store" or "no-store" in page.headers.get(
        "cache-control", ""
    )


def test_a_code_opens_the_survey_once(client: TestClient, db: Session) -> None:
    code = _handed_over_code(client, db)
    victim = _victim(client)
    typed = f"{code[:4].lower()}-{code[4:]} "
    entered = victim.post(CODE_URL, data={"code": typed}, follow_redirects=False)
    assert entered.status_code == 303, entered.text
    assert entered.headers["location"] == "/survey/start"
    assert victim.cookies.get(COOKIE_NAME)
    assert victim.get("/survey/start").status_code == 200
    db.expire_all()
    assert db.exec(select(Handover)).one().code_hash is None
    db.commit()
    # Used: on any device it now reads as a wrong code.
    again = _victim(client).post(CODE_URL, data={"code": code}, follow_redirects=False)
    assert again.status_code == 400 and WRONG in again.text


def test_wrong_used_and_expired_codes_read_the_same(client: TestClient, db: Session) -> None:
    code = _handed_over_code(client, db)
    wrong = _victim(client).post(CODE_URL, data={"code": "ABCDEFGH"})
    row = db.exec(select(Invitation)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    expired = _victim(client).post(CODE_URL, data={"code": code})
    assert wrong.status_code == expired.status_code == 400
    assert _without_nonce(wrong.text) == _without_nonce(expired.text)


def test_ten_wrong_codes_an_hour_per_address_then_a_wait_page(
    client: TestClient, db: Session
) -> None:
    code = _handed_over_code(client, db)
    victim = _victim(client)
    for i in range(10):
        assert victim.post(CODE_URL, data={"code": f"ABCDEFG{i + 2}"}).status_code == 400
    blocked = victim.post(CODE_URL, data={"code": code}, follow_redirects=False)
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    assert "Wait" in blocked.text and "Exit this page" in blocked.text
    # The right code was never checked: it still works once the hour has passed.
    db.expire_all()
    assert db.exec(select(Handover)).one().code_hash is not None
    db.commit()


def test_a_code_never_works_on_the_json_survey_routes(client: TestClient, db: Session) -> None:
    code = _handed_over_code(client, db)
    for spelling in (code, code.lower(), f"{code[:4]}-{code[4:]}"):
        assert client.get(f"/api/v1/survey/{spelling}").status_code == 404
        assert client.get(f"/s/{spelling}", follow_redirects=False).status_code == 404
    # ...and it still works on /code afterwards.
    entered = _victim(client).post(CODE_URL, data={"code": code}, follow_redirects=False)
    assert entered.status_code == 303


def test_a_cross_site_form_is_refused(client: TestClient, db: Session) -> None:
    code = _handed_over_code(client, db)
    refused = _victim(client).post(
        CODE_URL, data={"code": code}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert refused.status_code == 403
    assert (
        _victim(client).post(CODE_URL, data={"code": code}, follow_redirects=False).status_code
        == 303
    )
