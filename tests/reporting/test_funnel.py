"""The invitation funnel by group: the invitations that stopped at each stage published through
the cell-key table, each stage their sum from there on; suppressed on the number invited; small
stages left empty."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.invitations.models import Invitation
from app.reporting.funnel import STAGE_NAMES, funnel
from tests.auth_helpers import api_headers
from tests.reporting.csv_files import figures_text
from tests.reporting.factories import create_invitation, tally_of

AT = datetime(2026, 7, 20, 10, tzinfo=UTC)
STAGES = ["first_sent_at", "delivered_at", "opened_at", "started_at", "completed_at"]
FY = {"period_from": "2026-04", "period_to": "2027-03"}


def _invite(db: Session, depth: int, *, withdrawn: bool = False, **values: object) -> Invitation:
    """An invitation that got `depth` stages along the funnel (0 = never sent)."""
    times = {stage: AT for stage in STAGES[:depth]}
    if withdrawn:
        times["withdrawn_at"] = AT
    return create_invitation(db, **values, **times)  # type: ignore[arg-type]


def _fill(db: Session) -> dict[str, list[Invitation]]:
    made: dict[str, list[Invitation]] = {"reporting": [], "court": [], "outcome": []}
    # reporting in July 2026, area B1: 40 invited, reaching each stage in turn, 2 withdrawn.
    for depth in [0] * 3 + [1] * 2 + [2] * 3 + [3] * 4 + [4] * 6 + [5] * 22:
        made["reporting"].append(_invite(db, depth))
    made["reporting"] += [
        _invite(db, 5, withdrawn=True, touchpoint_date=date(2026, 7, 30)) for _ in range(2)
    ]
    # court in October: 11 invited; outcome in August: 2 invited (small).
    for depth in [5] * 3 + [1] * 8:
        made["court"].append(
            _invite(db, depth, touchpoint="court", touchpoint_date=date(2026, 10, 2), area="B2")
        )
    for depth in [5, 1]:
        made["outcome"].append(
            _invite(db, depth, touchpoint="outcome", touchpoint_date=date(2026, 8, 31), area=None)
        )
    db.commit()
    return made


def expected_piece(invitations: list[Invitation]) -> dict[str, int]:
    """One piece's published stages: the invitations that stopped at each stage published
    once, each stage the sum of those at it or beyond."""
    reached = {
        "invited": invitations,
        "sent": [i for i in invitations if i.first_sent_at],
        "delivered": [i for i in invitations if i.delivered_at],
        "opened": [i for i in invitations if i.opened_at],
        "started": [i for i in invitations if i.started_at],
        "completed": [i for i in invitations if i.completed_at],
        "withdrawn": [i for i in invitations if i.withdrawn_at],
    }
    values: dict[str, int] = {}
    beyond, later = 0, set()
    for name in reversed(STAGE_NAMES[:-1]):
        stopped = [i for i in reached[name] if i.id not in later]
        beyond += tally_of(stopped).published()
        values[name] = beyond
        later = {i.id for i in reached[name]}
    values["withdrawn"] = min(tally_of(reached["withdrawn"]).published(), values["invited"])
    return values


def test_funnel_by_touchpoint(db: Session) -> None:
    made = _fill(db)
    result = funnel(db, group_by=["touchpoint"], **FY)
    cells = {cell.group["touchpoint"]: cell for cell in result.cells}
    assert list(cells) == ["court", "investigation", "outcome", "reporting", "sentence"]
    reporting = cells["reporting"]
    want = expected_piece(made["reporting"])
    shown = {name: value if value >= 10 else None for name, value in want.items()}
    assert {name: getattr(reporting, name) for name in STAGE_NAMES} == shown
    # Stages never rise, and each is within 2 per count it adds up of the truth.
    truth = [42, 39, 37, 34, 30, 24]
    chain = [getattr(reporting, name) for name in STAGE_NAMES[:-1]]
    assert chain == sorted(chain, reverse=True)
    for parts, (value, true) in zip(range(6, 0, -1), zip(chain, truth, strict=True), strict=True):
        assert abs(value - true) <= 2 * parts
    # Two withdrawn: a small count is never published on its own.
    assert reporting.withdrawn is None and want["withdrawn"] <= 4
    assert reporting.response_rate == pytest.approx(want["completed"] / want["sent"])
    assert reporting.low_base is True and not reporting.suppressed
    # outcome (2 invited) is hidden; no secondary suppression of court (11, published alone).
    assert cells["outcome"].suppressed and cells["outcome"].invited is None
    court = expected_piece(made["court"])
    assert cells["court"].suppressed == (court["invited"] < 10)
    assert cells["investigation"].suppressed  # nobody invited at all
    assert result.disclosure.max_adjustment == 12


def test_funnel_by_month_and_with_filters(db: Session) -> None:
    made = _fill(db)
    result = funnel(db, group_by=["month"], period_from="2026-07", period_to="2026-10")
    assert [c.group["month"] for c in result.cells] == ["2026-07", "2026-08", "2026-09", "2026-10"]
    july = result.cells[0]
    assert july.invited == expected_piece(made["reporting"])["invited"]
    assert result.cells[1].suppressed  # 2 invited in August
    assert result.cells[2].suppressed  # nobody in September
    filtered = funnel(
        db,
        group_by=["quarter"],
        filters={"touchpoint": "court"},
        period_from="2026-10",
        period_to="2026-Q4",
    )
    # The quarter asked for by its months is the same piece as 2026-Q4, hence the same figure.
    by_quarter = funnel(db, filters={"touchpoint": "court"}, period_from="2026-Q4")
    assert [(c.group["quarter"], c.invited) for c in filtered.cells] == [
        ("2026-Q4", by_quarter.cells[0].invited)
    ]


def test_a_range_is_the_sum_of_its_pieces(db: Session) -> None:
    made = _fill(db)
    # July to October: the quarter 2026-Q3 (one piece) and October (another).
    everything = funnel(db, period_from="2026-07", period_to="2026-10").cells[0]
    q3 = expected_piece(made["reporting"] + made["outcome"])
    october = expected_piece(made["court"])
    assert everything.invited == q3["invited"] + october["invited"]
    # A stage is shown only when it is shown in every piece.
    for name in STAGE_NAMES:
        both = q3[name] >= 10 and october[name] >= 10
        assert getattr(everything, name) == (q3[name] + october[name] if both else None)
    # August to October: August (2 invited) cannot be shown, so neither can the sum; September,
    # with no invitation in the service at all, is no piece of it.
    later = funnel(db, period_from="2026-08", period_to="2026-10")
    assert later.cells[0].suppressed
    assert later.disclosure.max_adjustment == 12 * 2


def test_funnel_endpoint(client: TestClient, db: Session) -> None:
    made = _fill(db)
    headers = api_headers(db, Role.analyst)
    url = "/api/v1/aggregates/funnel?group_by=crime_group&from=2026-07&to=2026-07"
    body = client.get(url, headers=headers).json()
    want = expected_piece(made["reporting"])
    stages = {name: value if value >= 10 else None for name, value in want.items()}
    assert body == {
        "group_by": ["crime_group"],
        "period_from": "2026-07",
        "period_to": "2026-07",
        "min_cell": 10,
        "cells": [
            {
                "group": {"crime_group": "general"},
                **stages,
                "response_rate": pytest.approx(want["completed"] / want["sent"]),
                "suppressed": False,
                "low_base": True,
            },
            {
                "group": {"crime_group": "rasso"},
                **dict.fromkeys(STAGE_NAMES),
                "response_rate": None,
                "suppressed": True,
                "low_base": None,
            },
            {
                "group": {"crime_group": "vawg"},
                **dict.fromkeys(STAGE_NAMES),
                "response_rate": None,
                "suppressed": True,
                "low_base": None,
            },
        ],
        "disclosure": {"method": "cell_key", "min_cell": 10, "max_adjustment": 12},
    }
    text = client.get(url.replace("group_by=crime_group&", "") + "&format=csv", headers=headers)
    lines = figures_text(text.text).splitlines()
    assert lines[0] == (
        "invited,sent,delivered,opened,started,completed,withdrawn,response_rate,suppressed,"
        "low_base,disclosure_method,min_cell,max_adjustment"
    )
    values = [stages[name] for name in STAGE_NAMES]
    assert lines[1] == ",".join(
        [*("" if v is None else str(v) for v in values), str(want["completed"] / want["sent"])]
        + ["false", "true", "cell_key", "10", "12"]
    )
