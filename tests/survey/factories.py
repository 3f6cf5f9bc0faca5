"""Plain factories for the survey tests: banks, invitations, links, sessions."""

from __future__ import annotations

import hashlib
import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import object_session
from sqlmodel import Session

from app.banks.models import SupportService
from app.db import get_engine, utcnow
from app.invitations.models import Invitation
from app.survey.addresses import step_address
from app.survey.models import SurveySession
from app.survey.session import COOKIE_NAME
from tests.factories import create_sms_invitation, link_token

FIXTURES = Path(__file__).parent / "fixtures"


def bank_document(name: str = "small_bank.yaml") -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((FIXTURES / name).read_text())
    return document


def create_invitation(
    db: Session,
    *,
    crime_group: str = "general",
    touchpoint: str = "outcome",
    touchpoint_date: date = date(2026, 10, 17),
    area: str | None = "B1",
    language: str = "en",
    status: str = "sent",
    expires_in: timedelta = timedelta(days=20),
    **values: Any,
) -> Invitation:
    """An invitation whose link has been sent (as dispatch leaves it)."""
    now = utcnow()
    invitation = create_sms_invitation(
        db,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=touchpoint_date,
        area=area,
        language=language,
        status=status,
        **{"first_sent_at": now - timedelta(days=1), "expires_at": now + expires_in, **values},
    )
    db.commit()
    return invitation


def create_support_service(
    db: Session, *, key: str, name: str, crime_group: str | None = None, area: str | None = None
) -> SupportService:
    service = SupportService(
        key=key,
        name=name,
        crime_group=crime_group,
        area=area,
        helps_with="Free, confidential support",
        phone="0808 168 9111",
        hours="24 hours",
        updated_at=utcnow(),
    )
    db.add(service)
    db.commit()
    return service


def token_for(invitation: Invitation) -> str:
    """The link token of `invitation` (made once, as dispatch makes it; committed, in the
    invitation's own session when it has one: on SQLite a second one would wait for it)."""
    own = object_session(invitation)
    if own is not None:
        token = link_token(own, invitation)
        own.commit()
        return token
    with Session(get_engine()) as db:
        row = db.get(Invitation, invitation.id)
        assert row is not None
        token = link_token(db, row)
        db.commit()
    return token


def enter(client: TestClient, invitation: Invitation) -> str:
    """Open the link; returns the page it redirects to. The client keeps the cookie."""
    response = client.get(f"/s/{token_for(invitation)}", follow_redirects=False)
    assert response.status_code == 303, response.text
    return response.headers["location"]


def csrf_token(client: TestClient, path: str = "/survey/start") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, page.text
    return match.group(1)


def step_url(client: TestClient, step: str) -> str:
    """The address of a journey step ("q:<question id>", "s:<section id>") in the survey
    session of `client` (addresses are opaque and differ per session)."""
    cookie = client.cookies.get(COOKIE_NAME)
    assert cookie, "open the link first"
    with Session(get_engine()) as db:
        survey_session = db.get(SurveySession, hashlib.sha256(cookie.encode()).hexdigest())
        assert survey_session is not None
        return step_address(survey_session.csrf_token, step)


def question_url(client: TestClient, question_id: str) -> str:
    return step_url(client, f"q:{question_id}")


def answer(
    client: TestClient, question_id: str, value: str | list[str] | None, **extra: str
) -> Any:
    """Post one question's page (None = Skip this question)."""
    token = csrf_token(client, question_url(client, question_id))
    data: dict[str, Any] = {"csrf_token": token, **extra}
    if value is None:
        data["action"] = "skip"
    else:
        data["action"] = "save"
        data["answer"] = value
    return client.post(question_url(client, question_id), data=data, follow_redirects=False)


def reload(db: Session, invitation: Invitation) -> Invitation:
    fresh = db.get(Invitation, invitation.id, populate_existing=True)
    assert fresh is not None
    db.commit()  # end the read: a SQLite transaction here would hold the write lock
    return fresh


def old_timestamp(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


def rows(db: Session, statement: Any) -> list[Any]:
    """Read rows for a check, then end the transaction (so the app can write)."""
    found = list(db.exec(statement.execution_options(populate_existing=True)).all())
    db.commit()
    return found


def record_rollup_signs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Stand in for the rollup update: the list fills with each call's sign (+1 add, -1 remove)."""
    signs: list[int] = []
    monkeypatch.setattr(
        "app.reporting.rollups.apply_response",
        lambda session, response, answers, sign=1: signs.append(sign),
    )
    return signs


def bank_steps(document: dict[str, Any] | None = None) -> list[str]:
    """Every question and section step of a bank document (the small bank by default)."""
    document = document if document is not None else bank_document()
    steps: list[str] = []
    for section in document["sections"]:
        steps.append(f"s:{section['id']}")
        steps += [f"q:{question['id']}" for question in section["questions"]]
    return steps


def name_steps(client: TestClient, text: str) -> str:
    """`text` with this session's opaque page addresses written as the steps they are, so
    pages of two sessions can be compared (`<q:sat_overall>`)."""
    names = {step_url(client, step): step for step in bank_steps()}
    return re.sub(r"/survey/page/[0-9a-f]+", lambda found: f"<{names.get(found[0], '?')}>", text)
