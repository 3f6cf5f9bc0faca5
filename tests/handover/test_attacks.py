"""Attacks on the support-service handover (issue 12): a worker with bad intent, someone holding
the victim's phone or a seen code, a code guesser, a careless client, and what is left behind.

The PostgreSQL races are in test_races_postgres.py. Each test here is bounded (a few dozen
requests at most) and stays in the process (TestClient).
"""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.db import utcnow
from app.handover.models import Handover
from app.invitations.models import Invitation
from app.jobs.retention import purge
from app.survey.models import InProgressAnswer, Response, SurveySession
from tests.auth_helpers import staff_csrf_token
from tests.factories import create_bank_version
from tests.handover.factories import (
    CASE_REF,
    code_of,
    hand_over,
    held_invitation,
    look_up,
    match_ids,
    worker,
)
from tests.survey.factories import answer, bank_document, csrf_token, question_url

CODE_URL = "/code"
ASSISTED_URL = "/staff/support/assisted"
ADDRESS_URL = "/survey/another-device"
ADDRESS = re.compile(r'id="personal-address"[^>]*>http://testserver/s/([0-9A-Za-z]{17})<')
OWN_CODE = re.compile(r'id="own-code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<')
WRONG = "The code is not right, or it has been used"
NOT_FOUND = "No invitation found"


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _browser(client: TestClient) -> TestClient:
    return TestClient(client.app, base_url=str(client.base_url))


def _code(client: TestClient, db: Session) -> str:
    with _browser(client) as staff:
        return code_of(hand_over(worker(staff, db)))


def _type_code(browser: TestClient, code: str, **headers: str) -> httpx.Response:
    return browser.post(CODE_URL, data={"code": code}, headers=headers, follow_redirects=False)


def _start_assisted(staff: TestClient) -> httpx.Response:
    ids = match_ids(look_up(staff, CASE_REF).text)
    data = {
        "case_ref": CASE_REF,
        "invitation": ids[0],
        "requested": "yes",
        "csrf_token": staff_csrf_token(staff),
    }
    return staff.post(ASSISTED_URL, data=data, follow_redirects=False)


def _without_nonce(html: str) -> str:
    return re.sub(r'nonce="[^"]+"', "", html)


# --- (2) someone holding the victim's phone, or a code or address they saw ---------------------


def test_a_replaced_code_reads_exactly_as_a_wrong_one(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(_browser(client), db)
    old = code_of(hand_over(staff))
    new = code_of(hand_over(staff))
    replaced = _type_code(_browser(client), old)
    wrong = _type_code(_browser(client), "ABCD-EFGH" if old != "ABCDEFGH" else "HGFE-DCBA")
    assert replaced.status_code == wrong.status_code == 400
    assert _without_nonce(replaced.text) == _without_nonce(wrong.text)
    # The replaced code did not spoil the new one.
    assert _type_code(_browser(client), new).status_code == 303


def test_a_used_code_cannot_be_replayed_on_another_device(client: TestClient, db: Session) -> None:
    held_invitation(db)
    code = _code(client, db)
    assert _type_code(_browser(client), code).status_code == 303
    again = _type_code(_browser(client), code)
    assert again.status_code == 400 and WRONG in again.text


def test_an_old_personal_address_shows_what_a_forged_one_does(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    victim = _browser(client)
    assert _type_code(victim, _code(client, db)).status_code == 303
    first, second = (
        ADDRESS.search(
            victim.post(ADDRESS_URL, data={"csrf_token": csrf_token(victim, ADDRESS_URL)}).text
        )
        for _ in range(2)
    )
    assert first and second
    old = _browser(client).get(f"/s/{first.group(1)}", follow_redirects=False)
    forged = _browser(client).get(f"/s/{'A' * 17}", follow_redirects=False)
    assert old.status_code == forged.status_code == 404
    assert _without_nonce(old.text) == _without_nonce(forged.text)


def test_a_victims_own_session_has_no_assisted_powers(client: TestClient, db: Session) -> None:
    """Someone holding the victim's phone in a session opened by code cannot mint a code
    ("Answer on my own" is the assisted session's), and a response sent from it is never
    marked assisted, whatever the form says."""
    held_invitation(db)
    victim = _browser(client)
    assert _type_code(victim, _code(client, db)).status_code == 303
    token = csrf_token(victim, "/survey/start")
    assert victim.post("/survey/on-my-own", data={"csrf_token": token}).status_code == 404
    assert victim.get("/survey/assisted").status_code == 404
    sent = victim.post(
        "/survey/submit",
        data={"csrf_token": csrf_token(victim, "/survey/check"), "assisted": "true"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    db.expire_all()
    assert db.exec(select(Response)).one().assisted is False
    db.commit()


# --- (3) guessing codes ---------------------------------------------------------------------


def test_a_changed_forwarded_for_header_does_not_reset_the_code_throttle(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    code = _code(client, db)
    guesser = _browser(client)
    for index in range(10):
        headers = {"X-Forwarded-For": f"198.51.100.{index}", "X-Real-IP": f"203.0.113.{index}"}
        assert _type_code(guesser, "ZZZZ-ZZZZ", **headers).status_code == 400
    # The eleventh, from a "new" address and a new browser, waits, even with the right code.
    fresh = _browser(client)
    blocked = _type_code(fresh, code, **{"X-Forwarded-For": "192.0.2.99"})
    assert blocked.status_code == 429
    assert "retry-after" in blocked.headers


# --- (4) a careless client ------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "ABCD\x00EFGH",
        "\x00" * 8,
        "A" * 100_000,
        "АВСD-ЕFGН",  # Cyrillic look-alikes of A, B, C, E, H
        "ＡＢＣＤＥＦＧＨ",  # full-width letters
        "0O1I-0O1I",  # the look-alikes the alphabet leaves out
        "\U0001f600" * 8,
    ],
    ids=["nul-inside", "nul-only", "100k", "cyrillic", "fullwidth", "lookalikes", "emoji"],
)
def test_odd_codes_read_as_a_wrong_code(client: TestClient, db: Session, typed: str) -> None:
    """Anything odd, a NUL included, is a wrong code on the victim's own page (Exit this page,
    support). Never a 500, never what was typed on the page."""
    held_invitation(db)
    _code(client, db)
    page = _type_code(_browser(client), typed)
    assert page.status_code == 400 and WRONG in page.text
    assert "Exit this page" in page.text
    assert typed[:20] not in page.text


@pytest.mark.parametrize(
    "typed",
    ["CR/2026\x000001", "\x00", "C" * 100_000, "СR/2026/0001", "CR/2026/0001\u200b"],
    ids=["nul-inside", "nul-only", "100k", "cyrillic-c", "zero-width"],
)
def test_odd_references_find_nothing_and_never_fail(
    client: TestClient, db: Session, typed: str
) -> None:
    invitation = held_invitation(db)
    page = look_up(worker(client, db), typed)
    assert page.status_code in {200, 422}, page.text[-500:]  # a NUL: app/input_guard.py
    assert invitation.id not in page.text
    assert "\x00" not in page.text


def test_the_worker_forms_need_their_csrf_token(client: TestClient, db: Session) -> None:
    held_invitation(db)
    staff = worker(client, db)
    ids = match_ids(look_up(staff, CASE_REF).text)
    data = {"case_ref": CASE_REF, "invitation": ids[0], "agreed": "yes", "requested": "yes"}
    assert staff.post("/staff/support/handover", data=data).status_code == 403
    assert staff.post(ASSISTED_URL, data=data, follow_redirects=False).status_code == 403
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    db.commit()


# --- (1) a support worker with bad intent ---------------------------------------------------


def test_a_worker_cannot_hand_over_by_naming_another_services_invitation(
    client: TestClient, db: Session
) -> None:
    """The form's invitation id is checked against the reference's matches for this worker's
    services: naming another service's invitation, with its own reference, finds nothing."""
    other = held_invitation(db, support_service="rape_crisis_support_line", case_ref="CR/2026/0999")
    held_invitation(db)
    staff = worker(client, db)
    for case_ref in (CASE_REF, "CR/2026/0999"):
        for url, tick in (("/staff/support/handover", "agreed"), (ASSISTED_URL, "requested")):
            data = {
                "case_ref": case_ref,
                "invitation": other.id,
                tick: "yes",
                "csrf_token": staff_csrf_token(staff),
            }
            page = staff.post(url, data=data, follow_redirects=False)
            assert page.status_code == 200 and NOT_FOUND in page.text
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    db.commit()


# --- (6) privacy ----------------------------------------------------------------------------


def test_the_assisted_session_cannot_read_the_victims_own_answers(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    victim = _browser(client)
    assert _type_code(victim, _code(client, db)).status_code == 303
    saved = answer(victim, "comments", "words only the victim should see again")
    assert saved.status_code == 303, saved.text
    staff = worker(_browser(client), db)
    assert _start_assisted(staff).status_code == 303
    page = staff.get(question_url(staff, "comments"))
    assert page.status_code == 200 and "no-store" in page.headers["cache-control"]
    assert "words only the victim should see again" not in page.text
    check = staff.get("/survey/check")
    assert check.status_code == 200
    assert "words only the victim should see again" not in check.text


def test_answer_on_my_own_leaves_nothing_on_the_workers_device(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    staff = worker(client, db)
    assert _start_assisted(staff).status_code == 303
    url = question_url(staff, "comments")
    assert answer(staff, "comments", "said in front of the worker").status_code == 303
    assert "said in front of the worker" in staff.get(url).text
    alone = staff.post("/survey/on-my-own", data={"csrf_token": csrf_token(staff, url)})
    assert alone.status_code == 200 and OWN_CODE.search(alone.text)
    assert "no-store" in alone.headers["cache-control"]
    # Back, or the question's address again: the session has ended.
    back = staff.get(url)
    assert back.status_code == 401
    assert "said in front of the worker" not in back.text
    # And the victim, on their own device with the code, sees it only as answered.
    found = OWN_CODE.search(alone.text)
    assert found
    victim = _browser(client)
    assert _type_code(victim, found.group(1) + found.group(2)).status_code == 303
    assert "said in front of the worker" not in victim.get(question_url(victim, "comments")).text


def test_no_log_line_or_audit_event_names_a_client(
    client: TestClient, db: Session, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    invitation = held_invitation(db)
    db.expire_all()
    case_hash = db.get(Invitation, invitation.id).case_ref_hash  # type: ignore[union-attr]
    db.commit()
    staff = worker(_browser(client), db)
    look_up(staff, "CR/2026/9999")
    code = code_of(hand_over(staff))
    _type_code(_browser(client), "ZZZZZZZZ")
    victim = _browser(client)
    _type_code(victim, code)
    _type_code(_browser(client), code)
    assisted = worker(_browser(client), db)
    _start_assisted(assisted)
    alone = assisted.post("/survey/on-my-own", data={"csrf_token": csrf_token(assisted)})
    own = OWN_CODE.search(alone.text)
    assert own
    secrets = {CASE_REF, "CR/2026/9999", invitation.id, code, str(case_hash)}
    secrets.add(own.group(1) + own.group(2))
    secrets |= {f"{c[:4]}-{c[4:]}" for c in list(secrets) if len(c) == 8}
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    db.expire_all()
    audited = "\n".join(str(event.model_dump()) for event in db.exec(select(AuditEvent)).all())
    db.commit()
    for secret in secrets:
        assert secret not in logged
        assert secret not in audited


# --- purge ----------------------------------------------------------------------------------


def test_purge_cuts_everything_of_a_handed_over_invitation_when_its_link_ends(
    client: TestClient, db: Session
) -> None:
    held_invitation(db)
    staff = worker(_browser(client), db)
    code = code_of(hand_over(staff))
    victim = _browser(client)
    assert _type_code(victim, code).status_code == 303
    assert answer(victim, "comments", "kept only while the link lives").status_code == 303
    shown = victim.post(ADDRESS_URL, data={"csrf_token": csrf_token(victim, ADDRESS_URL)})
    address = ADDRESS.search(shown.text)
    assert address
    unused = code_of(hand_over(staff))  # a code handed over again and never typed
    db.expire_all()
    row = db.exec(select(Invitation)).one()
    assert row.expires_at is not None
    ends = row.expires_at
    db.commit()

    purge(db, at=ends - timedelta(minutes=1))
    db.commit()
    db.expire_all()
    assert db.exec(select(Handover)).one() is not None
    db.commit()

    purge(db, at=ends + timedelta(minutes=1))
    db.commit()
    db.expire_all()
    closed = db.exec(select(Invitation)).one()
    assert (closed.status, closed.case_ref_hash, closed.response_id) == ("expired", None, None)
    assert closed.link_encrypted is None
    assert db.exec(select(Handover)).all() == []
    assert db.exec(select(SurveySession)).all() == []
    assert db.exec(select(InProgressAnswer)).all() == []
    db.commit()
    # Nothing a stolen code, address or reference held still leads anywhere.
    assert _type_code(_browser(client), unused).status_code == 400
    assert _browser(client).get(f"/s/{address.group(1)}", follow_redirects=False).status_code in {
        404,
        410,
    }
    assert NOT_FOUND in look_up(staff, CASE_REF).text


def test_a_held_invitation_is_found_until_its_56th_day_and_purge_never_cuts_it_sooner(
    client: TestClient, db: Session
) -> None:
    invitation = held_invitation(db)
    assert invitation.expires_at is not None and invitation.created_at is not None
    assert invitation.expires_at - invitation.created_at >= timedelta(days=56) - timedelta(
        seconds=5
    )
    for days in (1, 28, 55):
        purge(db, at=utcnow() + timedelta(days=days))
        db.commit()
        db.expire_all()
        assert db.exec(select(Invitation)).one().case_ref_hash is not None
        db.commit()
    assert match_ids(look_up(worker(client, db), CASE_REF).text) == [invitation.id]


def test_an_assisted_start_that_cannot_start_writes_nothing(
    client: TestClient, db: Session
) -> None:
    """A survey the victim withdrew cannot be opened: the worker reads "No invitation found",
    and neither an agreement nor an "assisted session started" is recorded for it (the
    record of who handed it over stays the first worker's; the audit trail tells nothing)."""
    held_invitation(db)
    first = worker(_browser(client), db)
    victim = _browser(client)
    assert _type_code(victim, code_of(hand_over(first))).status_code == 303
    gone = victim.post(
        "/survey/withdraw", data={"csrf_token": csrf_token(victim, "/survey/withdraw")}
    )
    assert gone.status_code == 200, gone.text
    db.expire_all()
    before = db.exec(select(Handover)).one().model_dump()
    db.commit()

    second = worker(_browser(client), db)
    page = _start_assisted(second)

    assert page.status_code == 200 and NOT_FOUND in page.text
    db.expire_all()
    assert db.exec(select(Handover)).one().model_dump() == before
    started = db.exec(select(AuditEvent).where(AuditEvent.action == "support.assisted_started"))
    assert started.all() == []
    db.commit()


def test_an_ipv6_network_cannot_rotate_its_64s_to_guess_more_codes(
    client: TestClient, db: Session
) -> None:
    """Each /64 has its own 10 tries, but a /48 (a home or a cheap server's allocation holds
    65,536 of them) has 50 between them all an hour: else one /48 could try 655,360 codes
    in its first hour and some 45 million over a link's 28 days, against every live code."""
    held_invitation(db)
    code = _code(client, db)

    def from_address(address: str) -> TestClient:
        return TestClient(client.app, base_url=str(client.base_url), client=(address, 50000))

    for index in range(50):
        assert _type_code(from_address(f"2001:db8:7:{index:x}::1"), "ZZZZ-ZZZZ").status_code == 400
    assert _type_code(from_address("2001:db8:7:ff::1"), code).status_code == 429
    # Another /48 is not held back by it.
    assert _type_code(from_address("2001:db8:8::1"), code).status_code == 303


def test_an_api_key_cannot_use_the_worker_pages(client: TestClient, db: Session) -> None:
    """The pages are for a worker signed in with the second factor, with the client in front
    of them: a key (even one bound to that worker) would script look-ups past the second
    factor, each key with its own count of look-ups."""
    from app.auth.api_keys import create_api_key
    from tests.auth_helpers import create_staff_user

    invitation = held_invitation(db)
    user = create_staff_user(db, "support_worker", services=["victim_support"])
    plain, _key = create_api_key(
        db,
        name="isva script",
        roles=["support_worker"],
        support_scopes=["victim_support"],
        user_email=user.email,
    )
    db.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    found = client.post("/staff/support/", data={"case_ref": CASE_REF}, headers=headers)
    assert found.status_code == 403 and invitation.id not in found.text
    data = {"case_ref": CASE_REF, "invitation": invitation.id, "agreed": "yes", "requested": "yes"}
    for url in ("/staff/support/handover", ASSISTED_URL):
        page = client.post(url, data=data, headers=headers, follow_redirects=False)
        assert page.status_code == 403, url
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    db.commit()


def test_the_buttons_that_make_a_code_ignore_a_double_click(
    client: TestClient, db: Session
) -> None:
    """A double click would make two codes, and the page could show the one replaced: the
    buttons that make a code (or a session) are GOV.UK's preventDoubleClick buttons."""
    held_invitation(db)
    staff = worker(client, db)
    found = look_up(staff, CASE_REF).text
    for label in ("Hand over a code", "Help them answer now"):
        button = re.search(r"<button[^>]*>\s*" + label, found)
        assert button and 'data-prevent-double-click="true"' in button.group(0), label
    assert _start_assisted(staff).status_code == 303
    page = staff.get("/survey/start").text
    button = re.search(r"<button[^>]*>\s*Answer on my own", page)
    assert button and 'data-prevent-double-click="true"' in button.group(0)


@pytest.mark.parametrize("ended_by", ["purge at its end", "a later stage cancelling it"])
def test_a_handover_that_loses_a_race_with_the_links_end_hands_nothing_over(
    db: Session, ended_by: str
) -> None:
    """The look-up found it, then (before the handover took the row lock) its 56 days ran out
    and purge cut its ties, or the force's later stage cancelled it: the handover must find
    nothing, not revive the link for 28 days nor leave a handover record purge never deletes."""
    from app.auth.deps import Caller
    from app.enums import Role
    from app.handover.handing import NoSuchMatch, record_agreement
    from app.handover.lookup import matches_of
    from app.invitations import lifecycle
    from tests.auth_helpers import create_staff_user

    invitation = held_invitation(db)
    user = create_staff_user(db, Role.support_worker, services=["victim_support"])
    caller = Caller(
        actor=f"user:{user.id}",
        roles=frozenset({Role.support_worker}),
        support_scopes=frozenset({"victim_support"}),
        user_id=user.id,
    )
    [match] = matches_of(db, caller.support_scopes, CASE_REF)
    db.commit()
    now = utcnow()
    row = db.get(Invitation, invitation.id)
    assert row is not None
    if ended_by == "purge at its end":
        row.expires_at = now - timedelta(seconds=1)
        db.add(row)
        db.commit()
        purge(db, at=now)
    else:
        lifecycle.cancel_unsent(db, [invitation.id], at=now)
    db.commit()

    with pytest.raises(NoSuchMatch):
        record_agreement(db, caller, match, at=now)
    db.rollback()
    db.expire_all()
    assert db.exec(select(Handover)).all() == []
    after = db.get(Invitation, invitation.id)
    assert after is not None and after.first_sent_at is None
    db.commit()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"code=%ED%A0%80AAAAAAA", "application/x-www-form-urlencoded"),
        (b"code=%FF%FE%00", "application/x-www-form-urlencoded"),
        (
            b'--b\r\nContent-Disposition: form-data; name="code"\r\n'
            b"Content-Type: text/plain; charset=utf-7\r\n\r\n+2ADcAA-AAAA\r\n--b--\r\n",
            "multipart/form-data; boundary=b",
        ),
    ],
    ids=["encoded-surrogate", "bad-utf8", "utf7-surrogate"],
)
def test_a_code_in_broken_encodings_is_never_a_server_error(
    client: TestClient, db: Session, body: bytes, content_type: str
) -> None:
    held_invitation(db)
    _code(client, db)
    page = _browser(client).post(CODE_URL, content=body, headers={"content-type": content_type})
    assert page.status_code in {400, 422}


def test_the_workers_device_is_never_given_a_personal_address(
    client: TestClient, db: Session
) -> None:
    """In an assisted session the address would be shown on (or sent from) the worker's device,
    which could then open the survey again later: none of the three routes answer."""
    held_invitation(db)
    staff = worker(client, db)
    assert _start_assisted(staff).status_code == 303
    token = csrf_token(staff, "/survey/start")
    assert staff.get(ADDRESS_URL).status_code == 404
    assert staff.post(ADDRESS_URL, data={"csrf_token": token}).status_code == 404
    sent = staff.post(
        ADDRESS_URL + "/send", data={"csrf_token": token, "destination": "07911 123456"}
    )
    assert sent.status_code == 404


def test_signing_out_ends_the_survey_on_the_workers_device(client: TestClient, db: Session) -> None:
    """An assisted session left open (the victim went, nobody pressed Exit or "Answer on my
    own") must not outlive the worker's sign-out on a shared office computer: the next person
    at it would see the answers given, for up to an hour."""
    held_invitation(db)
    staff = worker(client, db)
    assert _start_assisted(staff).status_code == 303
    url = question_url(staff, "comments")
    assert answer(staff, "comments", "said before the worker signed out").status_code == 303
    signed_out = staff.post(
        "/staff/logout", data={"csrf_token": staff_csrf_token(staff)}, follow_redirects=False
    )
    assert signed_out.status_code == 303
    after = staff.get(url)
    assert after.status_code == 401
    assert "said before the worker signed out" not in after.text


@pytest.mark.parametrize("value", [b"x+AAA-y", b"x+2AA-y"], ids=["utf-7 nul", "utf-7 surrogate"])
def test_a_code_in_a_hostile_encoding_is_a_wrong_code_on_the_victims_page(
    client: TestClient, db: Session, value: bytes
) -> None:
    """Exempt from the input guard like the survey's routes, /code reads what a form in an
    odd charset decodes to as a wrong code, on its own page: never a 500."""
    boundary = "vv-boundary"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="code"\r\n\r\n'.encode()
        + value
        + f"\r\n--{boundary}--\r\n".encode()
    )
    page = _browser(client).post(
        "/code",
        content=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}; charset=utf-7"},
    )
    assert page.status_code == 400 and WRONG in page.text
    assert "Exit this page" in page.text and "\x00" not in page.text
