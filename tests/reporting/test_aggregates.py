"""Metric aggregates through the service: exact counts, rates and intervals against a direct
computation over the same synthetic responses, filters, periods and suppression."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.reporting.aggregates import aggregate_metric, list_metrics
from app.reporting.periods import financial_year_label, month_label, quarter_label
from app.reporting.stats import wilson_interval
from tests.reporting.factories import (
    RIGHTS_OPTIONS,
    SATISFACTION,
    create_bank_version,
    small_bank,
    submit_response,
    withdraw_response,
)

POSITIVE = {"completely_satisfied", "very_satisfied", "fairly_satisfied"}
EXCLUDED = {"dont_know", "prefer_not_to_say", "not_applicable"}


@dataclass
class Submitted:
    context: dict[str, Any]
    answers: dict[str, Any]


def _labels(context: dict[str, Any]) -> dict[str, str | None]:
    month: date = context["month"]
    return {
        "crime_group": context["crime_group"],
        "touchpoint": context["touchpoint"],
        "area": context["area"],
        "language": context["language"],
        "month": month_label(month),
        "quarter": quarter_label(month),
        "financial_year": financial_year_label(month),
    }


def direct(
    responses: list[Submitted],
    question_ids: set[str],
    positive: set[str],
    group_by: list[str],
    keep: Any = lambda labels: True,
) -> dict[tuple[Any, ...], tuple[int, int]]:
    """n and positive per group, straight from the responses."""
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0])
    for response in responses:
        labels = _labels(response.context)
        if not keep(labels):
            continue
        for question_id in question_ids & set(response.answers):
            code = response.answers[question_id]
            if code is None or code in EXCLUDED:
                continue
            cell = cells[tuple(labels[name] for name in group_by)]
            cell[0] += 1
            cell[1] += code in positive
    return {key: (n, p) for key, (n, p) in cells.items() if n}


@pytest.fixture
def population(db: Session) -> list[Submitted]:
    """~300 responses over two banks (general in two versions), four touchpoints, 18 months."""
    rng = random.Random(20261127)
    general_v1 = create_bank_version(db, small_bank("general"), slug="general", status="retired")
    general_v2 = create_bank_version(
        db, small_bank("general", overall_id="sat_whole"), slug="general", version=2
    )
    rasso = create_bank_version(db, small_bank("rasso"), slug="rasso")
    draft = create_bank_version(
        db,
        small_bank("general", overall_id="sat_draft"),
        slug="general",
        version=3,
        status="draft",
    )
    assert draft.id
    submitted: list[Submitted] = []
    for index in range(300):
        version = rng.choice([general_v1, general_v2, rasso])
        overall = "sat_whole" if version is general_v2 else "sat_overall"
        touchpoint = rng.choice(["reporting", "investigation", "outcome", "court"])
        context = {
            "crime_group": str(version.document["crime_group"]),
            "touchpoint": touchpoint,
            "area": rng.choice(["B1", "B2", "C3", None]),
            "month": date(2025 + (index % 2), rng.randint(1, 12), 1),
            "language": rng.choice(["en", "en", "ur"]),
        }
        answers: dict[str, Any] = {overall: rng.choice([*SATISFACTION, None])}
        if touchpoint in ("reporting", "court"):
            answers["right_understood"] = rng.choice([*RIGHTS_OPTIONS, None])
        response = submit_response(db, version, answers, commit=False, **context)
        if rng.random() < 0.1:
            withdraw_response(db, response, commit=False)
        else:
            submitted.append(Submitted(context, answers))
    db.commit()
    return submitted


GROUPINGS = [
    [],
    ["crime_group"],
    ["crime_group", "quarter"],
    ["month", "area"],
    ["financial_year", "language", "touchpoint"],
    ["area", "crime_group", "touchpoint", "month", "quarter", "financial_year", "language"],
]


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_counts_rates_and_intervals_match_a_direct_computation(
    db: Session, population: list[Submitted], group_by: list[str]
) -> None:
    result = aggregate_metric(db, "satisfaction.overall", group_by=group_by, min_cell=1)
    expected = direct(population, {"sat_overall", "sat_whole"}, POSITIVE, group_by)
    got = {tuple(cell.group[name] for name in group_by): cell for cell in result.cells}
    assert set(got) == set(expected)
    for key, (n, positive) in expected.items():
        cell = got[key]
        interval = wilson_interval(positive, n)
        assert interval is not None
        assert (cell.n, cell.positive, cell.suppressed) == (n, positive, False)
        assert cell.rate == pytest.approx(positive / n, abs=1e-12)
        assert (cell.ci_low, cell.ci_high) == pytest.approx(interval, abs=1e-12)
    assert result.group_by == group_by and result.metric == "satisfaction.overall"
    total_n = sum(n for n, _ in expected.values())
    assert sum(cell.n or 0 for cell in result.cells) == total_n


def test_a_right_counts_only_where_its_question_is_asked(
    db: Session, population: list[Submitted]
) -> None:
    result = aggregate_metric(db, "victims_code.right_1", group_by=["touchpoint"], min_cell=1)
    expected = direct(population, {"right_understood"}, {"yes"}, ["touchpoint"])
    assert {c.group["touchpoint"]: (c.n, c.positive) for c in result.cells} == {
        key[0]: value for key, value in expected.items()
    }
    assert set(expected) == {("reporting",), ("court",)}


def test_filters_and_periods(db: Session, population: list[Submitted]) -> None:
    result = aggregate_metric(
        db,
        "satisfaction.overall",
        group_by=["quarter"],
        filters={"crime_group": "general", "area": "B1", "touchpoint": None},
        period_from="2025-Q2",
        period_to="2026-02",
        min_cell=1,
    )

    def keep(labels: dict[str, Any]) -> bool:
        return (
            labels["crime_group"] == "general"
            and labels["area"] == "B1"
            and "2025-04" <= labels["month"] <= "2026-02"
        )

    expected = direct(population, {"sat_overall", "sat_whole"}, POSITIVE, ["quarter"], keep)
    assert {c.group["quarter"]: (c.n, c.positive) for c in result.cells} == {
        key[0]: value for key, value in expected.items()
    }
    assert [c.group["quarter"] for c in result.cells] == [
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]


def test_suppression_hides_small_cells_and_their_partners(
    db: Session, population: list[Submitted]
) -> None:
    result = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group", "area"], min_cell=10
    )
    expected = direct(population, {"sat_overall", "sat_whole"}, POSITIVE, ["crime_group", "area"])
    shown = [cell for cell in result.cells if not cell.suppressed]
    hidden = [cell for cell in result.cells if cell.suppressed]
    assert len(result.cells) == len(expected)
    assert all((cell.n or 0) >= 10 for cell in shown)
    for cell in hidden:
        assert (cell.n, cell.positive, cell.rate, cell.ci_low, cell.ci_high) == (None,) * 5
    small = {key for key, (n, _) in expected.items() if n < 10}
    assert small, "the fixture should produce small cells"
    assert {(c.group["crime_group"], c.group["area"]) for c in hidden} >= small


def test_unknown_area_is_null_and_can_be_grouped(db: Session) -> None:
    version = create_bank_version(db)
    for _ in range(3):
        submit_response(db, version, {"sat_overall": "very_satisfied"}, area=None)
    result = aggregate_metric(db, "satisfaction.overall", group_by=["area"], min_cell=1)
    assert [(c.group, c.n, c.positive) for c in result.cells] == [({"area": None}, 3, 3)]


def test_group_by_takes_commas_and_repeats(db: Session, population: list[Submitted]) -> None:
    result = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group,quarter", "crime_group"], min_cell=1
    )
    assert result.group_by == ["crime_group", "quarter"]


def test_bad_parameters(db: Session) -> None:
    with pytest.raises(NotFound):
        aggregate_metric(db, "no.such.metric")
    with pytest.raises(InvalidInput) as bad_group:
        aggregate_metric(db, "satisfaction.overall", group_by=["crime_group,postcode"])
    assert bad_group.value.errors == [
        {"loc": ["query", "group_by"], "msg": bad_group.value.errors[0]["msg"]}  # type: ignore[index]
    ]
    with pytest.raises(InvalidInput) as bad_period:
        aggregate_metric(db, "satisfaction.overall", period_from="2026-Q5", period_to="2025-1")
    locs = [error["loc"] for error in bad_period.value.errors or []]
    assert locs == [["query", "from"], ["query", "to"]]
    with pytest.raises(InvalidInput):
        aggregate_metric(db, "satisfaction.overall", period_from="2026-06", period_to="2026-01")
    with pytest.raises(InvalidInput):
        aggregate_metric(db, "satisfaction.overall", filters={"crime_group": "burglary"})


def test_metric_list_names_the_questions_of_the_latest_published_versions(
    db: Session, population: list[Submitted]
) -> None:
    by_id = {metric.id: metric for metric in list_metrics(db)}
    assert by_id["satisfaction.overall"].question_ids == ["sat_overall", "sat_whole"]
    assert by_id["victims_code.right_3"].question_ids == ["right_information"]
    assert by_id["report_again"].question_ids == []
    assert by_id["satisfaction.overall"].positive_codes == sorted(POSITIVE)
    assert by_id["satisfaction.overall"].excluded_codes == sorted(EXCLUDED)


def test_coarse_and_fine_rollup_rows_agree(db: Session, population: list[Submitted]) -> None:
    """By crime group alone the coarse rows answer; with area the fine ones: same totals."""
    coarse = aggregate_metric(db, "satisfaction.overall", group_by=["crime_group"], min_cell=1)
    fine = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group", "area", "language"], min_cell=1
    )
    summed: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for cell in fine.cells:
        summed[cell.group["crime_group"]][0] += cell.n or 0
        summed[cell.group["crime_group"]][1] += cell.positive or 0
    assert {c.group["crime_group"]: [c.n, c.positive] for c in coarse.cells} == dict(summed)
