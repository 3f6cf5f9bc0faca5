"""The aggregates API: roles, shapes, CSV, errors, audit, and never a figure about one person."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.stats import wilson_interval
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.csv_files import figure_rows
from tests.reporting.factories import create_invitation, published, small_bank, submit_response

CODES = ["very_satisfied"] * 40 + ["neither"] * 20
JULY = "from=2026-07&to=2026-07"


@pytest.fixture
def filled(db: Session) -> dict[str, list[Response]]:
    """July 2026. B1: 60 answers, 40 satisfied first; "=cmd" area likewise (both offered on
        their own: 50 or more responses in the year); C3: 3 and C4: 2 ("other areas": 5 answers,
    so at most 9 once published)."""
    version = create_bank_version(db, small_bank("general"))
    made: dict[str, list[Response]] = {}
    for area, codes in [("B1", CODES), ("C3", CODES[:3]), ("C4", CODES[-2:]), ("=cmd", CODES)]:
        for code in codes:
            response = submit_response(db, version, {"sat_overall": code}, area=area, commit=False)
            made.setdefault(area, []).append(response)
    db.commit()
    return made


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/metrics",
        "/api/v1/aggregates/satisfaction.overall",
        "/api/v1/aggregates/victims-code",
        "/api/v1/aggregates/funnel",
    ],
)
def test_roles(client: TestClient, db: Session, path: str) -> None:
    assert client.get(path).status_code == 401
    for role in (Role.uploader, Role.editor, Role.victims_team, Role.approver):
        response = client.get(path, headers=api_headers(db, role, banks=["general"]))
        assert response.status_code == 403, role
    for role in (Role.analyst, Role.admin):
        assert client.get(path, headers=api_headers(db, role)).status_code == 200


def test_aggregate_shape_and_suppression(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    body = client.get(
        f"/api/v1/aggregates/satisfaction.overall?group_by=area&{JULY}", headers=headers
    ).json()
    assert body["metric"] == "satisfaction.overall" and body["min_cell"] == 10
    assert body["disclosure"] == {"method": "cell_key", "min_cell": 10, "max_adjustment": 4}
    cells = {cell["group"]["area"]: cell for cell in body["cells"]}
    assert list(cells) == ["=cmd", "B1", "other areas"]
    b1 = filled["B1"]
    positive = published(b1[:40])
    n = positive + published(b1[40:])
    low, high = wilson_interval(positive, n) or (0, 0)
    assert cells["B1"] == {
        "group": {"area": "B1"},
        "n": n,
        "positive": positive,
        "rate": pytest.approx(positive / n),
        "ci_low": pytest.approx(low),
        "ci_high": pytest.approx(high),
        "suppressed": False,
        "low_base": False,
        "dont_know": None,  # only information rights have a don't know share
    }
    # Every published count is within 2 of the truth.
    assert abs(positive - 40) <= 2 and abs(n - 60) <= 4
    # C3 and C4 together are "other areas": 5 responses, below 10 once published.
    other = filled["C3"] + filled["C4"]
    other_n = published(other[:3]) + published(other[3:])
    assert other_n < 10
    assert cells["other areas"] == {
        "group": {"area": "other areas"},
        "n": None,
        "positive": None,
        "rate": None,
        "ci_low": None,
        "ci_high": None,
        "suppressed": True,
        "low_base": None,
        "dont_know": None,
    }
    # No secondary suppression: "=cmd" stays shown although it could give the others away.
    assert cells["=cmd"]["suppressed"] is False


def test_an_area_not_offered_is_refused_and_other_areas_can_be_asked_for(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    url = f"/api/v1/aggregates/satisfaction.overall?{JULY}&area="
    small = client.get(url + "C3", headers=headers)
    assert small.status_code == 422
    assert small.json()["errors"] == [
        {
            "loc": ["query", "area"],
            "msg": "Not reported on its own in this period: use 'other areas'.",
        }
    ]
    # An area that does not exist at all gets the very same answer.
    assert client.get(url + "ZZ9", headers=headers).json() == small.json()
    other = client.get(url + "other%20areas", headers=headers).json()
    grouped = client.get(
        f"/api/v1/aggregates/satisfaction.overall?{JULY}&group_by=area", headers=headers
    ).json()
    assert other["cells"][0] | {"group": {"area": "other areas"}} == grouped["cells"][2]


def test_csv_by_accept_header_and_by_format(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    url = f"/api/v1/aggregates/satisfaction.overall?group_by=area,month&{JULY}"
    by_header = client.get(url, headers={**headers, "Accept": "text/csv"})
    by_format = client.get(url + "&format=csv", headers=headers)
    assert by_header.status_code == by_format.status_code == 200
    assert by_header.headers["content-type"].startswith("text/csv")
    assert by_header.text == by_format.text
    rows = figure_rows(by_header.text)
    assert rows[0] == [
        "area",
        "month",
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
    # The area "=cmd" can never become a formula in a spreadsheet.
    assert rows[1][:2] == ["'=cmd", "2026-07"] and rows[1][7] == "false"
    json_cell = client.get(url, headers=headers).json()["cells"][1]
    assert rows[2][:4] == ["B1", "2026-07", str(json_cell["n"]), str(json_cell["positive"])]
    assert rows[3] == [
        "other areas",
        "2026-07",
        "",
        "",
        "",
        "",
        "",
        "true",
        "",
        "cell_key",
        "10",
        "4",
    ]
    assert len(rows) == 4


def test_errors_are_problem_json(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    missing = client.get("/api/v1/aggregates/no.such.metric", headers=headers)
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    bad = client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=postcode&from=2026-13", headers=headers
    )
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
    assert [error["loc"] for error in bad.json()["errors"]] == [["query", "group_by"]]
    period = client.get(
        "/api/v1/aggregates/satisfaction.overall?from=2026-13&to=2026-Q9", headers=headers
    )
    assert [error["loc"] for error in period.json()["errors"]] == [
        ["query", "from"],
        ["query", "to"],
    ]
    fmt = client.get("/api/v1/aggregates/satisfaction.overall?format=xml", headers=headers)
    assert fmt.status_code == 422


def test_every_read_is_audited_without_personal_data(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=quarter&from=2026-Q1&crime_group=general",
        headers=headers,
    )
    client.get("/api/v1/aggregates/victims-code?format=csv", headers=headers)
    client.get("/api/v1/aggregates/funnel?group_by=touchpoint", headers=headers)
    db.expire_all()
    events = db.exec(
        select(AuditEvent).where(AuditEvent.action == "aggregates.read").order_by(AuditEvent.id)  # type: ignore[arg-type]
    ).all()
    assert [event.object_id for event in events] == [
        "satisfaction.overall",
        "victims-code",
        "funnel",
    ]
    first = events[0]
    assert first.actor.startswith("key:")
    assert first.detail == {
        "metric": "satisfaction.overall",
        "params": {
            "group_by": ["quarter"],
            "from": "2026-Q1",
            "crime_group": "general",
            "format": "json",
        },
    }
    assert events[1].detail["params"] == {"format": "csv"}


def test_metrics_endpoint(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    body = client.get("/api/v1/metrics", headers=api_headers(db, Role.analyst)).json()
    overall = next(metric for metric in body if metric["id"] == "satisfaction.overall")
    assert set(overall) >= {
        "id",
        "title",
        "description",
        "question_ids",
        "positive_codes",
        "excluded_codes",
    }
    assert overall["question_ids"] == ["sat_overall"]
    assert "very_satisfied" in overall["positive_codes"]
    assert "dont_know" in overall["excluded_codes"]
    assert {metric["id"] for metric in body} >= {f"victims_code.right_{n}" for n in range(1, 13)}


def test_no_endpoint_ever_shows_one_response(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    submit_response(
        db,
        version,
        {"sat_overall": "very_satisfied", "right_understood": "yes", "right_information": "no"},
        month=date(2026, 8, 1),
    )
    invitation = create_invitation(db, status="completed", touchpoint_date=date(2026, 8, 3))
    db.commit()
    assert invitation.id
    headers = api_headers(db, Role.analyst)
    dimensions = ["crime_group", "touchpoint", "area", "month", "quarter", "financial_year"]
    period = "from=2026-04&to=2027-03"
    urls = [f"/api/v1/aggregates/satisfaction.overall?group_by={d}&{period}" for d in dimensions]
    urls += [
        f"/api/v1/aggregates/victims_code.right_1?{period}",
        f"/api/v1/aggregates/satisfaction.overall?{period}",
    ]
    urls += [f"/api/v1/aggregates/funnel?group_by={d}&{period}" for d in dimensions]
    urls += [f"/api/v1/aggregates/funnel?{period}", f"/api/v1/aggregates/victims-code?{period}"]
    urls += [f"/api/v1/aggregates/dropoff?bank=general&{period}"]
    for url in urls:
        body = client.get(url, headers=headers).json()
        rows = body.get("cells") or body.get("rights") or body.get("questions")
        assert rows, url
        # A right delivered by several agencies lists each agency's part, under the same rule.
        parts = [part for row in rows for part in row.get("parts") or []]
        for row in [*rows, *parts]:
            assert row["suppressed"] is True, url
            figures = {
                k: v
                for k, v in row.items()
                if k not in ("group", "suppressed", "right", "low_base", "parts", "touchpoints")
            }
            # Not even a 0 or a count: every figure is null (a string is a label or a title).
            assert all(value is None or isinstance(value, str) for value in figures.values()), (
                url,
                row,
            )


def test_group_by_repeated_in_the_query(
    client: TestClient, db: Session, filled: dict[str, list[Response]]
) -> None:
    body = client.get(
        "/api/v1/aggregates/satisfaction.overall?group_by=month&group_by=quarter,financial_year"
        "&from=2026-07&to=2026-08",
        headers=api_headers(db, Role.analyst),
    ).json()
    assert [cell["group"] for cell in body["cells"]] == [
        {"month": "2026-07", "quarter": "2026-Q3", "financial_year": "2026-27"},
        {"month": "2026-08", "quarter": "2026-Q3", "financial_year": "2026-27"},
    ]
    everyone = [response for group in filled.values() for response in group]
    satisfied = [r for group in filled.values() for r in group[: min(40, len(group))]]
    satisfied = [r for r in satisfied if r in filled["B1"][:40] + filled["=cmd"][:40]] + filled[
        "C3"
    ]
    rest = [r for r in everyone if r not in satisfied]
    assert body["cells"][0]["n"] == published(satisfied) + published(rest)
    assert body["cells"][1]["suppressed"] is True  # August holds nobody
