"""Attack pass on issue 15's additions (action log, /results, partner scope): hostile input is
a clear 4xx with nothing written, never a 500; no caller reads figures the API would not give
them; no new period shape draws fresh noise."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from tests.auth_helpers import api_headers
from tests.reporting.test_actions_api import FULL, URL, _fill, _rows
from tests.reporting.test_actions_api import frozen_today as frozen_today  # noqa: F401

HUGE_ID = "9" * 30

HOSTILE_BODIES: list[Any] = [
    {"text": "x" * 200_000},
    {"metrics": ["x" * 10_000]},
    {"rights": [10**400]},
    {"rights": [1.0]},
    {"rights": "1"},
    {"rights": [[1]]},
    {"rights": [True]},
    {"due_date": "99999-01-01"},
    {"due_date": "0001-01-01"},
    {"due_date": 20270331},
    {"before_from": "2026-13"},
    {"before_from": "0000-01"},
    {"before_from": "2026-Q0"},
    {"before_from": "２０２６-07"},
    {"before_from": "2026-07", "before_to": "2999-12"},
    {"before_from": 202607},
    {"before_from": ["2026-07"]},
    {"before_from": {"a": 1}},
    {"before_from": "2026-07", "before_to": "2026-06"},
    {"after_from": "2026-06", "after_to": "2026-12"},  # overlaps the period before
    {"after_from": "2026-07\n"},
    {"owner": ["team"]},
    {"owner": '=HYPERLINK("http://x")', "finding": 5},
    {"status": "DONE"},
    {"status": ""},
    {"crime_group": "ALL"},
    {"crime_group": 1},
    {"crime_group": ["rasso"]},
    {"agency": "mi5"},
    {"agency": 3},
    {"text": 7},
    {"text": None},
]


def _assert_refused(response: Any) -> None:
    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=lambda b: repr(b)[:40])
def test_hostile_action_bodies_are_refused_and_nothing_is_written(
    client: TestClient, db: Session, body: dict[str, Any]
) -> None:
    approver = api_headers(db, Role.approver)
    action_id = client.post(URL, json=FULL, headers=approver).json()["id"]
    before = _rows(db)

    _assert_refused(client.post(URL, json={**FULL, **body}, headers=approver))
    _assert_refused(client.patch(f"{URL}/{action_id}", json=body, headers=approver))

    assert _rows(db) == before


@pytest.mark.parametrize(
    "raw",
    [
        "[]",
        '{"text": "a\\ud800"}',
        '{"owner": "\\udfff"}',
        '{"rights": [1e999]}',
        '"text"',
        "null",
        "1",
        "{",
        '{"text": "a"} x',
        "[{}]",
    ],
)
def test_a_body_that_is_not_an_object_is_refused(client: TestClient, db: Session, raw: str) -> None:
    approver = {**api_headers(db, Role.approver), "Content-Type": "application/json"}
    action_id = client.post(URL, json=FULL, headers=approver).json()["id"]
    before = _rows(db)

    _assert_refused(client.post(URL, content=raw, headers=approver))
    _assert_refused(client.patch(f"{URL}/{action_id}", content=raw, headers=approver))

    assert _rows(db) == before


@pytest.mark.parametrize("action_id", [HUGE_ID, "-1", "0", "1e3", "1.5", "%00", "2147483648"])
def test_an_odd_action_id_is_a_clear_refusal(
    client: TestClient, db: Session, action_id: str
) -> None:
    approver = api_headers(db, Role.approver)
    client.post(URL, json=FULL, headers=approver)
    before = _rows(db)

    _assert_refused(client.patch(f"{URL}/{action_id}", json={"status": "done"}, headers=approver))

    assert _rows(db) == before


def test_an_editor_may_not_publish_or_change_an_action(client: TestClient, db: Session) -> None:
    action_id = client.post(URL, json=FULL, headers=api_headers(db, Role.approver)).json()["id"]
    editor = api_headers(db, Role.editor, banks=["rasso"])
    before = _rows(db)

    created = client.post(URL, json={**FULL, "crime_group": "rasso"}, headers=editor)
    changed = client.patch(f"{URL}/{action_id}", json={"crime_group": "rasso"}, headers=editor)

    assert created.status_code == changed.status_code == 403
    assert _rows(db) == before


def test_an_editor_reads_no_figure_of_another_group_whatever_the_filter(
    client: TestClient, db: Session
) -> None:
    _fill(db, date(2026, 7, 1), satisfied=20, other=40)
    _fill(db, date(2026, 7, 1), satisfied=30, other=30, crime_group="rasso")
    approver = api_headers(db, Role.approver)
    for group in (None, "general", "vawg"):
        client.post(URL, json={**FULL, "crime_group": group}, headers=approver)
    editor = api_headers(db, Role.editor, banks=["rasso"])

    for params in ({}, {"crime_group": "rasso"}, {"crime_group": "general"}, {"status": "done"}):
        for action in client.get(URL, params=params, headers=editor).json():
            for effect in action["effect"]:
                for side in (effect["before"], effect["after"]):
                    if side is not None:
                        assert side["n"] is None and side["rate"] is None, (params, action)
            assert action["disclosure"]["max_adjustment"] == 0


@pytest.mark.parametrize(
    "query",
    [
        "limit=" + "9" * 30,
        "limit=0",
        "limit=-1",
        "limit=1e3",
        "status=archived",
        "status=done&status=planned",
        "crime_group=burglary",
        "crime_group=" + "x" * 5000,
        "crime_group=rasso&crime_group=vawg",
        "%ff%fe=%c0%af",
    ],
)
def test_odd_queries_of_the_log_are_a_clear_answer(
    client: TestClient, db: Session, query: str
) -> None:
    client.post(URL, json=FULL, headers=api_headers(db, Role.approver))

    response = client.get(f"{URL}?{query}", headers=api_headers(db, Role.analyst))

    assert response.status_code in (200, 422), response.text
    if response.status_code == 422:
        assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    "extra",
    [
        {"stauts": "planned"},  # misspelt: the action would go public as done
        {"Status": "planned"},
        {"published_by": "user:1"},
        {"published_at": "2020-01-01T00:00:00Z"},
        {"id": 99},
        {"effect": []},
    ],
)
def test_a_new_action_with_an_unknown_field_is_refused_not_published(
    client: TestClient, db: Session, extra: dict[str, Any]
) -> None:
    before = _rows(db)

    response = client.post(
        URL, json={"text": "We will call every fortnight.", **extra}, headers=api_headers(db)
    )

    _assert_refused(response)
    [name] = extra
    assert ["body", name] in [error["loc"][:2] for error in response.json()["errors"]]
    assert _rows(db) == before
    results = client.get("/results?format=json").json()
    assert results["actions"] == []


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("2026-05", "2026-08"),
        ("2026-Q2", "2026-08"),
        ("2025-04", "2026-09"),
        ("2026-03", "2026-Q3"),
    ],
)
def test_an_effect_over_any_period_shape_is_the_apis_own_cell(
    client: TestClient, db: Session, first: str, last: str
) -> None:
    for month, satisfied in ((5, 9), (6, 12), (7, 20), (8, 7), (9, 15)):
        _fill(db, date(2026, month, 1), satisfied=satisfied, other=8)
    action = {**FULL, "before_from": first, "before_to": last, "after_from": "2026-10"}
    created = client.post(URL, json=action, headers=api_headers(db, Role.approver))
    assert created.status_code == 201, created.text

    before = created.json()["effect"][0]["before"]
    aggregate = client.get(
        "/api/v1/aggregates/satisfaction.overall",
        params={"from": first, "to": last, "crime_group": "general"},
        headers=api_headers(db, Role.analyst),
    ).json()

    [cell] = aggregate["cells"]
    assert before["n"] is not None
    for name in ("n", "positive", "rate", "ci_low", "ci_high", "suppressed", "low_base"):
        assert before[name] == cell[name], name
