"""Metric aggregates through the service: published counts, rates and intervals against a
reference computation over the same synthetic responses and record keys, with filters,
periods, other areas and suppression."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from sqlmodel import Session

from app.errors import InvalidInput, NotFound
from app.reporting.aggregates import aggregate_metric, list_metrics
from app.reporting.disclosure import Tally
from tests.factories import create_bank_version
from tests.reporting.factories import (
    RIGHTS_OPTIONS,
    SATISFACTION,
    published,
    small_bank,
    submit_response,
    withdraw_response,
)
from tests.reporting.reference import Published, Submitted, metric_cells

POSITIVE = {"completely_satisfied", "very_satisfied", "fairly_satisfied"}
EXCLUDED = {"dont_know", "prefer_not_to_say", "not_applicable"}
OVERALL = {"sat_overall", "sat_whole"}
FIRST, LAST = date(2025, 1, 1), date(2026, 12, 1)


@pytest.fixture
def population(db: Session) -> list[Submitted]:
    """~300 responses over two banks (general in two versions), four touchpoints, 24 months."""
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
            "area": rng.choice(["B1", "B1", "B1", "B2", "C3", None]),
            "month": date(2025 + (index % 2), rng.randint(1, 12), 1),
            "language": rng.choice(["en", "en", "ur"]),
        }
        answers: dict[str, Any] = {overall: rng.choice([*SATISFACTION, None])}
        if touchpoint in ("reporting", "court"):
            answers["right_understood"] = rng.choice([*RIGHTS_OPTIONS, None])
        assisted = rng.random() < 0.25  # answered with a support worker
        response = submit_response(db, version, answers, commit=False, assisted=assisted, **context)
        context["mode"] = "assisted" if assisted else "self"
        if rng.random() < 0.1:
            withdraw_response(db, response, commit=False)
        else:
            submitted.append(Submitted(context, answers, response.record_key))
    db.commit()
    return submitted


def expected(
    population: list[Submitted], group_by: list[str], min_cell: int, **values: Any
) -> dict[tuple[Any, ...], Published | None]:
    return metric_cells(
        population,
        question_ids=values.pop("question_ids", OVERALL),
        positive=values.pop("positive", POSITIVE),
        excluded=EXCLUDED,
        group_by=group_by,
        first=values.pop("first", FIRST),
        last=values.pop("last", LAST),
        min_cell=min_cell,
        **values,
    )


def check(result: Any, cells: dict[tuple[Any, ...], Published | None]) -> None:
    """The service's cells are the reference cells, figure for figure."""
    got = {tuple(cell.group[name] for name in result.group_by): cell for cell in result.cells}
    assert set(got) == set(cells)
    in_label_order = sorted(got, key=lambda key: [(v is None, v or "") for v in key])
    assert list(got) == in_label_order
    for key, want in cells.items():
        cell = got[key]
        if want is None:
            assert cell.suppressed, key
            assert (cell.n, cell.positive, cell.rate, cell.ci_low, cell.ci_high) == (None,) * 5
            assert cell.low_base is None
            continue
        assert (cell.n, cell.positive, cell.suppressed) == (want.n, want.positive, False), key
        assert cell.rate == pytest.approx(want.rate, abs=1e-12)
        assert (cell.ci_low, cell.ci_high) == pytest.approx(want.interval, abs=1e-12)
        assert cell.low_base == (want.n < 50)


GROUPINGS = [
    [],
    ["crime_group"],
    ["crime_group", "quarter"],
    ["month", "area"],
    ["financial_year", "language", "touchpoint"],
    ["area", "crime_group", "touchpoint", "month", "quarter", "financial_year", "language"],
    ["mode"],
    ["quarter", "mode", "area"],
    ["crime_group", "touchpoint", "financial_year", "mode", "language"],
]


@pytest.mark.parametrize("min_cell", [1, 10])
@pytest.mark.parametrize("group_by", GROUPINGS)
def test_published_cells_match_a_reference_computation(
    db: Session,
    population: list[Submitted],
    group_by: list[str],
    min_cell: int,
    settings_override: Any,
) -> None:
    settings_override(VV_MIN_CELL=str(min_cell))
    result = aggregate_metric(
        db, "satisfaction.overall", group_by=group_by, period_from="2025-01", period_to="2026-12"
    )
    cells = expected(population, group_by, min_cell)
    check(result, cells)
    assert result.group_by == group_by and result.metric == "satisfaction.overall"
    assert (result.period_from, result.period_to) == ("2025-01", "2026-12")
    assert result.min_cell == result.disclosure.min_cell == min_cell
    assert result.disclosure.method == "cell_key"
    # Enough is shown for the comparison to mean something.
    assert any(cell is not None for cell in cells.values()) or len(group_by) > 3


def test_a_right_counts_only_where_its_question_is_asked(
    db: Session, population: list[Submitted], settings_override: Any
) -> None:
    settings_override(VV_MIN_CELL="1")
    result = aggregate_metric(
        db,
        "victims_code.right_1",
        group_by=["touchpoint"],
        period_from="2025-04",
        period_to="2026-03",
    )
    cells = expected(
        population,
        ["touchpoint"],
        1,
        question_ids={"right_understood"},
        positive={"yes"},
        first=date(2025, 4, 1),
        last=date(2026, 3, 1),
    )
    check(result, cells)
    # Every touchpoint is listed; where the question is never asked there is nothing to show.
    by_touchpoint = {cell.group["touchpoint"]: cell for cell in result.cells}
    assert sorted(by_touchpoint) == ["court", "investigation", "outcome", "reporting", "sentence"]
    assert not by_touchpoint["reporting"].suppressed and not by_touchpoint["court"].suppressed
    assert by_touchpoint["outcome"].suppressed and by_touchpoint["investigation"].suppressed


def test_filters_and_periods(
    db: Session, population: list[Submitted], settings_override: Any
) -> None:
    settings_override(VV_MIN_CELL="3")
    result = aggregate_metric(
        db,
        "satisfaction.overall",
        group_by=["quarter"],
        filters={"crime_group": "general", "touchpoint": None},
        period_from="2025-Q2",
        period_to="2026-02",
    )
    cells = expected(
        population,
        ["quarter"],
        3,
        filters={"crime_group": "general"},
        first=date(2025, 4, 1),
        last=date(2026, 2, 1),
    )
    check(result, cells)
    assert [c.group["quarter"] for c in result.cells] == [
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
        "2026-Q1",
    ]


@pytest.mark.parametrize("mode", ["self", "assisted"])
def test_a_mode_filter_keeps_to_that_mode_and_matches_its_group(
    db: Session, population: list[Submitted], settings_override: Any, mode: str
) -> None:
    settings_override(VV_MIN_CELL="3")
    period = {"period_from": "2025-01", "period_to": "2026-12"}
    filtered = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group"], filters={"mode": mode}, **period
    )
    check(filtered, expected(population, ["crime_group"], 3, filters={"mode": mode}))
    # The same records as the cells of that mode when grouped by it: the same published cells.
    grouped = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group", "mode"], **period
    )
    of_mode = {c.group["crime_group"]: c for c in grouped.cells if c.group["mode"] == mode}
    for cell in filtered.cells:
        twin = of_mode[cell.group["crime_group"]]
        assert (cell.n, cell.positive, cell.suppressed) == (twin.n, twin.positive, twin.suppressed)


def test_small_cells_are_suppressed_alone(
    db: Session, population: list[Submitted], settings_override: Any
) -> None:
    settings_override(VV_MIN_CELL="10")
    period = {"period_from": "2025-04", "period_to": "2026-03"}
    result = aggregate_metric(
        db, "satisfaction.overall", group_by=["crime_group", "touchpoint"], **period
    )
    cells = expected(
        population, ["crime_group", "touchpoint"], 10, first=date(2025, 4, 1), last=date(2026, 3, 1)
    )
    check(result, cells)
    shown = [cell for cell in result.cells if not cell.suppressed]
    hidden = [cell for cell in result.cells if cell.suppressed]
    assert shown and hidden, "the fixture should give both"
    assert all((cell.n or 0) >= 10 for cell in shown)
    # No secondary suppression: a cell is hidden only for its own published n, so the same
    # cell asked for alone, by filters, is hidden or shown just the same.
    for cell in result.cells:
        alone = aggregate_metric(
            db,
            "satisfaction.overall",
            filters={
                "crime_group": cell.group["crime_group"],
                "touchpoint": cell.group["touchpoint"],
            },
            **period,
        ).cells[0]
        assert (alone.n, alone.positive, alone.suppressed) == (
            cell.n,
            cell.positive,
            cell.suppressed,
        )


def test_unknown_area_is_null_and_can_be_grouped(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    responses = [
        submit_response(db, version, {"sat_overall": "very_satisfied"}, area=None)
        for _ in range(60)
    ]
    result = aggregate_metric(
        db, "satisfaction.overall", group_by=["area"], period_from="2026-07", period_to="2026-07"
    )
    assert [cell.group for cell in result.cells] == [{"area": "other areas"}, {"area": None}]
    unknown = result.cells[1]
    assert (unknown.n, unknown.positive) == (published(responses),) * 2
    assert result.cells[0].suppressed  # nothing in the other areas


def test_group_by_takes_commas_and_repeats(db: Session, population: list[Submitted]) -> None:
    result = aggregate_metric(
        db,
        "satisfaction.overall",
        group_by=["crime_group,quarter", "crime_group"],
        period_from="2026-01",
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


def test_coarse_and_fine_rollup_rows_give_the_same_record_sets(db: Session) -> None:
    """By crime group alone the coarse rows answer; filtered by an area that holds every
    response, the fine ones: the same records, so the same cell keys and the same figures."""
    version = create_bank_version(db, small_bank("general"))
    rng = random.Random(7)
    for _ in range(80):
        submit_response(
            db,
            version,
            {"sat_overall": rng.choice(SATISFACTION)},
            crime_group=rng.choice(["general", "vawg"]),
            area="B1",
            month=date(2026, rng.randint(4, 9), 1),
            commit=False,
        )
    db.commit()
    period = {"period_from": "2026-04", "period_to": "2027-03"}
    coarse = aggregate_metric(db, "satisfaction.overall", group_by=["crime_group"], **period)
    fine = aggregate_metric(
        db,
        "satisfaction.overall",
        group_by=["crime_group"],
        filters={"area": "B1", "language": "en"},
        **period,
    )
    assert [(c.n, c.positive, c.suppressed) for c in coarse.cells] == [
        (c.n, c.positive, c.suppressed) for c in fine.cells
    ]
    assert [c.suppressed for c in coarse.cells] == [False, True, False]


def test_a_period_is_bounded_and_a_missing_end_is_made_whole(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    submit_response(db, version, {"sat_overall": "neither"}, month=date(2026, 7, 1))
    today = date(2026, 12, 1)
    whole = aggregate_metric(db, "satisfaction.overall", on=today)
    assert (whole.period_from, whole.period_to) == ("2026-04", "2027-03")
    started = aggregate_metric(db, "satisfaction.overall", period_from="2025-07", on=today)
    # No end: up to the end of this financial year, so "from X" includes the latest figures.
    assert (started.period_from, started.period_to) == ("2025-07", "2027-03")
    ended = aggregate_metric(db, "satisfaction.overall", period_to="2026-Q2", on=today)
    assert (ended.period_from, ended.period_to) == ("2026-04", "2026-06")
    five = aggregate_metric(db, "satisfaction.overall", period_from="2022-04", period_to="2027-03")
    assert len(five.cells) == 1
    for first, last in [("2022-03", "2027-03"), ("0001-01", "9999-12"), ("1900-01", "2999-12")]:
        with pytest.raises(InvalidInput):
            aggregate_metric(db, "satisfaction.overall", period_from=first, period_to=last)


def test_the_limited_dimensions_and_the_number_of_cells_are_bounded(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.reporting import cells

    # Area and language are two: together they are allowed ...
    aggregate_metric(
        db, "satisfaction.overall", group_by=["area"], filters={"language": "other languages"}
    )
    # ... and a third limited dimension (mode) is one too many, counting filters and
    # group_by together.
    with pytest.raises(InvalidInput) as too_many:
        aggregate_metric(
            db, "satisfaction.overall", group_by=["area", "mode"], filters={"language": "en"}
        )
    assert too_many.value.detail == (
        "A query may use at most 2 of: age_band, area, disability, ethnicity, language, mode, sex."
    )
    assert too_many.value.errors == [
        {"loc": ["query", "group_by"], "msg": "Uses area, language, mode: choose at most 2."}
    ]
    monkeypatch.setattr(cells, "MAX_CELLS", 30)
    with pytest.raises(InvalidInput) as huge:
        aggregate_metric(
            db, "satisfaction.overall", group_by=["month", "crime_group"], period_from="2026-04"
        )
    assert "36 cells" in huge.value.detail


def _attrition_bank(db: Session) -> Any:
    document = small_bank("general")
    document["sections"][0]["questions"].append(
        {
            "id": "stepping_back",
            "type": "yes_no",
            "text": "Have you thought about stepping back?",
            "touchpoints": ["investigation"],
            "measures": ["attrition"],
            "options": [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}],
        }
    )
    return create_bank_version(db, document)


@pytest.mark.parametrize(("yes", "no", "shown"), [(2, 14, False), (2, 30, True), (5, 12, True)])
def test_a_sensitive_measure_hides_a_small_cell_with_too_few_either_way(
    db: Session, yes: int, no: int, shown: bool
) -> None:
    """Attrition: below twice min_cell, a published count of fewer than 3 on either side is
    suppressed; above it, or with 3 or more each way, the cell is shown as usual."""
    version = _attrition_bank(db)
    said = {
        code: [
            submit_response(db, version, {"stepping_back": code}, touchpoint="investigation")
            for _ in range(count)
        ]
        for code, count in (("yes", yes), ("no", no))
    }
    yes_published, no_published = published(said["yes"]), published(said["no"])
    n_published = yes_published + no_published
    assert n_published >= 10
    assert shown is not (n_published < 20 and min(yes_published, no_published) < 3)
    cell = aggregate_metric(db, "attrition", period_from="2026-07", period_to="2026-07").cells[0]
    assert cell.suppressed is not shown
    if shown:
        assert (cell.n, cell.positive) == (n_published, yes_published)
    else:
        assert (cell.n, cell.positive, cell.rate) == (None, None, None)


def _key_publishing(count: int, shown_as: int) -> int:
    return next(key for key in range(256) if Tally(count, key).published() == shown_as)


@pytest.mark.parametrize(
    ("yes", "yes_published", "shown"),
    [(2, 4, True), (3, 1, False), (3, 3, True), (2, 2, False)],
)
def test_the_sensitive_rule_reads_published_counts_only(
    db: Session, yes: int, yes_published: int, shown: bool
) -> None:
    """The sensitive rule is decided on published counts, never on true ones: a true 2
    published as 4 is shown, a true 3 published as 1 is hidden (a rule on true counts would
    let a tracker read the true count from the cell turning hidden or shown)."""
    version = _attrition_bank(db)
    keys = [_key_publishing(yes, yes_published)] + [0] * (yes - 1)
    for key in keys:
        submit_response(
            db, version, {"stepping_back": "yes"}, touchpoint="investigation", record_key=key
        )
    for _ in range(12):  # 12 with key 0 is published as 10
        submit_response(
            db, version, {"stepping_back": "no"}, touchpoint="investigation", record_key=0
        )
    cell = aggregate_metric(db, "attrition", period_from="2026-07", period_to="2026-07").cells[0]
    assert cell.suppressed is not shown
    if shown:
        assert (cell.n, cell.positive) == (10 + yes_published, yes_published)


def _believed_bank(db: Session) -> Any:
    """A rasso bank asking pj_believed, tagged procedural_justice.believed as in
    question_banks/rasso.yaml."""
    document = small_bank("rasso")
    document["sections"][0]["questions"].append(
        {
            "id": "pj_believed",
            "type": "scale",
            "text": "I felt believed by the police.",
            "measures": ["procedural_justice.believed"],
            "options": [
                {"code": code, "label": code.replace("_", " ")}
                for code in ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree")
            ],
        }
    )
    return create_bank_version(db, document, slug="rasso")


@pytest.mark.parametrize(("agreed", "not_agreed", "shown"), [(14, 2, False), (12, 5, True)])
def test_believed_is_a_sensitive_measure(
    db: Session, agreed: int, not_agreed: int, shown: bool
) -> None:
    """Felt believed (the issue's "believed"): a cell of published n below twice min_cell with
    too few answers one way is suppressed, however many answered the other way. Every record
    key is 0, so each count's published value is fixed (14 → 12, 2 → 0; 12 → 10, 5 → 3): the
    hidden cell is small on the true and on the published counts alike, never on n alone."""
    version = _believed_bank(db)
    answers = ["agree"] * agreed + ["disagree"] * not_agreed
    for code in answers:
        submit_response(db, version, {"pj_believed": code}, crime_group="rasso", record_key=0)
    assert 10 <= Tally(agreed, 0).published() + Tally(not_agreed, 0).published() < 20
    result = aggregate_metric(db, "procedural_justice.believed", period_from="2026-07")
    (cell,) = result.cells
    assert cell.suppressed is not shown
    if not shown:
        assert (cell.n, cell.positive, cell.rate) == (None, None, None)
