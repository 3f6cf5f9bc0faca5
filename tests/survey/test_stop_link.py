"""The stop link in every message keeps working after the link has ended and the contact
details have been erased: the same neutral page, never a 500, nothing about what was held."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow
from app.invitations.dispatch import dispatch_once
from app.invitations.links import new_token, token_hash
from app.invitations.models import Contact, Invitation
from app.jobs.retention import purge
from tests.factories import create_bank_version, token_in
from tests.invitations.factories import RecordingSender, make_row, upload
from tests.survey.factories import bank_document, rows


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _sent_links(db: Session, count: int) -> list[str]:
    """`count` links, each sent to its own phone; their tokens."""
    phones = [f"0791112345{index}" for index in range(count)]
    upload(db, [make_row(case_ref=f"CASE-{i}", phone=phone) for i, phone in enumerate(phones)])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    by_phone = {message.to: message.body for message in sender.sent}
    bodies = [by_phone[f"+44{phone[1:]}"] for phone in phones]
    return [token_in(body) for body in bodies]


def _purge_after_expiry(db: Session) -> None:
    purge(db, at=utcnow() + timedelta(days=60))
    db.commit()


def _main(html: str) -> str:
    """The page without what changes on every response."""
    return re.sub(r'nonce="[^"]+"', "", html)


def test_the_stop_link_after_the_purge_gives_the_same_neutral_pages(
    client: TestClient, db: Session
) -> None:
    kept, erased = _sent_links(db, 2)
    # The first contact stops now (details erased at once); the second is purged at expiry.
    assert client.post(f"/s/{kept}/stop").status_code == 200
    _purge_after_expiry(db)
    assert all(contact.destination_encrypted is None for contact in rows(db, select(Contact)))
    assert all(invitation.contact_id is None for invitation in rows(db, select(Invitation)))
    pages = {}
    for name, token in (("kept", kept), ("erased", erased)):
        shown = client.get(f"/s/{token}/stop")
        done = client.post(f"/s/{token}/stop")
        one_click = client.post(
            f"/s/{token}/stop",
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert (shown.status_code, done.status_code, one_click.status_code) == (200, 200, 200)
        assert "Stop all messages" in shown.text
        assert "You will not get any more messages" in done.text
        assert "Exit this page" in done.text
        pages[name] = [
            _main(shown.text).replace(token, "TOKEN"),
            _main(done.text),
            _main(one_click.text),
        ]
    # Whether details were still held, or had been erased long ago, the pages are the same.
    assert pages["kept"] == pages["erased"]


def test_the_stop_link_past_the_link_lifetime_after_the_purge(
    client: TestClient, db: Session, settings_override: Any
) -> None:
    (token,) = _sent_links(db, 1)
    _purge_after_expiry(db)
    settings_override(VV_LINK_TTL_DAYS="0")  # the token itself is now past the link's lifetime
    assert client.get(f"/s/{token}/stop").status_code == 200
    done = client.post(f"/s/{token}/stop")
    assert done.status_code == 200 and "You will not get any more messages" in done.text
    assert "/s/" not in done.text.split("<main", 1)[1]  # no survey link to an ended survey


def test_after_the_purge_only_the_links_hash_is_kept(client: TestClient, db: Session) -> None:
    """The stop link is found by its hash for ever; the token's encrypted copy (kept for the
    reminder) goes with the contact details. A token never made is 404, as for any link."""
    (token,) = _sent_links(db, 1)
    [before] = rows(db, select(Invitation))
    assert before.link_hash == token_hash(token) and before.link_encrypted is not None
    _purge_after_expiry(db)
    [after] = rows(db, select(Invitation))
    assert after.link_hash == token_hash(token) and after.link_encrypted is None
    assert client.post(f"/s/{token}/stop").status_code == 200
    assert client.get(f"/s/{new_token()}/stop").status_code == 404
    assert client.post(f"/s/{token.swapcase()}/stop").status_code == 404
