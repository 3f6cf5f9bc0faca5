"""The public results page, /results: closed quarters only, frozen when they close, the same
published cells as the aggregates API, open data in JSON and CSV, never a 500."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app import clock
from app.enums import Role
from app.reporting import rollups
from app.reporting.actions import publish_action
from app.reporting.results_models import ResultsQuarter
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import (
    create_invitation,
    small_bank,
    submit_response,
    withdraw_response,
)

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
CLOSED = "2026-Q1"  # ended 31 March; by the default settings closed from 23 October 2026
OPEN = "2026-Q3"  # ended 30 September: links for it may live until April 2027


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def answered(db: Session) -> dict[str, list[Response]]:
    """General: 40 answers in February 2026 (Q1), 30 in August (Q3); rasso: 3 in February."""
    general = create_bank_version(db, small_bank("general"))
    rasso = create_bank_version(db, small_bank("rasso"), slug="rasso")
    made: dict[str, list[Response]] = {"general": [], "rasso": [], "august": []}
    for index in range(40):
        code = "very_satisfied" if index < 28 else "neither"
        made["general"].append(
            submit_response(
                db, general, {"sat_overall": code}, month=date(2026, 2, 1), commit=False
            )
        )
    for _ in range(30):
        made["august"].append(
            submit_response(
                db, general, {"sat_overall": "very_satisfied"}, month=date(2026, 8, 1), commit=False
            )
        )
    for _ in range(3):
        made["rasso"].append(
            submit_response(
                db,
                rasso,
                {"sat_overall": "neither"},
                crime_group="rasso",
                month=date(2026, 2, 1),
                commit=False,
            )
        )
    db.commit()
    return made


def _results(client: TestClient) -> dict[str, Any]:
    response = client.get("/results?format=json")
    assert response.status_code == 200
    return response.json()


def _cell(body: dict[str, Any], quarter: str, metric: str, group: str) -> dict[str, Any]:
    [found] = [q for q in body["quarters"] if q["quarter"] == quarter]
    [measure] = [m for m in found["measures"] if m["metric"] == metric]
    [cell] = [c for c in measure["cells"] if c["crime_group"] == group]
    return cell


def test_a_closed_quarter_is_shown_and_an_open_one_is_not(
    client: TestClient, answered: dict[str, list[Response]]
) -> None:
    body = _results(client)
    assert [q["quarter"] for q in body["quarters"]] == [CLOSED]
    measures = [m["metric"] for m in body["quarters"][0]["measures"]]
    assert measures == [
        "satisfaction.overall",
        "report_again",
        "attrition",
        "retraumatisation",
        "procedural_justice.trust",
        "confidence",
        "feel_safe",
    ]
    assert body["disclosure"]["method"] == "cell_key"
    assert body["disclosure"]["min_cell"] == 10
    assert body["disclosure"]["max_adjustment"] > 0


def test_the_figures_are_the_aggregates_apis_cells_for_crime_group_by_quarter(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    body = _results(client)
    api = client.get(
        f"/api/v1/aggregates/satisfaction.overall?group_by=crime_group&from={CLOSED}&to={CLOSED}",
        headers=api_headers(db, Role.analyst),
    ).json()
    by_group = {cell["group"]["crime_group"]: cell for cell in api["cells"]}
    for group in ("general", "rasso"):
        cell = _cell(body, CLOSED, "satisfaction.overall", group)
        expected = {k: v for k, v in by_group[group].items() if k not in ("group", "dont_know")}
        assert {k: v for k, v in cell.items() if k != "crime_group"} == expected
    general = _cell(body, CLOSED, "satisfaction.overall", "general")
    assert general["suppressed"] is False and general["low_base"] is True
    assert abs(general["n"] - 40) <= 4 and general["ci_low"] < general["rate"] < general["ci_high"]
    # Three rasso answers: no figure at all, only the flag.
    rasso = _cell(body, CLOSED, "satisfaction.overall", "rasso")
    assert rasso["suppressed"] is True and rasso["n"] is None and rasso["rate"] is None


def test_a_frozen_quarter_does_not_change_after_withdrawals_and_a_rebuild(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    before = _results(client)
    assert db.exec(select(ResultsQuarter)).one().quarter == CLOSED
    for response in answered["general"][:35]:
        withdraw_response(db, response, commit=False)
    rollups.rebuild(db, since=date(2025, 1, 1))
    db.commit()
    # The live figure has moved (5 answers left: suppressed) ...
    live = client.get(
        f"/api/v1/aggregates/satisfaction.overall?group_by=crime_group&from={CLOSED}&to={CLOSED}",
        headers=api_headers(db, Role.analyst),
    ).json()
    [general] = [c for c in live["cells"] if c["group"]["crime_group"] == "general"]
    assert general["suppressed"] is True
    # ... the public one has not.
    assert _results(client)["quarters"] == before["quarters"]


def test_a_live_link_keeps_its_quarter_open_until_it_ends(
    client: TestClient,
    db: Session,
    answered: dict[str, list[Response]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    create_invitation(
        db,
        touchpoint_date=date(2026, 3, 30),
        status="sent",
        first_sent_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=27),
    )
    db.commit()
    assert _results(client)["quarters"] == []
    assert db.exec(select(ResultsQuarter)).all() == []
    db.rollback()  # SQLite: the test's read must not hold the write lock the app needs
    monkeypatch.setattr(clock, "now", lambda: NOW + timedelta(days=28))
    assert [q["quarter"] for q in _results(client)["quarters"]] == [CLOSED]


def test_an_unsent_invitation_keeps_its_quarter_open(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    create_invitation(db, touchpoint_date=date(2026, 1, 5), status="pending")
    db.commit()
    assert _results(client)["quarters"] == []


def test_csv_carries_metric_period_and_crime_group_with_a_byte_order_mark(
    client: TestClient, answered: dict[str, list[Response]]
) -> None:
    response = client.get("/results?format=csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert list(rows[0]) == [
        "metric",
        "period_from",
        "period_to",
        "filters",
        "crime_group",
        "n",
        "positive",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "low_base",
        "disclosure_method",
        "min_cell",
        "max_adjustment",
    ]
    body = _results(client)
    general = _cell(body, CLOSED, "satisfaction.overall", "general")
    [row] = [
        r
        for r in rows
        if (r["metric"], r["period_from"], r["crime_group"])
        == ("satisfaction.overall", CLOSED, "general")
    ]
    assert int(row["n"]) == general["n"] and row["suppressed"] == "false"
    [rasso] = [
        r
        for r in rows
        if (r["metric"], r["period_from"], r["crime_group"])
        == ("satisfaction.overall", CLOSED, "rasso")
    ]
    assert rasso["n"] == "" and rasso["rate"] == "" and rasso["suppressed"] == "true"
    assert {r["period_from"] for r in rows} == {CLOSED}
    # The Accept header asks for the same.
    assert client.get("/results", headers={"Accept": "text/csv"}).content == response.content


def test_json_by_accept_header_and_the_actions(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    publish_action(
        db, text="Officers now call back within two days.", crime_group=None, actor="key:t"
    )
    publish_action(
        db, text="A specialist officer for every case.", crime_group="rasso", actor="key:t"
    )
    db.commit()
    body = client.get("/results", headers={"Accept": "application/json"}).json()
    assert [a["text"] for a in body["actions"]] == [
        "A specialist officer for every case.",
        "Officers now call back within two days.",
    ]
    assert set(body["actions"][0]) == {"text", "crime_group", "status", "published_at"}  # never who


def test_a_planned_action_is_not_public(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    publish_action(db, text="Under way.", crime_group=None, actor="key:t", status="in_progress")
    publish_action(
        db, text="Only an idea so far.", crime_group=None, actor="key:t", status="planned"
    )
    db.commit()
    body = client.get("/results", headers={"Accept": "application/json"}).json()
    assert [(a["text"], a["status"]) for a in body["actions"]] == [("Under way.", "in_progress")]
    assert "Only an idea so far." not in client.get("/results").text


def test_the_page_shows_figures_suppression_and_actions(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    publish_action(
        db, text="Officers now call back within two days.", crime_group=None, actor="key:t"
    )
    db.commit()
    page = client.get("/results")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "Quarter 2026-Q1" in html and "Quarter 2026-Q3" not in html
    assert "Too few answers" in html
    general = _cell(_results(client), CLOSED, "satisfaction.overall", "general")
    assert f"{round(general['rate'] * 100)}%" in html
    assert "Low base" in html
    assert "Officers now call back within two days." in html
    assert 'href="/results?format=csv"' in html
    assert "Exit this page" in html  # the public pages' frame, support panel included


def test_an_empty_service_has_a_page_and_empty_open_data(client: TestClient) -> None:
    assert "There are no results yet" in client.get("/results").text
    body = _results(client)
    assert body["quarters"] == [] and body["actions"] == []
    assert body["disclosure"] == {"method": "cell_key", "min_cell": 10, "max_adjustment": 0}


@pytest.mark.parametrize(
    "query",
    [
        "format=xml",
        "format=%00",
        "format=csv&format=json",
        "format=" + "j" * 5000,
        "crime_group=rasso&from=2026-Q1",
        "%ff%fe=%c0%af",
        "format=JSON",
        "quarter=1' OR '1'='1",
    ],
)
def test_hostile_query_strings_never_give_a_500(
    client: TestClient, answered: dict[str, list[Response]], query: str
) -> None:
    for accept in ("text/html", "application/json"):
        response = client.get(f"/results?{query}", headers={"Accept": accept})
        assert response.status_code in (200, 422), (query, response.status_code)


def test_the_page_names_each_quarters_months_and_lists_the_quarters(
    client: TestClient, db: Session, answered: dict[str, list[Response]]
) -> None:
    create_invitation(db, touchpoint_date=date(2025, 11, 3), status="expired")
    db.commit()
    html = client.get("/results").text
    assert "from January to March 2026" in html and "from October to December 2025" in html
    assert html.index("Quarter 2026-Q1") < html.index("Quarter 2025-Q4")  # newest first
    assert 'href="#quarter-2025-Q4"' in html
    assert "fixed on 2 December 2026" in html


def test_a_frozen_quarter_keeps_the_disclosure_it_was_frozen_under(
    client: TestClient, db: Session, answered: dict[str, list[Response]], settings_override: Any
) -> None:
    before = _results(client)
    settings_override(VV_MIN_CELL="50")
    # The API now hides the general cell (about 40 answers) ...
    live = client.get(
        f"/api/v1/aggregates/satisfaction.overall?group_by=crime_group&from={CLOSED}&to={CLOSED}",
        headers=api_headers(db, Role.analyst),
    ).json()
    assert live["min_cell"] == 50
    [general] = [c for c in live["cells"] if c["group"]["crime_group"] == "general"]
    assert general["suppressed"] is True
    # ... the frozen quarter still shows it, and says which threshold it was frozen under.
    after = _results(client)
    assert after["quarters"] == before["quarters"]
    assert after["quarters"][0]["disclosure"]["min_cell"] == 10
    assert after["disclosure"]["min_cell"] == 10
