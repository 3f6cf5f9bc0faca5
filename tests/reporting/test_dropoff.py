"""Question-level drop-off for bank authors: published through the cell-key table, the same
for analysts and the bank's partner editors, never a count of one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.invitations.models import Invitation
from app.reporting.dropoff import question_dropoff
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.csv_files import figures_text
from tests.reporting.factories import create_invitation, published, small_bank, submit_response


def _fill(db: Session) -> dict[str, list[Response] | list[Invitation]]:
    version = create_bank_version(db, small_bank("general"))
    # 30 reporting responses in July 2026: sat_overall skipped by 6; contact_ways (multi)
    # answered with two codes by 20, skipped by 10. right_information reached by 4 only.
    responses: list[Response] = []
    for index in range(30):
        answers: dict[str, str | list[str] | None] = {
            "sat_overall": None if index < 6 else "neither",
            "right_understood": "yes",
            "contact_ways": ["phone", "email"] if index < 20 else None,
        }
        if index < 4:
            answers["right_information"] = "no"
        responses.append(submit_response(db, version, answers, commit=False))
    # 20 surveys in progress stopped at sat_overall, 1 at right_understood; 5 completed.
    stopped = [
        create_invitation(
            db, status="started", bank_version_id=version.id, resume_at="q:sat_overall"
        )
        for _ in range(20)
    ]
    lonely = create_invitation(
        db, status="started", bank_version_id=version.id, resume_at="q:right_understood"
    )
    for _ in range(5):
        create_invitation(db, status="completed", bank_version_id=version.id, resume_at=None)
    db.commit()
    return {"responses": responses, "stopped": stopped, "lonely": [lonely]}


def test_reached_skipped_and_stopped(db: Session) -> None:
    made = _fill(db)
    responses = made["responses"]
    result = question_dropoff(db, "general", touchpoint="reporting")
    rows = {row.question_id: row for row in result.questions}
    # Text questions are not listed; questions not asked at reporting are not either.
    assert list(rows) == ["sat_overall", "right_understood", "right_information", "contact_ways"]
    overall = rows["sat_overall"]
    answered, skipped = published(responses[6:]), published(responses[:6])
    assert (overall.reached, overall.answered, overall.skipped) == (
        answered + skipped,
        answered,
        skipped,
    )
    assert overall.skip_rate == skipped / (answered + skipped) and not overall.suppressed
    assert overall.stopped == published(made["stopped"])
    multi = rows["contact_ways"]
    answered, skipped = published(responses[:20]), published(responses[20:])
    assert (multi.reached, multi.answered, multi.skipped) == (answered + skipped, answered, skipped)
    # One survey stopped at right_understood: never published as 1 (nor as 0).
    assert rows["right_understood"].stopped is None
    small = rows["right_information"]
    assert small.suppressed and small.reached is None and small.skipped is None
    # A suppressed row shows no stopped count either, not even 0.
    assert small.stopped is None
    assert result.disclosure.model_dump() == {
        "method": "cell_key",
        "min_cell": 10,
        "max_adjustment": 4,
    }


def test_dropoff_endpoint_for_analysts_and_the_banks_editors(
    client: TestClient, db: Session
) -> None:
    made = _fill(db)
    url = "/api/v1/aggregates/dropoff?bank=general&touchpoint=reporting"
    answers = []
    for headers in (api_headers(db, Role.analyst), api_headers(db, Role.editor, banks=["general"])):
        response = client.get(url, headers=headers)
        assert response.status_code == 200
        answers.append(response.json())
        assert response.json()["questions"][0]["question_id"] == "sat_overall"
    # Editors see exactly what analysts see: the same published figures.
    assert answers[0] == answers[1]
    for row in answers[1]["questions"]:
        assert row["stopped"] is None or row["stopped"] >= 10
        assert row["reached"] is None or row["reached"] >= 10
    other_editor = api_headers(db, Role.editor, banks=["rasso"])
    assert client.get(url, headers=other_editor).status_code == 403
    assert client.get(url, headers=api_headers(db, Role.uploader)).status_code == 403
    analyst = api_headers(db, Role.analyst)
    assert client.get("/api/v1/aggregates/dropoff?bank=nope", headers=analyst).status_code == 404
    bad = client.get("/api/v1/aggregates/dropoff?bank=general&touchpoint=x", headers=analyst)
    assert bad.status_code == 422
    text = client.get(url + "&format=csv", headers=analyst).text
    first = answers[0]["questions"][0]
    assert figures_text(text).splitlines()[:2] == [
        "question_id,section,type,reached,answered,skipped,skip_rate,stopped,suppressed,"
        "disclosure_method,min_cell,max_adjustment",
        f"sat_overall,overall,scale,{first['reached']},{first['answered']},{first['skipped']},"
        f"{first['skip_rate']},{first['stopped']},false,cell_key,10,4",
    ]
    assert len(made["responses"]) == 30


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
