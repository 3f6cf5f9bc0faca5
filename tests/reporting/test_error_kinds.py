"""Reporting's parameter errors are field errors with a kind, so a page can word each one."""

from __future__ import annotations

import pytest

from app.errors import FieldError, InvalidInput
from app.reporting import cells
from app.reporting.dashboard_filters import area_not_offered


@pytest.mark.parametrize(
    ("call", "field", "kind"),
    [
        (lambda: cells.parse_group_by(["nonsense"]), "group_by", cells.UNKNOWN_DIMENSION),
        (lambda: cells.parse_filters({"colour": "red"}), "colour", cells.NOT_A_FILTER),
        (lambda: cells.parse_filters({"area": "A" * 65}), "area", cells.TOO_LONG),
        (
            lambda: cells.check_dimension_limit(["area", "language"], {"area": "B1"}, maximum=1),
            "group_by",
            cells.TOO_MANY_DIMENSIONS,
        ),
    ],
)
def test_each_problem_names_its_field_and_kind(call: object, field: str, kind: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        call()  # type: ignore[operator]
    assert [(e.field, e.kind) for e in refused.value.field_errors] == [(field, kind)]
    # The API's shape is unchanged: loc and msg only.
    assert set(refused.value.errors[0]) == {"loc", "msg"}  # type: ignore[index]


def test_the_dashboard_knows_an_area_not_offered_from_other_problems() -> None:
    assert area_not_offered([FieldError(("query", "area"), "x", cells.NOT_OFFERED)])
    assert not area_not_offered([FieldError(("query", "area"), "x", cells.TOO_LONG)])
    assert not area_not_offered([FieldError(("query", "group_by"), "x", cells.TOO_MANY_CELLS)])
