"""GET /api/v1/comments and POST /api/v1/comments/{id}/quotable."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.enums import Role
from app.survey.models import Comment
from tests.auth_helpers import api_headers
from tests.reporting.test_feedback_factories import create_comment, create_comments, create_response

URL = "/api/v1/comments"


def test_only_groups_at_or_above_min_cell_are_shown(client: TestClient, db: Session) -> None:
    create_comments(db, 10, "General", crime_group="general", touchpoint="reporting")
    create_comments(db, 9, "Rasso", crime_group="rasso", touchpoint="court")
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    assert body["min_cell"] == 10
    assert body["withheld_groups"] == 1
    assert body["count"] == 10
    assert sorted(c["text"] for c in body["comments"]) == sorted(
        f"General {i}" for i in range(1, 11)
    )


def test_groups_count_people_not_comments(client: TestClient, db: Session) -> None:
    for index in range(5):
        response = create_response(db, crime_group="vawg", touchpoint="outcome")
        create_comment(db, f"first {index}", response=response)
        create_comment(db, f"second {index}", response=response, question_id="other")
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    assert body["comments"] == [] and body["withheld_groups"] == 1


def test_comments_carry_the_month_only_and_no_response_id(client: TestClient, db: Session) -> None:
    comments = create_comments(db, 10, month=date(2026, 8, 1), touchpoint="investigation")
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    first = body["comments"][0]
    assert set(first) == {
        "id",
        "text",
        "crime_group",
        "touchpoint",
        "month",
        "question_id",
        "quotable",
        "theme",
    }
    assert {c["month"] for c in body["comments"]} == {"2026-08"}
    response_ids = {comment.response_id for comment in comments}
    assert not any(response_id in str(body) for response_id in response_ids)
    assert {c["id"] for c in body["comments"]} == {comment.id for comment in comments}


def test_order_is_random_on_every_read(client: TestClient, db: Session) -> None:
    create_comments(db, 30)
    headers = api_headers(db, Role.analyst)

    orders = {
        tuple(c["id"] for c in client.get(URL, headers=headers).json()["comments"])
        for _ in range(4)
    }

    assert len(orders) > 1


def test_text_is_redacted(client: TestClient, db: Session) -> None:
    create_comments(db, 9)
    create_comment(db, "PC Smith gave me ref CRI-1234, call 07911 123456")
    headers = api_headers(db, Role.analyst)

    texts = [c["text"] for c in client.get(URL, headers=headers).json()["comments"]]

    assert "PC [name] gave me ref [reference], call [phone]" in texts
    assert not any("Smith" in text or "07911" in text for text in texts)


def test_filters_choose_the_group_and_months(client: TestClient, db: Session) -> None:
    create_comments(db, 10, "July", month=date(2026, 7, 1))
    create_comments(db, 10, "October", month=date(2026, 10, 1))
    create_comments(db, 10, "Court", touchpoint="court", month=date(2026, 7, 1))
    headers = api_headers(db, Role.analyst)

    body = client.get(
        URL, params={"touchpoint": "reporting", "from": "2026-Q3", "to": "2026-09"}, headers=headers
    ).json()

    assert {c["text"].split()[0] for c in body["comments"]} == {"July"}


def test_a_group_is_judged_within_the_months_asked_for(client: TestClient, db: Session) -> None:
    create_comments(db, 6, month=date(2026, 7, 1))
    create_comments(db, 6, month=date(2026, 8, 1))
    headers = api_headers(db, Role.analyst)

    both = client.get(URL, params={"from": "2026-07", "to": "2026-08"}, headers=headers).json()
    july = client.get(URL, params={"from": "2026-07", "to": "2026-07"}, headers=headers).json()

    assert both["count"] == 12
    assert july["count"] == 0 and july["withheld_groups"] == 1


def test_bad_period_is_422(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)

    response = client.get(URL, params={"from": "July"}, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["query", "from"]


def test_min_cell_setting_is_honoured(client: TestClient, db: Session, settings_override) -> None:  # type: ignore[no-untyped-def]
    settings_override(VV_MIN_CELL="3")
    create_comments(db, 3)
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    assert body["min_cell"] == 3 and body["count"] == 3


def test_each_read_is_audited(client: TestClient, db: Session) -> None:
    create_comments(db, 10)
    headers = api_headers(db, Role.analyst)

    client.get(URL, params={"crime_group": "general", "from": "2026-Q3"}, headers=headers)

    db.expire_all()
    events = db.exec(select(AuditEvent).where(AuditEvent.action == "comments.read")).all()
    assert len(events) == 1
    event = events[0]
    assert event.actor.startswith("key:")
    assert event.detail["count"] == 10
    assert event.detail["crime_group"] == "general"
    assert event.detail["from"] == "2026-07"
    assert "Comment 1" not in str(event.detail)


def test_only_analysts_may_read(client: TestClient, db: Session) -> None:
    create_comments(db, 10)
    for role in (Role.uploader, Role.editor, Role.victims_team, Role.approver):
        assert client.get(URL, headers=api_headers(db, role)).status_code == 403
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=api_headers(db, Role.admin)).status_code == 200


def test_marking_quotable_sets_the_theme(client: TestClient, db: Session) -> None:
    comment = create_comment(db, "They listened to me")
    headers = api_headers(db, Role.analyst)

    response = client.post(
        f"{URL}/{comment.id}/quotable",
        json={"quotable": True, "theme": "  Being listened to   and believed "},
        headers=headers,
    )

    assert response.status_code == 200
    assert response.json()["quotable"] is True
    assert response.json()["theme"] == "Being listened to and believed"
    db.expire_all()
    stored = db.get(Comment, comment.id)
    assert (
        stored is not None and stored.quotable and stored.theme == "Being listened to and believed"
    )
    events = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "comments.quotable")).all()
    assert [event.object_id for event in events] == [comment.id]


def test_quotable_without_theme_goes_under_other_and_can_be_undone(
    client: TestClient, db: Session
) -> None:
    comment = create_comment(db, "Fine")
    headers = api_headers(db, Role.analyst)

    marked = client.post(f"{URL}/{comment.id}/quotable", json={"quotable": True}, headers=headers)
    undone = client.post(f"{URL}/{comment.id}/quotable", json={"quotable": False}, headers=headers)

    assert marked.json()["theme"] == "Other"
    assert undone.json()["quotable"] is False


def test_the_response_id_does_not_open_a_comment(client: TestClient, db: Session) -> None:
    comment = create_comment(db, "Fine")
    headers = api_headers(db, Role.analyst)

    response = client.post(
        f"{URL}/{comment.response_id}/quotable", json={"quotable": True}, headers=headers
    )

    assert response.status_code == 404


def test_only_analysts_may_mark_quotable(client: TestClient, db: Session) -> None:
    comment = create_comment(db, "Fine")
    for role in (Role.uploader, Role.editor, Role.approver):
        response = client.post(
            f"{URL}/{comment.id}/quotable", json={"quotable": True}, headers=api_headers(db, role)
        )
        assert response.status_code == 403
    db.expire_all()
    stored = db.get(Comment, comment.id)
    assert stored is not None and stored.quotable is False


def test_a_limit_gives_a_random_sample_and_the_total(client: TestClient, db: Session) -> None:
    create_comments(db, 25)
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, params={"limit": 5}, headers=headers).json()

    assert body["count"] == 5 and body["total"] == 25
    assert len({c["id"] for c in body["comments"]}) == 5
