"""The victim's confirmation page shows "you said, we did" actions: done and in progress only,
general ones only (no crime group), and only their general text."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.db import utcnow as now
from app.reporting.models import PublishedAction
from tests.factories import create_bank_version
from tests.survey.factories import bank_document, create_invitation, csrf_token, enter


def _add(
    db: Session, text: str, *, status: str, crime_group: str | None = None, **more: object
) -> None:
    db.add(
        PublishedAction(
            crime_group=crime_group,
            text=text,
            status=status,
            published_by="user:1",
            published_at=now() - timedelta(minutes=len(text)),
            **more,
        )
    )


def _complete_page(client: TestClient, db: Session, crime_group: str = "rasso") -> str:
    create_bank_version(db, bank_document(), slug=crime_group)
    invitation = create_invitation(db, crime_group=crime_group)
    enter(client, invitation)
    token = csrf_token(client, "/survey/check")
    client.post("/survey/submit", data={"csrf_token": token})
    page = client.get("/survey/complete")
    assert page.status_code == 200
    return page.text


def test_only_done_and_in_progress_general_actions_are_shown(
    client: TestClient, db: Session
) -> None:
    _add(db, "Done for everyone", status="done")
    _add(db, "Under way for everyone", status="in_progress")
    _add(db, "Only planned so far", status="planned")
    _add(db, "Done for rasso", status="done", crime_group="rasso")
    _add(db, "Under way for general crime", status="in_progress", crime_group="general")
    db.commit()

    page = _complete_page(client, db)

    assert "Done for everyone" in page
    assert "Under way for everyone" in page
    assert "Only planned so far" not in page
    # Not even the victim's own crime group: the page is reached after submission.
    assert "Done for rasso" not in page
    assert "Under way for general crime" not in page


def test_the_page_shows_the_general_text_only(client: TestClient, db: Session) -> None:
    _add(
        db,
        "Officers now call every two weeks",
        status="done",
        finding="Rasso victims said updates were rare",
        owner="Rasso investigation team",
        agency="police",
    )
    db.commit()

    page = _complete_page(client, db)

    assert "Officers now call every two weeks" in page
    assert "updates were rare" not in page
    assert "investigation team" not in page


def test_a_planned_action_never_crowds_out_the_ones_shown(client: TestClient, db: Session) -> None:
    # The newest three shown are the newest three that may be shown, not three minus the
    # planned ones among the newest.
    for index in range(4):
        db.add(
            PublishedAction(
                text=f"Planned {index}",
                status="planned",
                published_by="user:1",
                published_at=now() - timedelta(minutes=index),
            )
        )
    _add(db, "An older one that is done", status="done")
    db.commit()

    page = _complete_page(client, db)

    assert "An older one that is done" in page
    assert "Planned" not in page
