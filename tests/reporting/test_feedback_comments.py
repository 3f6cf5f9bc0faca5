"""GET /api/v1/comments and POST /api/v1/comments/{id}/quotable."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.enums import Role
from app.survey.models import Comment
from tests.auth_helpers import api_headers
from tests.reporting.factories import create_invitation
from tests.reporting.test_feedback_factories import create_comment, create_comments, create_response

URL = "/api/v1/comments"
DISCLOSURE = {"method": "cell_key", "min_cell": 10, "max_adjustment": 0}


def _months_ago(count: int) -> date:
    """The first day of the month `count` months before this one (real time: the app's)."""
    today = datetime.now(UTC).date()
    index = today.year * 12 + today.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def test_only_groups_at_or_above_min_cell_are_shown(client: TestClient, db: Session) -> None:
    create_comments(db, 10, "General", crime_group="general", touchpoint="reporting")
    create_comments(db, 9, "Rasso", crime_group="rasso", touchpoint="court")
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    assert body["min_cell"] == 10
    assert body["disclosure"] == DISCLOSURE
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

    assert body["comments"] == [] and body["total"] == 0


def test_comments_carry_the_month_only_and_no_response_id(client: TestClient, db: Session) -> None:
    comments = create_comments(db, 10, month=date(2026, 6, 1), touchpoint="investigation")
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
    assert {c["month"] for c in body["comments"]} == {"2026-06"}
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
    create_comments(db, 10, "April", month=date(2026, 4, 1))
    create_comments(db, 10, "Court", touchpoint="court", month=date(2026, 7, 1))
    headers = api_headers(db, Role.analyst)

    body = client.get(
        URL, params={"touchpoint": "reporting", "from": "2026-Q3", "to": "2026-09"}, headers=headers
    ).json()

    assert {c["text"].split()[0] for c in body["comments"]} == {"July"}


def test_the_threshold_is_counted_in_each_month(client: TestClient, db: Session) -> None:
    # Issue 9: six commenters in each of two months made a group of twelve over the range,
    # so each month's six comments were shown with their month.
    create_comments(db, 6, "June", month=date(2026, 6, 1))
    create_comments(db, 6, "May", month=date(2026, 5, 1))
    create_comments(db, 10, "April", month=date(2026, 4, 1))
    headers = api_headers(db, Role.analyst)

    both = client.get(URL, params={"from": "2026-05", "to": "2026-06"}, headers=headers).json()
    june = client.get(URL, params={"from": "2026-06", "to": "2026-06"}, headers=headers).json()
    whole = client.get(URL, params={"from": "2026-Q2", "to": "2026-Q2"}, headers=headers).json()

    assert both["count"] == 0 and june["count"] == 0
    assert {c["text"].split()[0] for c in whole["comments"]} == {"April"}
    assert whole["total"] == 10


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
    create_comments(db, 9)
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
    create_comments(db, 9)
    headers = api_headers(db, Role.analyst)

    marked = client.post(f"{URL}/{comment.id}/quotable", json={"quotable": True}, headers=headers)
    undone = client.post(f"{URL}/{comment.id}/quotable", json={"quotable": False}, headers=headers)

    assert marked.json()["theme"] == "Other"
    assert undone.json()["quotable"] is False


def test_a_comment_analysts_cannot_read_cannot_be_marked(client: TestClient, db: Session) -> None:
    # The answer to marking carries the comment's text: it must not open a small cell.
    lonely = create_comment(db, "Only me in this cell", crime_group="rasso", touchpoint="court")
    headers = api_headers(db, Role.analyst)

    response = client.post(f"{URL}/{lonely.id}/quotable", json={"quotable": True}, headers=headers)

    assert response.status_code == 404
    assert "Only me" not in response.text
    db.expire_all()
    stored = db.get(Comment, lonely.id)
    assert stored is not None and stored.quotable is False


def test_the_response_id_does_not_open_a_comment(client: TestClient, db: Session) -> None:
    comment = create_comment(db, "Fine")
    headers = api_headers(db, Role.analyst)

    response = client.post(
        f"{URL}/{comment.response_id}/quotable", json={"quotable": True}, headers=headers
    )

    assert response.status_code == 404


def test_only_analysts_may_mark_quotable(client: TestClient, db: Session) -> None:
    comment = create_comment(db, "Fine")
    create_comments(db, 9)
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


# --- issue 9: a month is released only when it has closed ------------------------------


def test_a_month_still_open_for_uploads_is_not_shown(client: TestClient, db: Session) -> None:
    # Last month: a batch may still add invitations for it, so its commenters may change.
    create_comments(db, 12, "Recent", month=_months_ago(1))
    create_comments(db, 10, "Old", month=date(2026, 4, 1))
    headers = api_headers(db, Role.analyst)

    body = client.get(URL, headers=headers).json()

    assert {c["text"].split()[0] for c in body["comments"]} == {"Old"}
    assert body["total"] == 10


def test_a_live_link_keeps_its_month_closed_to_analysts(client: TestClient, db: Session) -> None:
    july = date(2026, 7, 1)
    create_comments(db, 10, "July", month=july)
    # One invitation of the same cell whose link lives another week: a victim may still
    # submit or withdraw, and a read before and after would show whose comment it was.
    create_invitation(
        db,
        touchpoint_date=date(2026, 7, 20),
        status="completed",
        expires_at=datetime.now(UTC) + timedelta(days=7),
    )
    headers = api_headers(db, Role.analyst)

    assert client.get(URL, headers=headers).json()["total"] == 0


def test_ended_links_and_other_cells_do_not_hold_a_month(client: TestClient, db: Session) -> None:
    july = date(2026, 7, 1)
    create_comments(db, 10, "July", month=july)
    past = datetime.now(UTC) - timedelta(days=1)
    later = datetime.now(UTC) + timedelta(days=7)
    create_invitation(db, touchpoint_date=date(2026, 7, 3), status="expired", expires_at=past)
    create_invitation(db, touchpoint_date=date(2026, 7, 4), status="completed", expires_at=past)
    create_invitation(db, touchpoint_date=date(2026, 7, 5), status="cancelled")
    create_invitation(db, touchpoint_date=date(2026, 7, 6), status="failed")
    create_invitation(db, touchpoint_date=date(2026, 7, 7), status="withdrawn", expires_at=later)
    create_invitation(db, touchpoint="court", touchpoint_date=date(2026, 7, 8), expires_at=later)
    create_invitation(db, touchpoint_date=date(2026, 8, 1), status="sent", expires_at=later)
    headers = api_headers(db, Role.analyst)

    assert client.get(URL, headers=headers).json()["total"] == 10


def test_an_invitation_not_yet_sent_holds_its_month(client: TestClient, db: Session) -> None:
    create_comments(db, 10, month=date(2026, 7, 1))
    create_invitation(db, touchpoint_date=date(2026, 7, 31), status="pending")
    headers = api_headers(db, Role.analyst)

    assert client.get(URL, headers=headers).json()["total"] == 0


# --- issue 9: disclosure object, CSV, and nothing counted below the threshold ----------


def test_no_answer_tells_that_a_small_cell_exists(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    empty = client.get(URL, params={"crime_group": "rasso"}, headers=headers).json()
    create_comments(db, 3, "Tiny", crime_group="rasso", touchpoint="court")
    db.commit()

    small = client.get(URL, params={"crime_group": "rasso"}, headers=headers).json()

    assert small == empty
    assert set(small) == {"disclosure", "min_cell", "count", "total", "comments"}


def test_comments_come_as_csv_with_the_disclosure_terms(client: TestClient, db: Session) -> None:
    create_comments(db, 9, month=date(2026, 6, 1))
    create_comment(db, "=1+1 PC Smith rang me back", month=date(2026, 6, 1))
    headers = api_headers(db, Role.analyst)

    for response in (
        client.get(URL, params={"format": "csv"}, headers=headers),
        client.get(URL, headers={**headers, "Accept": "text/csv"}),
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert len(rows) == 10
        assert {(r["disclosure_method"], r["min_cell"], r["max_adjustment"]) for r in rows} == {
            ("cell_key", "10", "0")
        }
        assert {r["month"] for r in rows} == {"2026-06"}
        texts = {r["text"] for r in rows}
        assert "'=1+1 PC [name] rang me back" in texts
        assert "response_id" not in response.text.splitlines()[0]
