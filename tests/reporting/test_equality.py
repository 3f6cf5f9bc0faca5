"""Equality characteristics as dimensions of the metric aggregates, with their own threshold."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cell_key import perturb
from app.enums import Role
from app.errors import InvalidInput
from app.reporting.aggregates import aggregate_metric
from app.reporting.funnel import funnel
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import AGE_BANDS, aspect_bank, published, submit_response

JULY = {"period_from": "2026-07", "period_to": "2026-07"}


def _answer(db: Session, version: object, age: str | None, code: str, **answers: str) -> Response:
    given = {"sat_overall": code, **answers}
    if age is not None:
        given.update(equality_gate="yes", age_band=age, sex="female")
    return submit_response(db, version, given, commit=False, touchpoint="outcome")  # type: ignore[arg-type]


def _key_published_as(count: int) -> int:
    """A cell key under which a count of `count` is published unchanged."""
    return next(key for key in range(256) if perturb(count, key) == count)


def test_a_figure_by_age_band_has_twice_the_minimum_cell(
    db: Session, settings_override: object
) -> None:
    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    young = [_answer(db, version, "25_to_34", "very_satisfied") for _ in range(9)]
    young += [_answer(db, version, "25_to_34", "neither") for _ in range(5)]
    # Four satisfied people aged 65 or over, with keys that publish 4 as 4: at least min_cell
    # (3), so shown in a figure without a characteristic, but below 2 × min_cell here.
    key = _key_published_as(4)
    older = [
        submit_response(
            db,
            version,
            {"sat_overall": "very_satisfied", "equality_gate": "yes", "age_band": "65_or_over"},
            touchpoint="outcome",
            record_key=key if index == 0 else 0,
            commit=False,
        )
        for index in range(4)
    ]
    children = [_answer(db, version, "under_18", "neither") for _ in range(6)]
    unknown = [_answer(db, version, None, "neither") for _ in range(7)]
    db.commit()
    assert published(older) == 4 and children and unknown

    result = aggregate_metric(db, "satisfaction.overall", group_by=["age_band"], **JULY)
    assert result.min_cell == 6 and result.disclosure.min_cell == 6
    cells = {cell.group["age_band"]: cell for cell in result.cells}
    # Every age band the banks offer is listed, under 18 never (it is never counted).
    assert list(cells) == sorted(code for code in AGE_BANDS if code != "under_18")
    positive = published(young[:9])
    assert (cells["25_to_34"].n, cells["25_to_34"].positive) == (
        positive + published(young[9:]),
        positive,
    )
    assert cells["65_or_over"].suppressed
    for cell in result.cells:
        assert cell.suppressed or (cell.n or 0) >= 6
    # The same four people by crime group (no characteristic) are shown at min_cell 3.
    by_group = aggregate_metric(
        db,
        "satisfaction.overall",
        filters={"touchpoint": "outcome", "crime_group": "general"},
        **JULY,
    )
    assert by_group.min_cell == 3
    # A filter gives the same cell as the group.
    filtered = aggregate_metric(
        db, "satisfaction.overall", filters={"age_band": "25_to_34"}, **JULY
    )
    assert filtered.min_cell == 6
    assert filtered.cells[0].n == cells["25_to_34"].n
    # Under 18 answers are nowhere: not even in the figure without a characteristic.
    assert by_group.cells[0].positive == published(young[:9] + older)
    assert by_group.cells[0].n == published(young[:9] + older) + published(young[9:] + unknown)


def test_a_rights_rate_by_sex(db: Session, settings_override: object) -> None:
    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    received = [
        _answer(db, version, "35_to_44", "neither", decision_told="yes", reasons_understood="yes")
        for _ in range(10)
    ]
    not_received = [
        _answer(db, version, "35_to_44", "neither", decision_told="dont_know") for _ in range(8)
    ]
    db.commit()
    result = aggregate_metric(db, "victims_code.right_6", group_by=["sex"], **JULY)
    cells = {cell.group["sex"]: cell for cell in result.cells}
    assert list(cells) == ["female", "male", "prefer_not_to_say"]
    female = cells["female"]
    assert (female.n, female.positive) == (
        published(received) + published(not_received),
        published(received),
    )
    assert female.dont_know == pytest.approx(published(not_received) / female.n)
    assert cells["male"].suppressed


@pytest.mark.parametrize(
    ("group_by", "filters"),
    [
        (["age_band", "sex"], {}),  # two characteristics
        (["age_band"], {"sex": "female"}),
        (["age_band"], {"area": "B1"}),  # the characteristic rows keep no area
        (["ethnicity", "language"], {}),
        (["age_band", "mode"], {"area": "B1"}),  # three limited dimensions
        ([], {"age_band": "under_18"}),  # never counted, so never a value
        ([], {"age_band": "42"}),
    ],
)
def test_refused_equality_queries(
    db: Session, group_by: list[str], filters: dict[str, str]
) -> None:
    create_bank_version(db, aspect_bank("general"))
    with pytest.raises(InvalidInput):
        aggregate_metric(db, "satisfaction.overall", group_by=group_by, filters=filters, **JULY)


def test_the_funnel_refuses_equality_dimensions(db: Session) -> None:
    with pytest.raises(InvalidInput):
        funnel(db, group_by=["age_band"])
    with pytest.raises(InvalidInput):
        funnel(db, filters={"sex": "female"})


def test_equality_dimensions_over_http(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, aspect_bank("general"))
    for _ in range(3):
        _answer(db, version, "18_to_24", "neither")
    db.commit()
    headers = api_headers(db, Role.analyst)
    url = "/api/v1/aggregates/satisfaction.overall?from=2026-07&to=2026-07"
    body = client.get(f"{url}&group_by=age_band,mode", headers=headers)
    assert body.status_code == 200, body.text
    data = body.json()
    assert data["min_cell"] == 20 and data["disclosure"]["min_cell"] == 20
    assert {cell["group"]["mode"] for cell in data["cells"]} == {"self", "assisted"}
    assert all(cell["suppressed"] for cell in data["cells"])
    filtered = client.get(f"{url}&ethnicity=white", headers=headers)
    assert filtered.status_code == 422  # no bank asks about ethnicity here
    refused = client.get(f"{url}&group_by=age_band&area=B1", headers=headers)
    assert refused.status_code == 422
    funnel_answer = client.get("/api/v1/aggregates/funnel?group_by=age_band", headers=headers)
    assert funnel_answer.status_code == 422
