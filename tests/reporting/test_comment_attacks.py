"""Attacks on the comments: narrowing filters and months, differencing, trackers.

An analyst (or several, with API keys) who wants a small group's comments, or the number of
them, can ask for every crime group, touchpoint and range of months, and subtract answers.
These tests make every such query on generated data and check that the answers are the same
whether a small cell's comments exist or not: nothing about it can be learned, so its count
is never the only value consistent with the answers.
"""

from __future__ import annotations

import io
import itertools
import random
import zipfile
from datetime import UTC, date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.enums import Role
from app.reporting import comments
from app.reporting.redaction import redact
from app.survey.models import Comment, Response
from tests.auth_helpers import api_headers, signed_in_client
from tests.reporting.factories import create_invitation
from tests.reporting.test_feedback_factories import create_comment, create_response

MIN_CELL = 10
CRIME_GROUPS = ("general", "rasso", "vawg")
TOUCHPOINTS = ("reporting", "court")
MONTHS = (date(2026, 3, 1), date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1))
LATER = datetime(2027, 6, 1, tzinfo=UTC)  # every month of MONTHS has closed

Cell = tuple[str, str, date]


def _fill(db: Session, seed: int) -> dict[Cell, int]:
    """Comments in every cell: commenters 0-14 (one or two comments each); cell sizes."""
    rng = random.Random(seed)
    sizes: dict[Cell, int] = {}
    for cell in itertools.product(CRIME_GROUPS, TOUCHPOINTS, MONTHS):
        crime_group, touchpoint, month = cell
        size = rng.choice([0, 1, 2, 3, 5, 9, 10, 11, 14])
        sizes[cell] = size
        for person in range(size):
            response = create_response(
                db, crime_group=crime_group, touchpoint=touchpoint, month=month
            )
            for box in range(rng.choice([1, 1, 2])):
                create_comment(
                    db,
                    f"Comment {crime_group} {touchpoint} {month:%Y-%m} {person} {box}",
                    response=response,
                    question_id=f"box_{box}",
                )
    db.commit()
    return sizes


def _queries() -> list[dict[str, str | None]]:
    """Every filter an analyst can send: group, touchpoint, any range of months or quarters."""
    labels = [f"{month:%Y-%m}" for month in MONTHS]
    ranges: list[tuple[str | None, str | None]] = [(None, None), ("2026-Q1", "2026-Q2")]
    ranges += [(a, b) for a, b in itertools.combinations_with_replacement(labels, 2)]
    ranges += [("2026-Q2", "2026-Q2"), ("2026-Q1", "2026-Q1"), (labels[0], None), (None, labels[1])]
    return [
        {"crime_group": crime_group, "touchpoint": touchpoint, "from": first, "to": last}
        for crime_group in (None, *CRIME_GROUPS)
        for touchpoint in (None, *TOUCHPOINTS)
        for first, last in ranges
    ]


def _answers(db: Session, *, quotable_only: bool = False) -> list[tuple[int, frozenset[str]]]:
    """What the attacker sees for every query: the total and the comments' texts."""
    seen = []
    for query in _queries():
        filters = comments.parse_filters(
            crime_group=query["crime_group"],
            touchpoint=query["touchpoint"],
            from_period=query["from"],
            to_period=query["to"],
            quotable_only=quotable_only,
        )
        result = comments.read_comments(db, filters, actor="attacker", min_cell=MIN_CELL, at=LATER)
        seen.append((result.total, frozenset(c.text for c in result.comments)))
    db.rollback()  # the classification and audit rows of the reads, not the data
    return seen


def _remove_cell(db: Session, cell: Cell) -> None:
    crime_group, touchpoint, month = cell
    in_cell = (
        select(col(Response.id))
        .where(col(Response.crime_group) == crime_group)
        .where(col(Response.touchpoint) == touchpoint)
        .where(col(Response.month) == month)
    )
    db.execute(delete(Comment).where(col(Comment.response_id).in_(in_cell)))
    db.commit()


def test_no_query_shows_or_counts_a_small_cell(db: Session) -> None:
    sizes = _fill(db, seed=9)
    small = [cell for cell, size in sizes.items() if 0 < size < MIN_CELL]
    assert len(small) >= 6  # the generated data holds targets

    answers = _answers(db)

    for _total, texts in answers:
        for crime_group, touchpoint, month in small:
            label = f"Comment {crime_group} {touchpoint} {month:%Y-%m} "
            assert not any(text.startswith(label) for text in texts)


def test_answers_are_the_same_whether_a_small_cell_exists_or_not(db: Session) -> None:
    # The strongest form of "the truth is never the only consistent value": an attacker
    # who may combine every query sees exactly the same answers with the small cell's
    # comments and without them, so any count from 0 to min_cell - 1 fits what they see.
    sizes = _fill(db, seed=21)
    targets = sorted(cell for cell, size in sizes.items() if 0 < size < MIN_CELL)[:3]
    before = _answers(db)

    for target in targets:
        _remove_cell(db, target)
        assert _answers(db) == before, f"{target} shows in some answer"


def test_a_cell_is_shown_whole_in_every_answer_or_in_none(db: Session) -> None:
    # No range, filter or complement can cut a released cell: every answer is a sum of
    # whole released cells, so the difference of any two answers is one too.
    sizes = _fill(db, seed=5)
    released = {cell for cell, size in sizes.items() if size >= MIN_CELL}
    by_cell: dict[Cell, frozenset[str]] = {}
    for cell in released:
        crime_group, touchpoint, month = cell
        rows = db.exec(
            select(Comment.text)
            .where(col(Comment.crime_group) == crime_group)
            .where(col(Comment.touchpoint) == touchpoint)
            .where(col(Comment.month) == month)
        ).all()
        by_cell[cell] = frozenset(redact(text) for text in rows)

    for total, texts in _answers(db):
        cells = {cell for cell, cell_texts in by_cell.items() if cell_texts & texts}
        assert texts == frozenset().union(*(by_cell[cell] for cell in cells))
        assert total == sum(len(by_cell[cell]) for cell in cells)


def test_a_tracker_sees_nothing_before_the_month_has_closed(db: Session) -> None:
    # Before and after one submission: while any link of the cell lives, the cell is held,
    # so the new comment cannot be told from the others; once every link has ended, no
    # submission or withdrawal can change the cell any more.
    month = date(2026, 6, 1)
    for person in range(10):
        create_comment(db, f"Earlier {person}", month=month)
    expires = datetime(2027, 1, 10, tzinfo=UTC)
    create_invitation(db, touchpoint_date=date(2026, 6, 28), status="started", expires_at=expires)
    db.commit()
    filters = comments.CommentFilters()

    def seen(at: datetime) -> int:
        total = comments.read_comments(
            db, filters, actor="attacker", min_cell=MIN_CELL, at=at
        ).total
        db.rollback()
        return total

    before = seen(expires - timedelta(days=2))
    create_comment(db, "The one new comment", month=month)  # the victim submits
    db.commit()
    after = seen(expires - timedelta(days=1))

    assert before == after == 0
    assert seen(expires + timedelta(seconds=1)) == 11


def test_a_held_comment_changes_no_answer(db: Session) -> None:
    # A comment waiting for a language check is neither shown nor counted: an analyst
    # cannot learn that someone in a cell wrote in another language.
    _fill(db, seed=33)
    before = _answers(db)
    cell = next(
        (crime_group, touchpoint, month)
        for crime_group, touchpoint, month in itertools.product(CRIME_GROUPS, TOUCHPOINTS, MONTHS)
        if db.exec(
            select(Comment.id)
            .where(col(Comment.crime_group) == crime_group)
            .where(col(Comment.touchpoint) == touchpoint)
            .where(col(Comment.month) == month)
        )
        .all()
        .__len__()
        >= MIN_CELL
    )
    response = create_response(db, crime_group=cell[0], touchpoint=cell[1], month=cell[2])
    create_comment(db, "Policjant był bardzo miły, dziękuję", response=response)
    db.commit()

    assert _answers(db) == before


def test_every_door_to_comments_keeps_a_small_cell_shut(client: TestClient, db: Session) -> None:
    # API (JSON and CSV), review page, quarterly report and its CSV pack: the same rule.
    june = date(2026, 6, 1)
    for person in range(10):
        create_comment(db, f"Released words {person}", month=june)
    for person in range(4):
        create_comment(
            db,
            f"Secret words {person}",
            crime_group="rasso",
            touchpoint="court",
            month=june,
            quotable=True,
            theme="Other",
        )
    db.commit()
    headers = api_headers(db, Role.analyst)
    staff = signed_in_client(client, db, [Role.analyst])

    doors = {
        "json": client.get("/api/v1/comments", headers=headers).text,
        "csv": client.get("/api/v1/comments", params={"format": "csv"}, headers=headers).text,
        "page": staff.get("/staff/comments").text,
        "quotable page": staff.get("/staff/comments", params={"quotable": "yes"}).text,
        "report": staff.get("/reports/quarterly", params={"period": "2026-Q2"}).text,
    }
    pack = staff.get("/reports/quarterly/pack", params={"period": "2026-Q2"})
    with zipfile.ZipFile(io.BytesIO(pack.content)) as archive:
        doors["pack"] = " ".join(
            archive.read(name).decode("utf-8-sig") for name in archive.namelist()
        )

    for door, body in doors.items():
        assert "Secret words" not in body, door
    assert "Released words" in doors["json"] and "Released words" in doors["page"]
