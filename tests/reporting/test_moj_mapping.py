"""The MoJ key compliance metrics: the mapping file, its checks, the view, API and CSV."""

from __future__ import annotations

import copy
import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.aggregates import aggregate_metric
from app.reporting.moj_mapping import (
    MAPPING_PATH,
    MojMappingError,
    load_mapping,
    moj_view,
    parse_mapping,
)
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

URL = "/api/v1/compliance/moj-metrics"


def _shipped() -> dict[str, Any]:
    data = yaml.safe_load(MAPPING_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def test_the_shipped_mapping_is_valid_and_covers_every_right() -> None:
    mapping = load_mapping()
    assert sorted({entry.right for entry in mapping.metrics}) == list(range(1, 13))
    assert "as of 2026" in MAPPING_PATH.read_text(encoding="utf-8")
    assert "No code change" in MAPPING_PATH.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["metrics"][0].update(metrics=["no.such.metric"]), "not one of our metrics"),
        (lambda d: d["metrics"][0].update(metrics=["victims_code.right_3"]), "not about right 1"),
        (lambda d: d["metrics"][0].update(right=13), "right must be"),
        (lambda d: d["metrics"][0].update(agency="fire"), "agency must be"),
        (lambda d: d["metrics"][1].update(id="KCM-1"), "used twice"),
        (lambda d: d["metrics"][0].update(title=""), "title must be"),
        (lambda d: d["metrics"][0].update(colour="red"), "unknown field"),
        (lambda d: d["metrics"][0].update(metrics=[]), "non-empty list"),
        (lambda d: d.pop("source"), "source must be"),
    ],
)
def test_a_wrong_entry_is_refused_with_its_name(change: Any, message: str) -> None:
    data = copy.deepcopy(_shipped())
    change(data)
    with pytest.raises(MojMappingError) as raised:
        parse_mapping(data, "moj.yaml")
    assert message in str(raised.value)
    assert "moj.yaml" in str(raised.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "moj.yaml"
    path.write_text("metrics: [unclosed", encoding="utf-8")
    with pytest.raises(MojMappingError, match="cannot be read"):
        load_mapping(path)
    path.write_text("- just a list", encoding="utf-8")
    with pytest.raises(MojMappingError, match="list under 'metrics'"):
        load_mapping(path)


def _responses(db: Session, count: int) -> None:
    version = create_bank_version(db, small_bank())
    for index in range(count):
        submit_response(
            db,
            version,
            {"right_understood": "yes" if index % 3 else "no", "right_information": "yes"},
            month=date(2026, 7, 1),
        )


def test_the_view_gives_the_aggregates_own_figures(db: Session) -> None:
    _responses(db, 30)
    view = moj_view(db, "2026-Q3", "2026-Q3", crime_group="general")
    first = view.metrics[0]
    assert first.id == "KCM-1" and first.right == 1
    [right_1] = [figure for figure in first.figures if figure.metric == "victims_code.right_1"]
    [cell] = aggregate_metric(
        db, "victims_code.right_1", None, {"crime_group": "general"}, "2026-Q3", "2026-Q3"
    ).cells
    assert (right_1.n, right_1.positive, right_1.suppressed) == (cell.n, cell.positive, False)
    assert view.disclosure.method == "cell_key" and view.disclosure.max_adjustment > 0
    # A mapped metric nobody answered is listed, suppressed.
    kcm_11 = next(row for row in view.metrics if row.id == "KCM-11")
    assert kcm_11.figures[0].suppressed and kcm_11.figures[0].n is None


def test_small_cells_are_suppressed(db: Session) -> None:
    _responses(db, 4)
    view = moj_view(db, "2026-Q3", "2026-Q3")
    assert all(figure.suppressed for row in view.metrics for figure in row.figures)


def test_api_json_and_csv(client: TestClient, db: Session) -> None:
    _responses(db, 30)
    headers = api_headers(db, Role.analyst)
    answer = client.get(URL, params={"from": "2026-Q3", "to": "2026-Q3"}, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["disclosure"]["method"] == "cell_key"
    assert [row["id"] for row in body["metrics"]][:2] == ["KCM-1", "KCM-2"]
    as_csv = client.get(URL, params={"from": "2026-Q3", "format": "csv"}, headers=headers)
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text.removeprefix("\ufeff"))))
    assert rows[0]["moj_id"] == "KCM-1" and rows[0]["disclosure_method"] == "cell_key"
    assert {"max_adjustment", "min_cell", "measure", "rate"} <= set(rows[0])
    assert rows[0]["metric"] == "moj-metrics"


def test_api_refuses_bad_input_and_other_roles(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    for params in ({"crime_group": "burglary"}, {"from": "2026-13"}, {"from": "x" * 5000}):
        answer = client.get(URL, params=params, headers=headers)
        assert answer.status_code == 422
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get(URL, headers=api_headers(db, Role.uploader)).status_code == 403


def test_the_staff_page_lists_the_mapping(client: TestClient, db: Session) -> None:
    _responses(db, 30)
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get("/staff/compliance/moj-metrics", params={"from": "2026-Q3"})
    assert page.status_code == 200
    assert "KCM-1" in page.text and "Victims able to understand" in page.text
    assert "can change" in page.text
    bad = staff.get("/staff/compliance/moj-metrics", params={"from": "2026-13"})
    assert bad.status_code == 422 and "There is a problem" in bad.text
