"""Staff pages: comment review, "you said, we did", "contact me" requests."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.reporting.models import PublishedAction
from app.survey.models import Comment, ContactRequest
from tests.auth_helpers import signed_in_client, staff_csrf_token
from tests.reporting.test_feedback_factories import (
    create_comment,
    create_comments,
    create_contact_request,
)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_analyst_reviews_redacted_comments_and_marks_one_quotable(
    client: TestClient, db: Session
) -> None:
    target = create_comment(db, "Sarah from witness care rang me on 07911 123456")
    create_comments(db, 9)
    create_comments(db, 3, "Tiny group", crime_group="rasso")
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get("/staff/comments")

    assert page.status_code == 200
    text = _text(page.text)
    assert "[name] from witness care rang me on [phone]" in text
    assert "Sarah" not in text and "07911" not in text and "Tiny group" not in text
    # Issue 9: no count of the cells left out, and the disclosure terms on the page.
    assert "not shown because" not in text
    assert "at least 10 people per crime group, touchpoint and month" in text
    marked = staff.post(
        f"/staff/comments/{target.id}/quotable",
        data={
            "quotable": "yes",
            "theme": "Court and witness care",
            "return_query": "crime_group=general&next=https://evil.example",
            "csrf_token": staff_csrf_token(staff),
        },
        follow_redirects=False,
    )
    assert marked.status_code == 303
    assert marked.headers["location"] == "/staff/comments?crime_group=general&marked=yes"
    db.expire_all()
    stored = db.get(Comment, target.id)
    assert stored is not None and stored.quotable and stored.theme == "Court and witness care"
    db.rollback()  # end the read: SQLite's write lock would make the app wait
    shown = _text(staff.get("/staff/comments", params={"quotable": "yes"}).text)
    assert "Quoted: Court and witness care" in shown and "1 comment shown" in shown


def test_marking_without_csrf_token_is_refused(client: TestClient, db: Session) -> None:
    target = create_comment(db, "Fine")
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    response = staff.post(f"/staff/comments/{target.id}/quotable", data={"quotable": "yes"})

    assert response.status_code == 403
    db.expire_all()
    assert db.get(Comment, target.id).quotable is False  # type: ignore[union-attr]


def test_approver_publishes_from_the_page(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])

    form = staff.get("/staff/actions")
    done = staff.post(
        "/staff/actions",
        data={
            "text": "You said letters were confusing; we rewrote them.",
            "crime_group": "general",
            "csrf_token": staff_csrf_token(staff),
        },
    )

    assert 'action="/staff/actions"' in form.text
    assert done.status_code == 200 and done.url.path == "/staff/actions"
    assert "The action is published" in done.text
    assert "You said letters were confusing; we rewrote them." in _text(done.text)
    [action] = db.exec(select(PublishedAction)).all()
    assert action.crime_group == "general" and action.published_by.startswith("user:")


def test_empty_action_shows_an_error(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.approver])

    page = staff.post("/staff/actions", data={"text": "  ", "csrf_token": staff_csrf_token(staff)})

    assert page.status_code == 422
    assert "There is a problem" in page.text and 'href="#text"' in page.text
    assert db.exec(select(PublishedAction)).all() == []


def test_other_staff_read_actions_but_cannot_publish(client: TestClient, db: Session) -> None:
    db.add(
        PublishedAction(
            text="We changed things", published_by="user:1", published_at=datetime.now(UTC)
        )
    )
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get("/staff/actions")
    refused = staff.post(
        "/staff/actions", data={"text": "Sneaky", "csrf_token": staff_csrf_token(staff)}
    )

    assert page.status_code == 200 and "We changed things" in page.text
    assert 'action="/staff/actions"' not in page.text
    assert refused.status_code == 403


def test_victims_team_sees_and_closes_requests(client: TestClient, db: Session) -> None:
    row = create_contact_request(db, {"name": "Jo Bloggs", "phone": "07911 123456"})
    db.commit()
    staff = signed_in_client(client, db, [Role.victims_team])

    page = staff.get("/staff/contact-requests")
    closed = staff.post(
        f"/staff/contact-requests/{row.id}/close", data={"csrf_token": staff_csrf_token(staff)}
    )

    text = _text(page.text)
    assert "Name Jo Bloggs" in text and "Phone 07911 123456" in text
    assert closed.status_code == 200 and "The request is closed" in closed.text
    assert "There are no open requests" in closed.text
    db.expire_all()
    stored = db.get(ContactRequest, row.id)
    assert stored is not None and stored.status == "closed" and stored.erase_after is not None
    db.rollback()  # end the read: SQLite's write lock would make the app wait
    assert "Jo Bloggs" in staff.get("/staff/contact-requests", params={"status": "closed"}).text


def test_contact_requests_page_is_for_the_victims_team_only(
    client: TestClient, db: Session
) -> None:
    create_contact_request(db, {"name": "Jo Bloggs"})
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst, Role.approver])

    page = staff.get("/staff/contact-requests")

    assert page.status_code == 403 and "Jo Bloggs" not in page.text
