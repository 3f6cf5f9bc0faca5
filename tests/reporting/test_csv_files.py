"""Every CSV file the service gives says what it holds (metric, period, filters) in its leading
columns, and starts with the UTF-8 byte-order mark Excel needs: one helper makes them all."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.csv_export import (
    CONTEXT_COLUMNS,
    EXCEL_BOM,
    CsvContext,
    csv_file,
    filters_text,
)
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

JULY = "from=2026-07&to=2026-07"


def _rows(data: bytes) -> list[dict[str, str]]:
    text = data.decode("utf-8")
    assert text.startswith(EXCEL_BOM), "Excel needs the byte-order mark to read UTF-8"
    reader = csv.DictReader(io.StringIO(text.removeprefix(EXCEL_BOM)))
    assert list(reader.fieldnames or [])[: len(CONTEXT_COLUMNS)] == list(CONTEXT_COLUMNS)
    return list(reader)


def test_csv_file_puts_the_context_on_every_row() -> None:
    context = CsvContext("satisfaction.overall", "2026-07", "2026-09", {"crime_group": "vawg"})
    data = csv_file(context, ["area", "n"], [["B1", 12], ["=cmd", None]])
    rows = _rows(data)
    assert [(r["metric"], r["period_from"], r["period_to"], r["filters"]) for r in rows] == [
        ("satisfaction.overall", "2026-07", "2026-09", "crime_group=vawg")
    ] * 2
    assert [(r["area"], r["n"]) for r in rows] == [("B1", "12"), ("'=cmd", "")]
    assert data.count(EXCEL_BOM.encode()) == 1


def test_filters_text_names_what_was_given_and_says_none_otherwise() -> None:
    assert filters_text({"crime_group": None, "mode": "", "quotable": False}) == "none"
    assert filters_text({"crime_group": "rasso", "area": None, "mode": "self"}) == (
        "crime_group=rasso; mode=self"
    )
    assert filters_text({"by": ["a", "b"]}) == "by=a,b"
    # A filter value can never become a formula either.
    assert (
        _rows(csv_file(CsvContext("m", None, None, {"area": "=1"}), ["n"], [[1]]))[0]["filters"]
        == "area==1"
    )


@pytest.fixture
def july(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    for code in ["very_satisfied"] * 30 + ["neither"] * 20:
        answers = {"sat_overall": code, "right_understood": "yes"}
        submit_response(db, version, answers, month=date(2026, 7, 1), commit=False)
    db.commit()


CASES: list[tuple[str, str, str, str]] = [
    # (path, metric column, period_from, filters column)
    (
        f"/api/v1/aggregates/satisfaction.overall?group_by=area&crime_group=general&{JULY}",
        "satisfaction.overall",
        "2026-07",
        "crime_group=general",
    ),
    (
        f"/api/v1/aggregates/victims-code?touchpoint=reporting&{JULY}",
        "victims-code",
        "2026-07",
        "touchpoint=reporting",
    ),
    (
        f"/api/v1/aggregates/funnel?crime_group=general&{JULY}",
        "funnel",
        "2026-07",
        "crime_group=general",
    ),
    (
        f"/api/v1/aggregates/dropoff?bank=general&mode=self&{JULY}",
        "dropoff",
        "2026-07",
        "bank=general; mode=self",
    ),
    (
        f"/api/v1/compliance/moj-metrics?crime_group=general&{JULY}",
        "moj-metrics",
        "2026-07",
        "crime_group=general",
    ),
    (
        "/api/v1/aggregates/crosstab?metric=satisfaction.overall&by=right_understood"
        "&from=2026-Q3&to=2026-Q3",
        "satisfaction.overall",
        "2026-07",
        "by=right_understood",
    ),
]


@pytest.mark.parametrize(("path", "metric", "first", "filters"), CASES)
def test_every_api_csv_says_its_metric_period_and_filters(
    client: TestClient, db: Session, july: None, path: str, metric: str, first: str, filters: str
) -> None:
    answer = client.get(path + "&format=csv", headers=api_headers(db, Role.analyst))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    rows = _rows(answer.content)
    assert rows, "at least one row of figures"
    last = "2026-09" if "crosstab" in path else "2026-07"
    assert {(r["metric"], r["period_from"], r["period_to"], r["filters"]) for r in rows} == {
        (metric, first, last, filters)
    }


def test_skipped_and_comments_csv_carry_the_columns_with_no_filters(
    client: TestClient, db: Session
) -> None:
    headers = api_headers(db, Role.analyst)
    for path in (f"/api/v1/aggregates/skipped?{JULY}", f"/api/v1/comments?{JULY}"):
        answer = client.get(path + "&format=csv", headers=headers)
        assert answer.status_code == 200, answer.text
        text = answer.content.decode("utf-8")
        assert text.startswith(EXCEL_BOM + ",".join(CONTEXT_COLUMNS) + ",")


def test_report_pack_csvs_use_the_same_helper(client: TestClient, db: Session, july: None) -> None:
    staff = signed_in_client(client, db, [Role.analyst])
    answer = staff.get("/reports/quarterly.zip", params={"period": "2026-Q3"})
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    seen: dict[str, Any] = {}
    for name in archive.namelist():
        if name.endswith(".csv"):
            rows = _rows(archive.read(name))
            seen[name.rsplit("/", 1)[1]] = {(r["period_from"], r["period_to"]) for r in rows}
    assert seen["headline.csv"] == {("2026-07", "2026-09")}
    assert len(seen) == 8
