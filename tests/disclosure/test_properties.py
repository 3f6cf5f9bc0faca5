"""Properties of every published figure, on generated populations and record keys (Hypothesis).

- The same record set gives the same published count from every endpoint, filter or group_by
  path and period spelling (Knowledge.learn fails on any difference), and a cell of several
  pieces is the sum of its pieces.
- Every published count is within the answer's max_adjustment of the truth and never negative;
  0 ≤ positive ≤ n; funnels never rise; a drop-off row's reached is answered + skipped.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.reporting.tallies import STAGE_NAMES
from tests.disclosure.observe import Knowledge, Observer, Query
from tests.disclosure.world import World

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

MONTHS = (date(2026, 6, 1), date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1))
SPELLINGS = [("2026-06", "2026-09"), ("2026-06", "2026-Q3"), ("2026-Q2", "2026-09")]


@st.composite
def worlds(draw: st.DrawFn) -> World:
    world = World()
    for _ in range(draw(st.integers(0, 80))):
        touchpoint = draw(st.sampled_from(["reporting", "court", "outcome"]))
        answers: dict[str, str | None] = {
            "sat_overall": draw(st.sampled_from(["very_satisfied", "neither", "dont_know", None]))
        }
        if touchpoint != "outcome":
            answers["right_understood"] = draw(st.sampled_from(["yes", "no", None]))
        person = world.add_person(
            crime_group=draw(st.sampled_from(["general", "rasso"])),
            touchpoint=touchpoint,
            area=draw(st.sampled_from(["A", "B", None])),
            language=draw(st.sampled_from(["en", "ur"])),
            month=draw(st.sampled_from(MONTHS)),
            answers=answers,
        )
        person.key = draw(st.integers(0, 255))
        assert person.invite is not None
        person.invite.key = draw(st.integers(0, 255))
        person.invite.withdrawn = draw(st.booleans()) and draw(st.booleans())
    for _ in range(draw(st.integers(0, 40))):
        invite = world.add_invite(
            crime_group=draw(st.sampled_from(["general", "rasso"])),
            touchpoint=draw(st.sampled_from(["reporting", "court"])),
            area=draw(st.sampled_from(["A", None])),
            language="en",
            month=draw(st.sampled_from(MONTHS)),
            depth=draw(st.integers(0, 4)),
            resume_at=draw(st.sampled_from([None, "q:sat_overall"])),
        )
        invite.key = draw(st.integers(0, 255))
    return world


GROUPINGS = [(), ("crime_group",), ("touchpoint", "month"), ("area", "quarter"), ("language",)]
FILTERS = [(), (("crime_group", "rasso"),), (("touchpoint", "court"),)]


def queries() -> list[Query]:
    found = [
        Query(kind, group_by, filters, first, last, metric=metric)
        for kind, metric in [
            ("metric", "satisfaction.overall"),
            ("metric", "victims_code.right_1"),
            ("funnel", "satisfaction.overall"),
        ]
        for group_by in GROUPINGS
        for filters in FILTERS
        for first, last in SPELLINGS
    ]
    found += [
        Query("dropoff", (), (), first, last, bank=bank, touchpoint=touchpoint)
        for bank in ("general", "rasso")
        for touchpoint in (None, "court")
        for first, last in SPELLINGS
    ]
    return found


def _truth(observer: Observer, query: Query, group: dict[str, Any]) -> dict[str, int]:
    """True counts behind a cell, summed over its live pieces (the test's own reading)."""
    records = observer.people_profiles if query.kind == "metric" else observer.invite_profiles
    placed = observer._place(query, records)
    key = tuple(group[name] for name in query.group_by)
    real = ~observer.phantoms
    totals: dict[str, int] = {}
    for piece in observer._cell_pieces(query, group):
        for record, mask in placed.get((key, piece), []):
            size = (mask & real).bit_count()
            if query.kind == "metric":
                question = "sat_overall" if "satisfaction" in query.metric else "right_understood"
                code = record.answers.get(question)
                if code is None or code == "dont_know":
                    continue
                totals["n"] = totals.get("n", 0) + size
                good = code in ("very_satisfied", "yes")
                totals["positive"] = totals.get("positive", 0) + (size if good else 0)
            else:
                for stage in record.stages:
                    totals[stage] = totals.get(stage, 0) + size
    return totals


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds(), st.sampled_from([1, 3, 10]))
def test_every_figure_is_consistent_bounded_and_monotone(world: World, min_cell: int) -> None:
    import os

    from app.settings import get_settings

    os.environ["VV_MIN_CELL"] = str(min_cell)
    get_settings.cache_clear()
    try:
        observer = Observer(world)
        observer.new_draw()
        knowledge = Knowledge(min_cell=min_cell)
        for query in queries():
            result = observer.ask(query, knowledge)
            bound = result.disclosure.max_adjustment
            assert result.disclosure.min_cell == min_cell
            if query.kind == "dropoff":
                for row in result.questions:
                    if row.suppressed:
                        assert (row.reached, row.answered, row.skipped) == (None, None, None)
                    else:
                        assert row.reached == row.answered + row.skipped
                        assert row.reached >= min_cell and min(row.answered, row.skipped) >= 0
                    assert row.stopped is None or row.stopped >= min_cell
                continue
            for cell in result.cells:
                if cell.suppressed:
                    continue
                truth = _truth(observer, query, cell.group)
                if query.kind == "metric":
                    assert 0 <= cell.positive <= cell.n and cell.n >= min_cell
                    assert abs(cell.n - truth.get("n", 0)) <= bound
                    assert abs(cell.positive - truth.get("positive", 0)) <= bound
                    assert cell.low_base == (cell.n < 50)
                else:
                    shown = [getattr(cell, name) for name in STAGE_NAMES[:-1]]
                    values = [v for v in shown if v is not None]
                    assert values == sorted(values, reverse=True)
                    for name in STAGE_NAMES:
                        value = getattr(cell, name)
                        if value is not None:
                            assert value >= min_cell
                            assert abs(value - truth.get(name, 0)) <= bound
    finally:
        os.environ.pop("VV_MIN_CELL", None)
        get_settings.cache_clear()
