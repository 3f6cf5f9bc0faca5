"""Comments not written in English reach analysts only after an approver checks them."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.comment_checks import CommentCheck
from app.survey.models import Comment
from tests.auth_helpers import api_headers, signed_in_client, staff_csrf_token
from tests.reporting.test_feedback_factories import create_comment, create_comments, create_response

URL = "/api/v1/comments"
CHECKS = "/staff/comments/checks"
JUNE = date(2026, 6, 1)
POLISH = "Policjant był bardzo miły, ale nikt do mnie nie zadzwonił"


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _comment_in(db: Session, text: str, *, language: str = "en", **values: object) -> Comment:
    response = create_response(db, month=JUNE, **values)  # type: ignore[arg-type]
    response.language = language
    db.add(response)
    return create_comment(db, text, response=response)


def _texts(client: TestClient, headers: dict[str, str]) -> set[str]:
    return {c["text"] for c in client.get(URL, headers=headers).json()["comments"]}


def test_a_comment_in_another_language_is_held_from_analysts(
    client: TestClient, db: Session
) -> None:
    create_comments(db, 8, "Kept me informed", month=JUNE)
    polish = _comment_in(db, POLISH)
    english_of_polish_survey = _comment_in(db, "They were kind to me", language="pl")
    polish.quotable, polish.theme = True, "Other"
    db.commit()
    headers = api_headers(db, Role.analyst)

    texts = _texts(client, headers)
    csv_text = client.get(URL, params={"format": "csv"}, headers=headers).text
    staff = signed_in_client(client, db, [Role.analyst])
    page = _text(staff.get("/staff/comments").text)
    report = _text(staff.get("/reports/quarterly", params={"period": "2026-Q2"}).text)

    assert len(texts) == 8 and all(text.startswith("Kept me informed") for text in texts)
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 8
    for shown in (csv_text, page, report):
        assert "Policjant" not in shown and "They were kind to me" not in shown
    db.expire_all()
    checks = {c.comment_id: c for c in db.exec(select(CommentCheck)).all()}
    assert (checks[polish.id].language, checks[polish.id].needs_check) == ("pl", True)
    assert checks[english_of_polish_survey.id].needs_check is True


def test_an_approver_releases_a_held_comment_to_analysts(client: TestClient, db: Session) -> None:
    create_comments(db, 9, "Kept me informed", month=JUNE)
    polish = _comment_in(db, "Policjant Kowalski był bardzo miły, dziękuję bardzo")
    db.commit()
    analyst = api_headers(db, Role.analyst)
    assert len(_texts(client, analyst)) == 9
    checker = signed_in_client(client, db, [Role.approver])

    page = _text(checker.get(CHECKS).text)
    assert "Policjant [name] był bardzo miły, dziękuję bardzo" in page
    assert "Language detected Polish" in page and "Survey taken in English" in page
    done = checker.post(
        f"/staff/comments/{polish.id}/check",
        data={"outcome": "released", "csrf_token": staff_csrf_token(checker)},
        follow_redirects=False,
    )

    assert done.status_code == 303 and done.headers["location"] == f"{CHECKS}?checked=released"
    assert "Policjant [name] był bardzo miły, dziękuję bardzo" in _texts(client, analyst)
    assert "There are no comments waiting for a check" in _text(checker.get(CHECKS).text)
    db.expire_all()
    check = db.get(CommentCheck, polish.id)
    assert check is not None and check.outcome == "released"
    assert check.checked_by is not None and check.checked_by.startswith("user:")
    [event] = db.exec(select(AuditEvent).where(col(AuditEvent.action) == "comments.checked")).all()
    assert event.object_id == polish.id
    assert event.detail == {"outcome": "released", "language": "pl"}
    assert "Policjant" not in str(event.detail) and "Kowalski" not in str(event.detail)


def test_a_comment_kept_from_analysts_stays_away(client: TestClient, db: Session) -> None:
    create_comments(db, 9, "Kept me informed", month=JUNE)
    polish = _comment_in(db, POLISH)
    db.commit()
    checker = signed_in_client(client, db, [Role.approver])
    checker.get(CHECKS)

    checker.post(
        f"/staff/comments/{polish.id}/check",
        data={"outcome": "withheld", "csrf_token": staff_csrf_token(checker)},
    )

    analyst = api_headers(db, Role.analyst)
    assert not any("Policjant" in text for text in _texts(client, analyst))
    assert "Policjant" not in _text(checker.get(CHECKS).text)


def test_a_check_needs_the_csrf_token(client: TestClient, db: Session) -> None:
    create_comments(db, 9, month=JUNE)
    polish = _comment_in(db, POLISH)
    db.commit()
    checker = signed_in_client(client, db, [Role.approver])
    checker.get(CHECKS)

    refused = checker.post(f"/staff/comments/{polish.id}/check", data={"outcome": "released"})

    assert refused.status_code == 403
    db.expire_all()
    check = db.get(CommentCheck, polish.id)
    assert check is not None and check.outcome is None


def test_analysts_cannot_lift_the_hold(client: TestClient, db: Session) -> None:
    create_comments(db, 9, month=JUNE)
    polish = _comment_in(db, POLISH)
    db.commit()
    analyst = signed_in_client(client, db, [Role.analyst])

    page = analyst.get(CHECKS)
    post = analyst.post(
        f"/staff/comments/{polish.id}/check",
        data={"outcome": "released", "csrf_token": staff_csrf_token(analyst)},
    )

    assert page.status_code == 403 and "Policjant" not in page.text
    assert post.status_code == 403
    db.expire_all()
    check = db.get(CommentCheck, polish.id)
    assert check is None or check.outcome is None


def test_the_check_page_is_no_way_round_the_threshold(client: TestClient, db: Session) -> None:
    lonely = _comment_in(db, POLISH, crime_group="rasso", touchpoint="court")
    db.commit()
    checker = signed_in_client(client, db, [Role.approver])

    page = _text(checker.get(CHECKS).text)
    post = checker.post(
        f"/staff/comments/{lonely.id}/check",
        data={"outcome": "released", "csrf_token": staff_csrf_token(checker)},
    )

    assert "Policjant" not in page and "There are no comments waiting for a check" in page
    assert post.status_code == 404 and "Policjant" not in post.text


def test_a_check_without_a_decision_is_refused(client: TestClient, db: Session) -> None:
    create_comments(db, 9, month=JUNE)
    polish = _comment_in(db, POLISH)
    db.commit()
    checker = signed_in_client(client, db, [Role.approver])
    checker.get(CHECKS)

    refused = checker.post(
        f"/staff/comments/{polish.id}/check",
        data={"outcome": "maybe", "csrf_token": staff_csrf_token(checker)},
    )

    assert refused.status_code == 422
    assert "Choose whether to release the comment" in _text(refused.text)
    db.expire_all()
    check = db.get(CommentCheck, polish.id)
    assert check is not None and check.outcome is None


def test_approvers_find_the_check_page_from_their_home(client: TestClient, db: Session) -> None:
    checker = signed_in_client(client, db, [Role.approver])

    assert 'href="/staff/comments/checks"' in checker.get("/staff/").text


def test_two_reads_classifying_the_same_comment_do_not_clash(db: Session) -> None:
    # Two analysts reading at once on PostgreSQL both find the comment unclassified; the
    # second insert must leave the first row alone rather than fail the read.
    from app.reporting.comment_checks import store_verdicts

    comment = _comment_in(db, POLISH)
    row = {"comment_id": comment.id, "language": "pl", "needs_check": True}
    store_verdicts(db, [{**row, "classified_at": datetime.now(UTC)}])
    store_verdicts(
        db, [{**row, "language": "en", "needs_check": False, "classified_at": datetime.now(UTC)}]
    )
    db.commit()

    stored = db.get(CommentCheck, comment.id)
    assert stored is not None and (stored.language, stored.needs_check) == ("pl", True)
