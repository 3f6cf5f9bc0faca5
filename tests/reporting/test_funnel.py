"""The invitation funnel by group, suppressed on the number invited."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.funnel import funnel
from tests.auth_helpers import api_headers
from tests.reporting.factories import create_invitation

AT = datetime(2026, 7, 20, 10, tzinfo=UTC)
STAGES = ["first_sent_at", "delivered_at", "opened_at", "started_at", "completed_at"]


def _invite(db: Session, depth: int, *, withdrawn: bool = False, **values: object) -> None:
    """An invitation that got `depth` stages along the funnel (0 = never sent)."""
    times = {stage: AT for stage in STAGES[:depth]}
    if withdrawn:
        times["withdrawn_at"] = AT
    create_invitation(db, **values, **times)  # type: ignore[arg-type]


def _fill(db: Session) -> None:
    # reporting in July 2026, area B1: 12 invited, 10 sent, 9 delivered, 7 opened, 6 started,
    # 5 completed, 1 withdrawn.
    for depth in [0, 0, 1, 2, 2, 3, 4, 5, 5, 5, 5, 5]:
        _invite(db, depth)
    _invite(db, 5, withdrawn=True, touchpoint_date=date(2026, 7, 30))
    # court in October: 11 invited; outcome in August: 2 invited (small).
    for depth in [5] * 3 + [1] * 8:
        _invite(db, depth, touchpoint="court", touchpoint_date=date(2026, 10, 2), area="B2")
    for depth in [5, 1]:
        _invite(db, depth, touchpoint="outcome", touchpoint_date=date(2026, 8, 31), area=None)
    db.commit()


def test_funnel_counts_by_touchpoint(db: Session) -> None:
    _fill(db)
    result = funnel(db, group_by=["touchpoint"], min_cell=10)
    cells = {cell.group["touchpoint"]: cell for cell in result.cells}
    reporting = cells["reporting"]
    assert (
        reporting.invited,
        reporting.sent,
        reporting.delivered,
        reporting.opened,
        reporting.started,
        reporting.completed,
        reporting.withdrawn,
    ) == (13, 11, 10, 8, 7, 6, 1)
    assert reporting.response_rate == pytest.approx(6 / 11)
    court = cells["court"]
    # outcome (2 invited) is hidden, and court with it (the next smallest of the line).
    assert cells["outcome"].suppressed and cells["outcome"].invited is None
    assert court.suppressed and court.response_rate is None
    assert not reporting.suppressed


def test_funnel_by_month_and_area_with_filters(db: Session) -> None:
    _fill(db)
    result = funnel(db, group_by=["month", "area"], min_cell=1)
    assert [(c.group["month"], c.group["area"], c.invited) for c in result.cells] == [
        ("2026-07", "B1", 13),
        ("2026-08", None, 2),
        ("2026-10", "B2", 11),
    ]
    filtered = funnel(
        db,
        group_by=["quarter"],
        filters={"touchpoint": "court"},
        min_cell=1,
        period_from="2026-10",
        period_to="2026-Q4",
    )
    assert [(c.group["quarter"], c.invited, c.completed) for c in filtered.cells] == [
        ("2026-Q4", 11, 3)
    ]
    before = funnel(db, group_by=[], min_cell=1, period_to="2026-07")
    assert [(c.invited, c.sent) for c in before.cells] == [(13, 11)]


def test_funnel_endpoint(client: TestClient, db: Session) -> None:
    _fill(db)
    headers = api_headers(db, Role.analyst)
    body = client.get("/api/v1/aggregates/funnel?group_by=crime_group", headers=headers).json()
    assert body == {
        "group_by": ["crime_group"],
        "min_cell": 10,
        "cells": [
            {
                "group": {"crime_group": "general"},
                "invited": 26,
                "sent": 24,
                "delivered": 14,
                "opened": 12,
                "started": 11,
                "completed": 10,
                "withdrawn": 1,
                "response_rate": pytest.approx(10 / 24),
                "suppressed": False,
            }
        ],
    }
    text = client.get("/api/v1/aggregates/funnel?format=csv", headers=headers).text
    assert text.splitlines() == [
        "invited,sent,delivered,opened,started,completed,withdrawn,response_rate,suppressed",
        f"26,24,14,12,11,10,1,{10 / 24},false",
    ]
