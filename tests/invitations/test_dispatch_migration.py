"""Migration 0007: claims made by the old code, which called the sender while a message was
`claimed`, cannot be told apart from hand-overs; they become hand-overs already out of time,
so the next dispatch run holds them for review, as the old code would have."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from app.db import utcnow
from app.invitations.dispatch import recover_abandoned
from app.invitations.models import OutboundMessage
from app.migrate import downgrade, upgrade


@pytest.fixture
def fresh_url(tmp_path: Path) -> Iterator[str]:
    base = os.environ.get("VV_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'dispatch-migration.db'}"
        return
    url = make_url(base)
    name = f"{url.database}_disp_mig_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _old_rows(url: str, claimed_at: object) -> None:
    """Rows as the schema before issue 9 held them (revision 0002)."""
    batch = sa.table(
        "invitation_batch",
        sa.column("id"),
        sa.column("created_by"),
        sa.column("created_at", UTCDateTime()),
        sa.column("rows"),
        sa.column("accepted"),
        sa.column("rejected"),
        sa.column("skipped"),
    )
    invitation = sa.table(
        "invitation",
        sa.column("id"),
        sa.column("batch_id"),
        sa.column("crime_group"),
        sa.column("touchpoint"),
        sa.column("touchpoint_date", sa.Date()),
        sa.column("language"),
        sa.column("channel"),
        sa.column("status"),
        sa.column("created_at", UTCDateTime()),
    )
    message = sa.table(
        "outbound_message",
        sa.column("id"),
        sa.column("invitation_id"),
        sa.column("kind"),
        sa.column("status"),
        sa.column("due_at", UTCDateTime()),
        sa.column("claimed_at", UTCDateTime()),
        sa.column("claimed_by"),
        sa.column("attempts"),
    )
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(
            batch.insert().values(
                id="b1",
                created_by="t",
                created_at=claimed_at,
                rows=2,
                accepted=2,
                rejected=0,
                skipped=0,
            )
        )
        for name in ("i1", "i2"):
            connection.execute(
                invitation.insert().values(
                    id=name,
                    batch_id="b1",
                    crime_group="general",
                    touchpoint="reporting",
                    touchpoint_date=date(2026, 11, 1),
                    language="en",
                    channel="sms",
                    status="pending",
                    created_at=claimed_at,
                )
            )
        connection.execute(
            message.insert().values(
                id="m-claimed",
                invitation_id="i1",
                kind="invitation",
                status="claimed",
                due_at=claimed_at,
                claimed_at=claimed_at,
                claimed_by="old-worker",
                attempts=1,
            )
        )
        connection.execute(
            message.insert().values(
                id="m-due",
                invitation_id="i2",
                kind="invitation",
                status="due",
                due_at=claimed_at,
                attempts=0,
            )
        )
    engine.dispose()


def test_old_claims_become_expired_hand_overs_then_review(fresh_url: str) -> None:
    upgrade(fresh_url, "0002")
    claimed_at = utcnow() - timedelta(minutes=3)
    _old_rows(fresh_url, claimed_at)

    upgrade(fresh_url)

    engine = create_engine(fresh_url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            old = session.get(OutboundMessage, "m-claimed")
            due = session.get(OutboundMessage, "m-due")
            assert old is not None and due is not None
            assert old.status == "handing_over"
            assert old.handed_over_at == old.claim_expires_at == old.claimed_at
            assert due.status == "due" and due.claim_expires_at is None
            recovered = recover_abandoned(session, at=utcnow())
            session.commit()
            assert (recovered.review, recovered.requeued) == (1, 0)
            assert session.get(OutboundMessage, "m-claimed").status == "review"  # type: ignore[union-attr]
            session.get(OutboundMessage, "m-claimed").status = "handing_over"  # type: ignore[union-attr]
            session.commit()
    finally:
        engine.dispose()

    downgrade(fresh_url, "0006")
    engine = create_engine(fresh_url)
    try:
        with engine.connect() as connection:
            statuses = dict(
                connection.execute(text("SELECT id, status FROM outbound_message")).all()
            )
    finally:
        engine.dispose()
    assert statuses == {"m-claimed": "claimed", "m-due": "due"}
