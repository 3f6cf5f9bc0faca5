"""Someone who says they are under 18 is kept but left out of every published figure."""

from __future__ import annotations

from sqlmodel import Session, select

from app.reporting import rollups
from app.reporting.aggregates import aggregate_metric
from app.survey.models import Answer, Response
from tests.factories import create_bank_version
from tests.reporting.factories import (
    aspect_bank,
    published,
    rollup_snapshot,
    submit_response,
    withdraw_response,
)

ADULT = {"sat_overall": "very_satisfied", "equality_gate": "yes", "age_band": "25_to_34"}
CHILD = {**ADULT, "age_band": "under_18", "sex": "female"}


def test_an_under_18_response_is_kept_but_never_counted(
    db: Session, settings_override: object
) -> None:
    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    adults = [submit_response(db, version, ADULT, commit=False) for _ in range(5)]
    db.commit()
    before = rollup_snapshot(db)
    child = submit_response(db, version, {**CHILD, "needs_asked": "yes"})

    # Kept, with its answers.
    assert db.get(Response, child.id) is not None
    assert len(db.exec(select(Answer).where(Answer.response_id == child.id)).all()) == 5
    # But no rollup row moved: not its answers, not the response count, not a derived right.
    assert rollup_snapshot(db) == before
    [cell] = aggregate_metric(
        db, "satisfaction.overall", period_from="2026-07", period_to="2026-07"
    ).cells
    assert (cell.n, cell.positive) == (published(adults), published(adults))

    # A rebuild leaves it out too, and withdrawing it takes nothing away.
    rollups.rebuild(db)
    db.commit()
    assert rollup_snapshot(db) == before
    withdraw_response(db, child)
    assert rollup_snapshot(db) == before


def test_an_under_18_answer_to_another_question_is_not_an_age(db: Session) -> None:
    """Only the age band question's answer counts: a code spelt the same elsewhere does not."""
    version = create_bank_version(db, aspect_bank("general"))
    submit_response(db, version, {"sat_overall": "under_18"})
    assert rollup_snapshot(db)


def test_any_under_18_age_answer_leaves_the_response_out_whatever_the_order() -> None:
    """Attack (issue 13): two age band answers (a multi question, or a forged submit) are left
    out on submit as the rebuild's SQL leaves them out, in whichever order they come."""
    from app.reporting.response_facts import VersionFacts, count_response

    facts = VersionFacts({}, frozenset(), {"age": "age_band"}, {})
    for answers in (
        [("age", "under_18"), ("age", "age_18_to_24")],
        [("age", "age_18_to_24"), ("age", "under_18")],
    ):
        assert count_response(facts, "outcome", answers).under_18
