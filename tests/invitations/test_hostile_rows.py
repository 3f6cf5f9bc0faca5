"""Hostile batch rows: each bad row is rejected alone, by index, and the rest are imported.

Absurd dates, fields over the csv module's 128 KB limit, JSON nested past the parser's
recursion limit, wrong types, NaN and Infinity, duplicate or missing CSV columns, and more
rows than a batch may hold. Nothing a row held is ever echoed back.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow
from app.enums import Role
from app.invitations.models import Invitation, InvitationBatch
from app.invitations.scheduling import LONDON
from tests.auth_helpers import api_headers
from tests.invitations.factories import make_row, phone_number

URL = "/api/v1/invitation-batches"
HEADER = "case_ref,crime_group,touchpoint,touchpoint_date,area,channel,phone,safe_to_contact"


def london_today() -> Any:
    return utcnow().astimezone(LONDON).date()


def day(offset: int) -> str:
    return (london_today() + timedelta(days=offset)).isoformat()


def csv_line(i: int, **values: str) -> str:
    row = {
        "case_ref": f"CR/{i}",
        "crime_group": "general",
        "touchpoint": "reporting",
        "touchpoint_date": day(-5),
        "area": "N1",
        "channel": "sms",
        "phone": phone_number(i),
        "safe_to_contact": "true",
    }
    row.update(values)
    return ",".join(row[name] for name in HEADER.split(","))


def upload_json(client: TestClient, headers: dict[str, str], rows: list[Any]) -> Any:
    return client.post(URL, json={"rows": rows}, headers=headers)


def upload_csv(client: TestClient, headers: dict[str, str], text: str | bytes) -> Any:
    return client.post(URL, content=text, headers={**headers, "Content-Type": "text/csv"})


def rejected_fields(body: dict[str, Any]) -> dict[int, dict[str, str]]:
    return {
        entry["row"]: {error["loc"][0]: error["msg"] for error in entry["errors"]}
        for entry in body["rejected"]
    }


def stored_case_count(db: Session) -> int:
    db.expire_all()
    count = len(db.exec(select(Invitation)).all())
    db.rollback()
    return count


@pytest.fixture
def headers(db: Session) -> dict[str, str]:
    return api_headers(db, Role.uploader)


# --- touchpoint dates -------------------------------------------------------------------------


def test_a_row_dated_near_the_end_of_time_is_rejected_alone(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    rows = [
        make_row(phone=phone_number(1)),
        make_row(phone=phone_number(2), touchpoint_date="9999-12-31"),
        make_row(phone=phone_number(3), touchpoint_date="9999-12-28"),
        make_row(phone=phone_number(4), touchpoint_date="0001-01-01"),
        make_row(phone=phone_number(5)),
    ]
    response = upload_json(client, headers, rows)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2
    fields = rejected_fields(body)
    assert fields[1] == {"touchpoint_date": "must not be in the future"}
    assert fields[2] == {"touchpoint_date": "must not be in the future"}
    assert fields[3] == {"touchpoint_date": "must be at most 120 days before the upload"}
    assert "9999" not in response.text
    assert stored_case_count(db) == 2


def test_touchpoint_dates_must_lie_between_the_age_limit_and_today(
    client: TestClient, headers: dict[str, str]
) -> None:
    rows = [
        make_row(phone=phone_number(1), touchpoint_date=day(0)),  # today: accepted
        make_row(phone=phone_number(2), touchpoint_date=day(1)),  # tomorrow
        make_row(phone=phone_number(3), touchpoint_date=day(-120)),  # the limit itself: accepted
        make_row(phone=phone_number(4), touchpoint_date=day(-121)),
    ]
    body = upload_json(client, headers, rows).json()
    assert body["accepted"] == 2
    assert rejected_fields(body) == {
        1: {"touchpoint_date": "must not be in the future"},
        3: {"touchpoint_date": "must be at most 120 days before the upload"},
    }


def test_the_age_limit_is_a_setting(
    client: TestClient, headers: dict[str, str], settings_override: Any
) -> None:
    settings_override(VV_MAX_TOUCHPOINT_AGE_DAYS="30")
    rows = [
        make_row(phone=phone_number(1), touchpoint_date=day(-30)),
        make_row(phone=phone_number(2), touchpoint_date=day(-31)),
    ]
    body = upload_json(client, headers, rows).json()
    assert body["accepted"] == 1
    assert rejected_fields(body) == {
        1: {"touchpoint_date": "must be at most 30 days before the upload"}
    }


# --- fields: size, type, NUL --------------------------------------------------------------------


def test_a_csv_field_over_128_kb_rejects_its_row_alone(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    huge = "S" * (200 * 1024)
    text = "\n".join(
        [
            HEADER,
            csv_line(1),
            csv_line(2, case_ref=huge),
            csv_line(3, area=f'"{huge}"'),  # quoted, still one line
            csv_line(4, area="A" * 5000),  # under the csv limit, over ours
            csv_line(5),
        ]
    )
    response = upload_csv(client, headers, text)
    assert response.status_code == 201, response.text[:300]
    body = response.json()
    assert body["accepted"] == 2
    fields = rejected_fields(body)
    assert set(fields) == {1, 2, 3}
    assert fields[1] == {"row": "has a field longer than 131072 characters"}
    assert fields[2] == {"row": "has a field longer than 131072 characters"}
    assert fields[3] == {"area": "must be at most 1000 characters"}
    assert "SSSS" not in response.text and "AAAA" not in response.text
    assert stored_case_count(db) == 2


def test_deeply_nested_json_rejects_its_row_alone(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    rows = [
        json.dumps(make_row(phone=phone_number(1))),
        '{"case_ref": ' + deep + ', "safe_to_contact": true}',
        json.dumps(make_row(phone=phone_number(3), area={"a": [[[["x"]]]]})),
        json.dumps(make_row(phone=phone_number(4))),
    ]
    body_text = '{"rows": [' + ", ".join(rows) + "]}"
    response = client.post(
        URL, content=body_text, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text[:300]
    body = response.json()
    assert body["accepted"] == 2
    assert rejected_fields(body) == {
        1: {"row": "is nested too deeply to read"},
        2: {"area": "must be text"},
    }
    assert stored_case_count(db) == 2


def test_a_body_nested_too_deeply_outside_the_rows_is_a_422(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    body_text = '{"extra": ' + "[" * 50_000 + "]" * 50_000 + ', "rows": []}'
    response = client.post(
        URL, content=body_text, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"loc": ["body"], "msg": "invalid JSON"}]
    db.expire_all()
    assert db.exec(select(InvitationBatch)).all() == []


def test_wrong_types_nan_and_huge_numbers_reject_the_row_alone(
    client: TestClient, headers: dict[str, str]
) -> None:
    rows = [
        make_row(phone=phone_number(0), case_ref=12345),  # a number as text: fine
        make_row(phone=phone_number(1), case_ref=["CR", "1"]),
        make_row(phone=phone_number(2), crime_group={"name": "general"}),
        make_row(phone=phone_number(3), touchpoint_date=True),
        make_row(channel="sms", phone=["07911 123456"]),
        make_row(phone=phone_number(5), safe_to_contact="TRUE"),  # the word, any case: fine
        make_row(phone=phone_number(6), safe_to_contact="yes"),
        make_row(phone=phone_number(7), safe_to_contact=1),
    ]
    parts = [json.dumps(row) for row in rows]
    parts.append(json.dumps(make_row(phone=phone_number(8))).replace('"CR/2026/0001"', "NaN"))
    parts.append(json.dumps(make_row(phone=phone_number(9))).replace('"BHAM-N"', "-Infinity"))
    parts.append(json.dumps(make_row(phone=phone_number(10))).replace('"BHAM-N"', "9" * 5000))
    parts.append(json.dumps(make_row(phone=phone_number(11))).replace('"BHAM-N"', "1e999"))
    body_text = '{"rows": [' + ", ".join(parts) + "]}"
    response = client.post(
        URL, content=body_text, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text[:300]
    body = response.json()
    assert body["accepted"] == 2
    assert rejected_fields(body) == {
        1: {"case_ref": "must be text"},
        2: {"crime_group": "must be text"},
        3: {"touchpoint_date": "must be text"},
        4: {"phone": "must be text"},
        6: {"safe_to_contact": "must be true or false"},
        7: {"safe_to_contact": "must be true or false"},
        8: {"case_ref": "must be text"},
        9: {"area": "must be text"},
        10: {"area": "must be text"},
        11: {"area": "must be text"},
    }


def test_a_nul_or_lone_surrogate_reaching_a_row_directly_rejects_it() -> None:
    from app.invitations.rows import DateWindow, validate_row

    # The HTTP guard and the CLI refuse a NUL before import; import_rows refuses it too.
    window = DateWindow(today=london_today(), max_age_days=120)
    outcome = validate_row(make_row(area="N\x001", case_ref="CR\ud8001"), window)
    assert outcome == [
        {"loc": ["case_ref"], "msg": "must be valid Unicode text (it holds an unpaired surrogate)"},
        {"loc": ["area"], "msg": "must not contain a null character (U+0000)"},
    ]


# --- CSV shapes -----------------------------------------------------------------------------------


def test_csv_with_bom_crlf_blank_lines_and_unknown_columns_is_read(
    client: TestClient, headers: dict[str, str]
) -> None:
    text = (
        "\ufeff"
        + HEADER
        + ",notes,\r\n"
        + csv_line(1)
        + ",anything,\r\n\r\n"
        + csv_line(2)
        + ",,\r\n"
    )
    response = upload_csv(client, headers, text.encode("utf-8"))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2 and body["rejected"] == []


def test_csv_with_a_column_twice_is_refused_whole(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    text = HEADER + ",phone\n" + csv_line(1) + ",07911 999999\n"
    response = upload_csv(client, headers, text)
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"loc": ["header", "phone"], "msg": "column is given more than once"}
    ]
    db.expire_all()
    assert db.exec(select(InvitationBatch)).all() == []


@pytest.mark.parametrize("text", ["", "\n\n", csv_line(1) + "\n" + csv_line(2) + "\n"])
def test_csv_without_a_header_is_refused_whole(
    client: TestClient, db: Session, headers: dict[str, str], text: str
) -> None:
    response = upload_csv(client, headers, text)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert {"loc": ["header", "case_ref"], "msg": "column is required"} in errors
    assert "CR/1" not in response.text
    db.expire_all()
    assert db.exec(select(InvitationBatch)).all() == []


# --- how much one batch may hold -----------------------------------------------------------------


def test_more_rows_than_a_batch_may_hold_is_413_and_nothing_is_stored(
    client: TestClient, db: Session, headers: dict[str, str], settings_override: Any
) -> None:
    settings_override(VV_MAX_BATCH_ROWS="3")
    rows = [make_row(phone=phone_number(i)) for i in range(4)]
    response = upload_json(client, headers, rows)
    assert response.status_code == 413
    assert response.json()["errors"] == [
        {"loc": ["body", "rows"], "msg": "at most 3 rows in one batch"}
    ]
    csv_text = "\n".join([HEADER, *(csv_line(i) for i in range(4))])
    assert upload_csv(client, headers, csv_text).status_code == 413
    assert upload_json(client, headers, rows[:3]).status_code == 201
    db.expire_all()
    assert len(db.exec(select(InvitationBatch)).all()) == 1


def test_a_body_over_the_size_limit_is_413(
    db: Session, headers: dict[str, str], settings_override: Any
) -> None:
    from app.main import create_app

    settings_override(VV_MAX_BODY_BYTES=str(1024 * 1024))
    csv_text = HEADER + "\n" + csv_line(1, area="A" * (2 * 1024 * 1024)) + "\n"
    with TestClient(create_app(), raise_server_exceptions=False) as small_client:
        # Declared too long, and streamed without a length: both refused.
        response = upload_csv(small_client, headers, csv_text)
        streamed = small_client.post(
            URL,
            content=iter(
                [csv_text.encode()[i : i + 65536] for i in range(0, len(csv_text), 65536)]
            ),
            headers={**headers, "Content-Type": "text/csv"},
        )
    for answer in (response, streamed):
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "application/problem+json"
    db.expire_all()
    assert db.exec(select(InvitationBatch)).all() == []


def test_rows_read_one_by_one_keep_their_indexes_whatever_their_strings_hold(
    client: TestClient, db: Session, headers: dict[str, str]
) -> None:
    # One row too deep for json.loads sends the whole body down the row-by-row path; the other
    # rows hold brackets, commas, escaped quotes and a nested "rows" key that must not confuse it.
    tricky = make_row(phone=phone_number(2), case_ref='CR/2 ], [ {"rows": [1, 2]} \\" ,')
    rows = [
        json.dumps(make_row(phone=phone_number(0))),
        '{"case_ref": ' + "[" * 50_000 + "]" * 50_000 + "}",
        json.dumps(tricky),
        json.dumps({**make_row(phone=phone_number(3)), "extra": {"rows": [[], {}]}}),
        json.dumps(make_row(phone=phone_number(4), touchpoint_date="9999-12-31")),
    ]
    body_text = '{"note": "rows", "rows" :\n [' + " ,\n ".join(rows) + ' ], "after": ["rows", {}]}'
    response = client.post(
        URL, content=body_text, headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text[:300]
    body = response.json()
    assert body["accepted"] == 3
    assert rejected_fields(body) == {
        1: {"row": "is nested too deeply to read"},
        4: {"touchpoint_date": "must not be in the future"},
    }
    db.expire_all()
    stored = {i.case_ref_hash for i in db.exec(select(Invitation)).all()}
    db.rollback()
    from app.invitations.contacts import case_ref_hash

    assert case_ref_hash(tricky["case_ref"]) in stored
