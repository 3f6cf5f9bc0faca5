"""A victim's typed text: control characters removed silently, so it can always be saved.

PostgreSQL refuses U+0000 in text, so a NUL pasted into a comment used to make the victim's
save or submit fail with a 500 there, and they could never send their answers.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.crypto import decrypt
from app.survey.models import Comment, ContactRequest, InProgressAnswer
from app.survey.text_input import clean_victim_text
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    csrf_token,
    enter,
    question_url,
    reload,
    rows,
    token_for,
)

HOSTILE = "Kind\x00 officer\x07\x1b[31m\r\nthen\rnothing\x7f\ttabbed\x0b\x0c end"
CLEANED = "Kind officer[31m\nthen\nnothing\ttabbed end"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("plain text", "plain text"),
        ("\x00", ""),
        ("a\x00b", "ab"),
        ("line one\r\nline two", "line one\nline two"),
        ("old mac\rline", "old mac\nline"),
        ("blank\r\n\r\nlines", "blank\n\nlines"),
        ("\r\r\n", "\n\n"),
        ("tab\tstays", "tab\tstays"),
        ("newline\nstays", "newline\nstays"),
        ("bell\x07 escape\x1b form\x0c vt\x0b del\x7f", "bell escape form vt del"),
        ("Urdu اردو and Polish żółć stay", "Urdu اردو and Polish żółć stay"),
        ("emoji 🙂 and joiner 👩\u200d👩 stay", "emoji 🙂 and joiner 👩\u200d👩 stay"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        (HOSTILE, CLEANED),
    ],
)
def test_clean_victim_text(typed: str, kept: str) -> None:
    assert clean_victim_text(typed) == kept


def test_clean_victim_text_is_idempotent() -> None:
    assert clean_victim_text(clean_victim_text(HOSTILE)) == CLEANED


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())


def _saved(db: Session) -> dict[str, Any]:
    return {row.question_id: row.value for row in rows(db, select(InProgressAnswer))}


def test_a_page_answer_holding_control_characters_is_saved_clean_and_submitted(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    response = answer(client, "comments", HOSTILE)
    assert response.status_code == 303
    assert _saved(db) == {"comments": CLEANED}
    token = csrf_token(client, "/survey/check")
    submitted = client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert submitted.headers["location"] == "/survey/complete"
    assert [c.text for c in rows(db, select(Comment))] == [CLEANED]
    assert reload(db, invitation).status == "completed"


def test_only_a_nul_typed_counts_as_nothing_typed(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    # Nothing typed is not a skip: the page asks for an answer or a skip (issue 12).
    nothing = answer(client, "comments", "\x00\r\n\x00")
    assert nothing.status_code == 422 and "Write an answer, or skip" in nothing.text
    assert "\x00" not in nothing.text
    assert _saved(db) == {}


def test_the_length_limit_counts_the_cleaned_text(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    # 2,000 characters once the NULs are gone: within the limit.
    assert answer(client, "comments", "x\x00" * 2000).status_code == 303
    assert _saved(db) == {"comments": "x" * 2000}


def test_a_too_long_answer_is_shown_again_without_its_control_characters(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    response = answer(client, "comments", "y\x00" * 2001)
    assert response.status_code == 422
    assert "y" * 2001 in response.text and "\x00" not in response.text


def test_the_api_saves_a_text_answer_holding_control_characters_clean(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    token = token_for(invitation)
    response = client.put(
        f"/api/v1/survey/{token}/answers", json={"answers": {"comments": HOSTILE}}
    )
    assert response.status_code == 200, response.text
    assert _saved(db) == {"comments": CLEANED}
    assert client.post(f"/api/v1/survey/{token}/submit").json() == {"status": "completed"}
    assert [c.text for c in rows(db, select(Comment))] == [CLEANED]


def test_the_api_takes_a_lone_surrogate_without_a_500(client: TestClient, db: Session) -> None:
    token = token_for(create_invitation(db))
    # JSON may spell a lone surrogate, which no database can store as UTF-8.
    body = '{"answers": {"comments": "before \\ud800 after"}}'
    response = client.put(
        f"/api/v1/survey/{token}/answers",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert _saved(db) == {"comments": "before \ufffd after"}
    assert client.post(f"/api/v1/survey/{token}/submit").status_code == 200


def test_a_nul_in_a_choice_is_refused_calmly(client: TestClient, db: Session) -> None:
    token = token_for(create_invitation(db))
    response = client.put(
        f"/api/v1/survey/{token}/answers", json={"answers": {"sat_overall": "very\x00_satisfied"}}
    )
    assert response.status_code == 422
    assert _saved(db) == {}


def test_contact_details_holding_control_characters_are_saved_clean(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    token = csrf_token(client, "/survey/check")
    client.post("/survey/submit", data={"csrf_token": token})
    token = csrf_token(client, "/survey/complete")
    done = client.post(
        "/survey/complete",
        data={
            "csrf_token": token,
            "consent": "yes",
            "name": "Sa\x00m\x07",
            "phone": "07911\x00 123456",
            "email": "sam\x00@example.org",
            "best_time": "Weekday\r\nmornings\x00",
        },
    )
    assert done.status_code == 200, done.text
    assert "The victims team will contact you" in done.text
    (request,) = rows(db, select(ContactRequest))
    details = decrypt(request.details_encrypted)
    assert '"name": "Sam"' in details
    assert '"phone": "+447911123456"' in details
    assert '"email": "sam@example.org"' in details
    assert '"best_time": "Weekday\\nmornings"' in details


def _utf7_multipart(fields: dict[str, bytes]) -> tuple[bytes, dict[str, str]]:
    """A form whose body declares charset=utf-7: Starlette decodes every field with it, so
    "+AAA-" arrives as a NUL and "+2AA-" as half a surrogate pair, with no NUL byte sent."""
    boundary = "vv-utf7-boundary"
    body = b"".join(
        b"--" + boundary.encode() + b"\r\n"
        b'Content-Disposition: form-data; name="' + name.encode() + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields.items()
    )
    body += b"--" + boundary.encode() + b"--\r\n"
    return body, {"content-type": f"multipart/form-data; boundary={boundary}; charset=utf-7"}


def test_a_page_answer_decoding_to_a_nul_or_lone_surrogate_is_saved_clean(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    address = question_url(client, "comments")
    token = csrf_token(client, address).encode()
    body, headers = _utf7_multipart(
        {"csrf_token": token, "action": b"save", "answer": b"Kind+AAA- officer +2AA-end"}
    )
    response = client.post(address, content=body, headers=headers, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert _saved(db) == {"comments": "Kind officer \ufffdend"}


@pytest.mark.parametrize(
    "fields",
    [
        pytest.param({"action": b"save", "answer": b"very+AAA-_satisfied"}, id="nul choice"),
        pytest.param({"action": b"save", "answer": b"very+2AA-_satisfied"}, id="lone choice"),
        pytest.param({"action": b"sa+2AA-ve", "answer": b"very_satisfied"}, id="lone action"),
        pytest.param({"action": b"save", "+2AA-": b"x"}, id="lone field name"),
        pytest.param({"action": b"save", "csrf_token": b"+2AA-"}, id="lone csrf token"),
    ],
)
def test_a_survey_form_decoding_to_unstorable_text_never_gives_a_500(
    client: TestClient, db: Session, fields: dict[str, bytes]
) -> None:
    enter(client, create_invitation(db))
    address = question_url(client, "sat_overall")
    body, headers = _utf7_multipart({"csrf_token": csrf_token(client, address).encode(), **fields})
    response = client.post(address, content=body, headers=headers, follow_redirects=False)
    assert response.status_code < 500, response.text
    assert "\x00" not in response.text and "null character" not in response.text
    assert all("\x00" not in str(v) and "\ud800" not in str(v) for v in _saved(db).values())


def test_contact_details_decoding_to_a_nul_or_lone_surrogate_are_saved_clean(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    client.post("/survey/submit", data={"csrf_token": csrf_token(client, "/survey/check")})
    token = csrf_token(client, "/survey/complete").encode()
    body, headers = _utf7_multipart(
        {
            "csrf_token": token,
            "consent": b"yes",
            "name": b"Sa+AAA-m+2AA-",
            "phone": b"07911 123456",
            "best_time": b"Weekday mornings+AAA-",
        }
    )
    done = client.post("/survey/complete", content=body, headers=headers)
    assert done.status_code == 200, done.text
    (request,) = rows(db, select(ContactRequest))
    details = decrypt(request.details_encrypted)
    assert '"name": "Sam\ufffd"' in details
    assert '"best_time": "Weekday mornings"' in details
