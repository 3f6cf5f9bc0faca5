"""Question-level drop-off for bank authors."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.dropoff import question_dropoff
from tests.auth_helpers import api_headers
from tests.reporting.factories import create_bank_version, create_invitation, submit_response


def _fill(db: Session) -> None:
    version = create_bank_version(db)
    # 12 reporting responses: sat_overall skipped by 3; contact_ways (multi) answered with two
    # codes by 8, skipped by 4. right_information reached by 4 only.
    for index in range(12):
        answers: dict[str, str | list[str] | None] = {
            "sat_overall": None if index < 3 else "neither",
            "right_understood": "yes",
            "contact_ways": ["phone", "email"] if index < 8 else None,
        }
        if index < 4:
            answers["right_information"] = "no"
        submit_response(db, version, answers, commit=False)
    # 10 surveys in progress stopped at sat_overall, 2 at right_understood; 5 completed.
    for _ in range(10):
        create_invitation(
            db, status="started", bank_version_id=version.id, resume_at="q:sat_overall"
        )
    for _ in range(2):
        create_invitation(
            db, status="started", bank_version_id=version.id, resume_at="q:right_understood"
        )
    for _ in range(5):
        create_invitation(db, status="completed", bank_version_id=version.id, resume_at=None)
    db.commit()


def test_reached_skipped_and_stopped(db: Session) -> None:
    _fill(db)
    result = question_dropoff(db, "general", touchpoint="reporting", min_cell=10)
    rows = {row.question_id: row for row in result.questions}
    # Text questions are not listed; questions not asked at reporting are not either.
    assert list(rows) == ["sat_overall", "right_understood", "right_information", "contact_ways"]
    overall = rows["sat_overall"]
    assert (overall.reached, overall.answered, overall.skipped, overall.stopped) == (12, 9, 3, 10)
    assert overall.skip_rate == 3 / 12 and not overall.suppressed
    multi = rows["contact_ways"]
    assert (multi.reached, multi.answered, multi.skipped) == (12, 8, 4)
    # Below the minimum: hidden; and 2 stopped is hidden too.
    assert rows["right_understood"].stopped is None
    small = rows["right_information"]
    assert small.suppressed and small.reached is None and small.skipped is None


def test_dropoff_endpoint_for_analysts_and_the_banks_editors(
    client: TestClient, db: Session
) -> None:
    _fill(db)
    url = "/api/v1/aggregates/dropoff?bank=general&touchpoint=reporting"
    for headers in (api_headers(db, Role.analyst), api_headers(db, Role.editor, banks=["general"])):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        assert response.json()["questions"][0]["question_id"] == "sat_overall"
    other_editor = api_headers(db, Role.editor, banks=["rasso"])
    assert client.get(url, headers=other_editor).status_code == 403
    assert client.get(url, headers=api_headers(db, Role.uploader)).status_code == 403
    analyst = api_headers(db, Role.analyst)
    assert client.get("/api/v1/aggregates/dropoff?bank=nope", headers=analyst).status_code == 404
    bad = client.get("/api/v1/aggregates/dropoff?bank=general&touchpoint=x", headers=analyst)
    assert bad.status_code == 422
    text = client.get(url + "&format=csv", headers=analyst).text
    assert text.splitlines()[:2] == [
        "question_id,section,type,reached,answered,skipped,skip_rate,stopped,suppressed",
        "sat_overall,overall,scale,12,9,3,0.25,10,false",
    ]


def _denials(db: Session, path: str) -> list[AuditEvent]:
    db.expire_all()
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "access.denied", AuditEvent.object_id == path)
    ).all()
    db.rollback()  # end the read transaction: SQLite transactions here take the write lock
    return list(events)


def test_roles_are_checked_before_parameters(client: TestClient, db: Session) -> None:
    uploader = api_headers(db, Role.uploader)

    # No bank and a bad touchpoint: still 403, not 422, for a caller without the role.
    response = client.get("/api/v1/aggregates/dropoff?touchpoint=x", headers=uploader)

    assert response.status_code == 403
    [event] = _denials(db, "/aggregates/dropoff")
    assert event.actor.startswith("key:")
    assert event.detail["required_roles"] == ["analyst", "editor"]
    missing = client.get("/api/v1/aggregates/dropoff", headers=api_headers(db, Role.analyst))
    assert missing.status_code == 422


def test_an_editor_of_another_bank_is_refused_and_audited(client: TestClient, db: Session) -> None:
    _fill(db)
    other_editor = api_headers(db, Role.editor, banks=["rasso"])

    response = client.get("/api/v1/aggregates/dropoff?bank=general", headers=other_editor)

    assert response.status_code == 403
    assert response.json()["detail"] == "Your roles do not allow this."
    [event] = _denials(db, "/aggregates/dropoff")
    assert event.detail == {
        "method": "GET",
        "path": "/aggregates/dropoff",
        "reason": "bank not in scope",
        "bank": "general",
    }
    db.expire_all()
    assert not db.exec(select(AuditEvent).where(AuditEvent.action == "aggregates.read")).all()
