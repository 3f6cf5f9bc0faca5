"""Batch upload through the API: validation, skip reasons, storage without personal data."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.crypto import decrypt
from app.enums import Role
from app.invitations.contacts import case_ref_hash, contact_hash
from app.invitations.models import Contact, Invitation, OutboundMessage
from tests.auth_helpers import api_headers
from tests.invitations.factories import (
    PHONE,
    PHONE_E164,
    days_ago,
    make_row,
    phone_number,
    upload,
)

URL = "/api/v1/invitation-batches"


def test_json_batch_accepted_and_stored_without_personal_data(
    client: TestClient, db: Session
) -> None:
    headers = api_headers(db, Role.uploader)
    rows = [
        make_row(case_ref="CASE-1"),
        make_row(case_ref="CASE-2", channel="email", phone=None, email="Someone@Example.ORG"),
    ]
    response = client.post(URL, json={"rows": rows}, headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2 and body["rejected"] == [] and body["skipped"] == []
    db.expire_all()
    invitations = db.exec(select(Invitation)).all()
    assert len(invitations) == 2
    assert {i.case_ref_hash for i in invitations} == {
        case_ref_hash("CASE-1"),
        case_ref_hash("CASE-2"),
    }
    contacts = {c.contact_hash: c for c in db.exec(select(Contact)).all()}
    sms = contacts[contact_hash(PHONE_E164)]
    email = contacts[contact_hash("someone@example.org")]
    assert decrypt(sms.destination_encrypted or "") == PHONE_E164
    assert decrypt(email.destination_encrypted or "") == "someone@example.org"
    assert PHONE_E164 not in (sms.destination_encrypted or "")
    messages = db.exec(select(OutboundMessage)).all()
    assert {m.kind for m in messages} == {"invitation"} and len(messages) == 2
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "invitation_batch.upload")).one()
    assert event.detail["accepted"] == 2
    assert "CASE-1" not in json.dumps(event.detail)


def test_csv_batch_with_words_for_safe_to_contact(
    client: TestClient, db: Session, settings_override: Any
) -> None:
    settings_override(VV_SPECIALIST_DIRECT_CONTACT="on")
    headers = api_headers(db, Role.uploader)
    day = days_ago(10)  # touchpoint dates must be recent (VV_MAX_TOUCHPOINT_AGE_DAYS)
    agreed = days_ago(20)
    csv_text = (
        "case_ref,crime_group,touchpoint,touchpoint_date,area,channel,phone,email,language,"
        "safe_to_contact,consent_to_survey,consent_recorded_on,under_18\n"
        f"A1,vawg,reporting,{day},N1,sms,07911 123456,,en,TRUE,TRUE,{agreed},False\n"
        f"A2,rasso,outcome,{day},,email,,a@example.org,pl,False,,,\n"
        f"A3,general,court,{day},,email,,b@example.org,ur,yes,,,\n"
        f"A4,general,court,{day},,sms,07911 123457,,,true,,,\n"
    )
    response = client.post(
        URL, content=csv_text, headers={**headers, "Content-Type": "text/csv; charset=utf-8"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["skipped"] == [{"row": 1, "reason": "not_safe_to_contact"}]
    assert [entry["row"] for entry in body["rejected"]] == [2]
    assert body["rejected"][0]["errors"][0]["loc"] == ["safe_to_contact"]
    # The not-safe row left nothing behind: no contact for its address.
    db.expire_all()
    hashes = {c.contact_hash for c in db.exec(select(Contact)).all()}
    assert contact_hash("a@example.org") not in hashes
    assert len(hashes) == 2


def test_rejected_rows_by_index_never_echo_values(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.uploader)
    rows = [
        make_row(phone="07700 900123"),  # Ofcom drama range: not a real mobile
        make_row(phone="0121 496 0000"),  # a landline
        make_row(channel="email", phone=None, email="not-an-address@"),
        make_row(touchpoint_date="05/01/2026", crime_group="burglary", case_ref="SECRET-REF-9"),
        make_row(language="not a tag!", touchpoint="arrest"),
        make_row(safe_to_contact="maybe"),
        "not an object",
        make_row(phone=phone_number(1)),
    ]
    response = client.post(URL, json={"rows": rows}, headers=headers)
    assert response.status_code == 201
    body = response.json()
    assert body["accepted"] == 1
    assert [entry["row"] for entry in body["rejected"]] == [0, 1, 2, 3, 4, 5, 6]
    fields = {
        entry["row"]: {error["loc"][0] for error in entry["errors"]} for entry in body["rejected"]
    }
    assert fields[0] == {"phone"} and fields[2] == {"email"}
    assert fields[3] == {"touchpoint_date", "crime_group"}
    assert fields[4] == {"language", "touchpoint"}
    text = response.text
    for secret in (
        "07700",
        "900123",
        "0121",
        "not-an-address",
        "SECRET-REF-9",
        "05/01/2026",
        "burglary",
        "not a tag",
        "maybe",
        "arrest",
    ):
        assert secret not in text


def test_skip_reasons_and_precedence(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.uploader)
    opted = phone_number(50)
    first = client.post(
        URL,
        json={"rows": [make_row(phone=phone_number(40)), make_row(phone=opted)]},
        headers=headers,
    )
    assert first.json()["accepted"] == 2
    contact = db.exec(select(Contact).where(Contact.contact_hash == contact_hash(opted))).one()
    from app.invitations.optout import opt_out_contact

    opt_out_contact(db, contact, source="test")
    db.commit()

    rows = [
        make_row(phone=PHONE),  # 0 accepted
        make_row(phone="+44 7911 123456", case_ref="OTHER"),  # 1 duplicate (same E.164)
        # 2 cooling_off: invited by the first batch for another case (a later stage of the
        # same case is the case-stage ledger's, tests/invitations/test_stage_ledger.py)
        make_row(phone=phone_number(40), case_ref="CR/2026/0002"),
        make_row(phone=phone_number(40)),  # 3 duplicate beats cooling_off
        make_row(phone=opted),  # 4 opted_out
        make_row(phone=opted, safe_to_contact=False),  # 5 not safe beats opted out
        make_row(phone=PHONE, safe_to_contact="false"),  # 6 not safe beats duplicate
    ]
    response = client.post(URL, json={"rows": rows}, headers=headers)
    body = response.json()
    assert body["accepted"] == 1
    assert body["skipped"] == [
        {"row": 1, "reason": "duplicate"},
        {"row": 2, "reason": "cooling_off"},
        {"row": 3, "reason": "duplicate"},
        {"row": 4, "reason": "opted_out"},
        {"row": 5, "reason": "not_safe_to_contact"},
        {"row": 6, "reason": "not_safe_to_contact"},
    ]


def test_duplicates_across_chunks(db: Session) -> None:
    from app.invitations.batches import import_rows

    rows = [make_row(phone=phone_number(i % 7)) for i in range(20)]
    result = import_rows(db, rows, actor="test", source="json", chunk_size=3)
    db.commit()
    assert result.accepted == 7
    assert [s["reason"] for s in result.skipped] == ["duplicate"] * 13
    assert [s["row"] for s in result.skipped] == list(range(7, 20))


def test_cooling_off_ends(db: Session, settings_override: object) -> None:
    upload(db, [make_row()])
    settings_override(VV_COOLING_OFF_DAYS="0")  # type: ignore[operator]
    result = upload(db, [make_row(case_ref="CR/2026/0002")])  # cooling-off is between cases
    assert result.accepted == 1


def test_non_uploader_is_refused(client: TestClient, db: Session) -> None:
    response = client.post(URL, json={"rows": [make_row()]}, headers=api_headers(db, Role.analyst))
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")
    assert client.post(URL, json={"rows": [make_row()]}).status_code == 401
    db.expire_all()
    assert db.exec(select(Invitation)).all() == []


def test_bad_bodies_are_problem_json(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.uploader)
    for kwargs in (
        {"json": {"rows": "nope"}},
        {"json": [make_row()]},
        {"content": b"{not json", "headers": {"Content-Type": "application/json"}},
        {"content": b"case_ref,channel\nA,sms\n", "headers": {"Content-Type": "text/csv"}},
    ):
        extra = kwargs.pop("headers", {})
        response = client.post(URL, headers={**headers, **extra}, **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["status"] == 422


def test_batch_status_counts(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.uploader)
    rows = [make_row(phone=phone_number(i)) for i in range(3)]
    batch_id = client.post(URL, json={"rows": rows}, headers=headers).json()["batch_id"]
    response = client.get(f"{URL}/{batch_id}", headers=headers)
    assert response.status_code == 200
    assert response.json()["statuses"] == {"pending": 3}
    assert response.json()["accepted"] == 3
    assert client.get(f"{URL}/nope", headers=headers).status_code == 404
