"""Cross-tabs: a measure by another closed question's answer, under the disclosure control."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app.audit import AuditEvent
from app.banks.models import BankVersion
from app.cell_key import distribution, possible_counts
from app.enums import Role
from app.errors import InvalidInput
from app.reporting import rollups
from app.reporting.aggregates import aggregate_metric
from app.reporting.crosstab_rollup import crosstab_table
from app.reporting.crosstabs import crosstab
from app.reporting.review_models import CROSSTAB_KEY
from app.survey.models import Response
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.csv_files import figures_text
from tests.reporting.factories import (
    aspect_bank,
    published,
    small_bank,
    submit_response,
    withdraw_response,
)

METRIC = "satisfaction.overall"
URL = "/api/v1/aggregates/crosstab"
SATISFIED, UNHAPPY = "very_satisfied", "very_dissatisfied"


def isva_bank() -> dict[str, Any]:
    """The small bank with a closed question that feeds nothing: was an ISVA offered?"""
    document = small_bank()
    document["sections"][0]["questions"].append(
        {
            "id": "isva_offered",
            "type": "yes_no",
            "text": "Were you offered an independent sexual violence adviser?",
            "options": [{"code": code, "label": code} for code in ("yes", "no", "dont_know")],
        }
    )
    return document


def _submit(
    db: Session, version: BankVersion, isva: str | None, satisfied: bool, month: date, **kw: Any
) -> Response:
    return submit_response(
        db,
        version,
        {"sat_overall": SATISFIED if satisfied else UNHAPPY, "isva_offered": isva},
        month=month,
        commit=False,
        **kw,
    )


def _population(
    db: Session, version: BankVersion, month: date, spec: dict[str | None, tuple[int, int]]
) -> dict[str | None, tuple[list[Response], list[Response]]]:
    """spec: ISVA answer → (satisfied, not satisfied) counts; the responses made, by answer."""
    made: dict[str | None, tuple[list[Response], list[Response]]] = {}
    for isva, (yes, no) in spec.items():
        happy = [_submit(db, version, isva, True, month) for _ in range(yes)]
        unhappy = [_submit(db, version, isva, False, month) for _ in range(no)]
        made[isva] = (happy, unhappy)
    db.commit()
    return made


def test_cells_come_from_their_own_records(db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    made = _population(
        db, version, date(2026, 7, 1), {"yes": (12, 4), "no": (5, 8), "dont_know": (1, 1)}
    )
    result = crosstab(db, METRIC, "isva_offered", ["quarter"], {}, "2026-Q3", "2026-Q3")
    cells = {cell.group["answer"]: cell for cell in result.cells}
    assert result.answers == ["yes", "no", "dont_know"] and list(cells) == result.answers
    for answer in ("yes", "no"):
        happy, unhappy = made[answer]
        assert cells[answer].positive == published(happy)
        assert cells[answer].n == published(happy) + published(unhappy)
        assert cells[answer].group["quarter"] == "2026-Q3"
    assert cells["dont_know"].suppressed and cells["dont_know"].n is None
    assert "association, not cause" in result.note
    assert result.disclosure.max_adjustment == 4 and result.group_by == ["answer", "quarter"]


def test_the_same_records_publish_the_same_counts(db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (14, 6), "no": (9, 5)})
    by_group = crosstab(db, METRIC, "isva_offered", ["crime_group"], {}, "2026-Q3", "2026-Q3")
    filtered = crosstab(
        db, METRIC, "isva_offered", [], {"crime_group": "general"}, "2026-Q3", "2026-Q3"
    )
    by_year = crosstab(db, METRIC, "isva_offered", ["financial_year"], {}, "2026-Q3", "2026-Q3")
    general = {
        c.group["answer"]: c.n for c in by_group.cells if c.group["crime_group"] == "general"
    }
    assert general == {c.group["answer"]: c.n for c in filtered.cells}
    assert general == {c.group["answer"]: c.n for c in by_year.cells}
    assert all(c.suppressed for c in by_group.cells if c.group["crime_group"] != "general")


def test_all_yes_cell_equals_the_plain_metric(db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 4, 1), {"yes": (13, 7)})
    [plain] = aggregate_metric(db, METRIC, [], {}, "2026-Q2", "2026-Q2").cells
    cells = crosstab(db, METRIC, "isva_offered", [], {}, "2026-Q2", "2026-Q2").cells
    assert [(c.n, c.positive) for c in cells if c.group["answer"] == "yes"] == [
        (plain.n, plain.positive)
    ]


def _hidden_candidates(plain: tuple[int, int], shown: tuple[int, int], min_cell: int) -> set[int]:
    """Every hidden count consistent with the published plain and shown counts (positive,
    not-positive each) and with the hidden cell being suppressed."""
    found: set[int] = set()
    for whole_p, whole_n, part_p, part_n in itertools.product(
        possible_counts(plain[0], upto=plain[0] + 3),
        possible_counts(plain[1], upto=plain[1] + 3),
        possible_counts(shown[0], upto=shown[0] + 3),
        possible_counts(shown[1], upto=shown[1] + 3),
    ):
        c, d = whole_p - part_p, whole_n - part_n
        if c < 0 or d < 0 or c + d == 0:
            continue
        if min(distribution(c)) + min(distribution(d)) < min_cell:
            found.add(c + d)
    return found


def test_differencing_with_the_plain_metric_never_pins_the_hidden_cell(db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    quarters = [(year, q) for year in range(2022, 2027) for q in range(1, 5)]
    right = 0
    for year, quarter in quarters:
        month = date(year, 3 * quarter - 2, 1)
        _population(db, version, month, {"yes": (15, 7), "no": (2, 1)})
        label = f"{year}-Q{quarter}"
        [plain] = aggregate_metric(db, METRIC, [], {}, label, label).cells
        cells = {
            c.group["answer"]: c
            for c in crosstab(db, METRIC, "isva_offered", [], {}, label, label).cells
        }
        shown, hidden = cells["yes"], cells["no"]
        assert hidden.suppressed and not shown.suppressed and not plain.suppressed
        assert plain.n is not None and plain.positive is not None
        assert shown.n is not None and shown.positive is not None
        right += plain.n - shown.n == 3
        candidates = _hidden_candidates(
            (plain.positive, plain.n - plain.positive),
            (shown.positive, shown.n - shown.positive),
            min_cell=10,
        )
        assert 3 in candidates and len(candidates) > 1, label
    assert right < 0.75 * len(quarters)


@pytest.mark.parametrize(
    ("group_by", "filters", "period", "field"),
    [
        (["month"], {}, ("2026-Q3", "2026-Q3"), "group_by"),
        (["area"], {}, ("2026-Q3", "2026-Q3"), "group_by"),
        ([], {"area": "B1"}, ("2026-Q3", "2026-Q3"), "area"),
        ([], {"language": "en"}, ("2026-Q3", "2026-Q3"), "language"),
        (["age_band"], {}, ("2026-Q3", "2026-Q3"), "group_by"),
        ([], {}, ("2026-08", "2026-09"), "from"),
        ([], {}, ("2026-07", "2026-07"), "from"),
        (["quarter", "banana"], {}, ("2026-Q3", "2026-Q3"), "group_by"),
    ],
)
def test_refused_queries(
    db: Session, group_by: list[str], filters: dict[str, str], period: tuple[str, str], field: str
) -> None:
    create_bank_version(db, isva_bank())
    with pytest.raises(InvalidInput) as raised:
        crosstab(db, METRIC, "isva_offered", group_by, filters, *period)
    assert field in str(raised.value.errors)


@pytest.mark.parametrize("by", ["sat_overall", "anything_else", "contact_ways", "nope", "x" * 500])
def test_only_another_closed_question_can_split(db: Session, by: str) -> None:
    create_bank_version(db, isva_bank())
    with pytest.raises(InvalidInput):
        crosstab(db, METRIC, by, [], {}, "2026-Q3", "2026-Q3")


def _snapshot(db: Session) -> dict[tuple[Any, ...], tuple[int, int]]:
    rows = db.execute(select(crosstab_table)).mappings().all()
    return {
        tuple(row[name] for name in CROSSTAB_KEY): (row["count"], row["key_sum"]) for row in rows
    }


def test_rebuild_equals_incremental_and_under_18_is_left_out(db: Session) -> None:
    version = create_bank_version(db, aspect_bank())
    month = date(2026, 7, 1)
    made = []
    for index in range(8):
        answers = {
            "sat_overall": SATISFIED if index % 2 else UNHAPPY,
            "needs_asked": "yes" if index % 3 else "no",
            "referral": "no",
            "equality_gate": "yes",
            "age_band": "under_18" if index == 0 else "25_34",
        }
        made.append(submit_response(db, version, answers, month=month))
    withdraw_response(db, made[3])
    before = _snapshot(db)
    assert before  # something was counted
    # The under-18 response (index 0) is counted nowhere: 6 responses remain.
    sat_by_needs = [
        count
        for key, (count, _) in before.items()
        if key[0] == "sat_overall" and key[2] == "needs_asked"
    ]
    assert sum(sat_by_needs) == 6
    rollups.rebuild(db, since=date(2026, 1, 1))
    db.commit()
    assert _snapshot(db) == before


def test_api_answers_json_and_csv_and_refuses_with_problem_json(
    client: TestClient, db: Session
) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4), "no": (5, 8)})
    headers = api_headers(db, Role.analyst)
    params = {"metric": METRIC, "by": "isva_offered", "from": "2026-Q3", "to": "2026-Q3"}
    answer = client.get(URL, params=params, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["disclosure"] == {
        "method": "cell_key",
        "min_cell": 10,
        "max_adjustment": 4,
    }
    as_csv = client.get(URL, params={**params, "format": "csv"}, headers=headers)
    assert figures_text(as_csv.text).splitlines()[0].startswith("answer,n,positive")
    for extra in ({"group_by": "month"}, {"area": "B1"}, {"from": "2026-08"}, {"by": "nope"}):
        refused = client.get(URL, params={**params, **extra}, headers=headers)
        assert refused.status_code == 422, extra
        assert refused.headers["content-type"].startswith("application/problem+json")
    assert client.get(URL, params={**params, "metric": "nope"}, headers=headers).status_code == 404
    assert client.get(URL, params=params, headers=api_headers(db, Role.uploader)).status_code == 403


def test_the_page_says_association_not_cause(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4), "no": (5, 8)})
    staff = signed_in_client(client, db, [Role.analyst])
    params = {"metric": METRIC, "by": "isva_offered", "from": "2026-Q3", "to": "2026-Q3"}
    page = staff.get("/staff/crosstab", params=params)
    assert page.status_code == 200
    assert "association, not cause" in page.text
    assert "Too few answers to show" not in page.text or "isva_offered" in page.text
    blank = staff.get("/staff/crosstab")
    assert blank.status_code == 200
    refused = staff.get("/staff/crosstab", params={**params, "group_by": "month"})
    assert refused.status_code == 422 and "There is a problem" in refused.text


def test_a_sensitive_measure_keeps_its_own_rule(db: Session) -> None:
    document = isva_bank()
    document["sections"][0]["questions"].append(
        {
            "id": "stepping_back",
            "type": "yes_no",
            "text": "Did you think about stepping back from the investigation?",
            "touchpoints": ["investigation"],
            "measures": ["attrition"],
            "options": [{"code": code, "label": code} for code in ("yes", "no")],
        }
    )
    version = create_bank_version(db, document)
    made: dict[str, list[Response]] = {}
    for isva, stepped in (
        [("yes", "yes")] + [("yes", "no")] * 13 + [("no", "yes")] * 6 + [("no", "no")] * 8
    ):
        response = submit_response(
            db,
            version,
            {"stepping_back": stepped, "isva_offered": isva},
            touchpoint="investigation",
            commit=False,
        )
        made.setdefault(f"{isva}:{stepped}", []).append(response)
    db.commit()
    cells = {
        c.group["answer"]: c
        for c in crosstab(db, "attrition", "isva_offered", [], {}, "2026-Q3", "2026-Q3").cells
    }
    for isva in ("yes", "no"):
        positive = published(made.get(f"{isva}:yes", []))
        negative = published(made.get(f"{isva}:no", []))
        n = positive + negative
        hidden = n < 10 or (n < 20 and min(positive, negative) < 3)
        assert cells[isva].suppressed == hidden
        if not hidden:
            assert (cells[isva].n, cells[isva].positive) == (n, positive)


def test_touchpoint_and_mode_split_and_the_read_is_audited(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, isva_bank())
    _population(db, version, date(2026, 7, 1), {"yes": (12, 4)})
    result = crosstab(
        db, METRIC, "isva_offered", ["touchpoint"], {"mode": "self"}, "2026-Q3", "2026-Q3"
    )
    shown = [c for c in result.cells if not c.suppressed]
    assert [(c.group["answer"], c.group["touchpoint"]) for c in shown] == [("yes", "reporting")]
    assert result.group_by == ["answer", "touchpoint"]
    with pytest.raises(InvalidInput):  # mode and the answer are the two limited dimensions
        crosstab(db, METRIC, "isva_offered", ["mode", "sex"], {}, "2026-Q3", "2026-Q3")
    client.get(
        URL,
        params={"metric": METRIC, "by": "isva_offered", "from": "2026-Q3", "to": "2026-Q3"},
        headers=api_headers(db, Role.analyst),
    )
    db.expire_all()
    event = db.execute(
        select(AuditEvent).where(AuditEvent.action == "aggregates.read")  # type: ignore[arg-type]
    ).scalar_one()
    assert event.detail["params"]["crosstab_by"] == "isva_offered"


@pytest.mark.parametrize("by", ["decision_told", "reasons_understood"])
def test_a_right_is_never_split_by_its_own_aspects(db: Session, by: str) -> None:
    """Found by the issue 14 attack: the right's own figure is derived, so the check of "the
    measure's own question" saw only its derived id and let an aspect split it."""
    create_bank_version(db, aspect_bank())
    with pytest.raises(InvalidInput) as raised:
        crosstab(db, "victims_code.right_6", by, [], {}, "2026-Q3", "2026-Q3")
    assert "by" in str(raised.value.errors)
