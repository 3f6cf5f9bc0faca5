"""Attack (issue 13): after any mix of submits and withdrawals (adults with and without the
equality section, children, right aspects answered or not, don't know), a rebuild gives back
exactly the rows the submit path left, in the rollups and the characteristic rows alike."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from app.reporting import rollups
from app.reporting.models import RollupCharacteristic
from tests.factories import create_bank_version
from tests.reporting.factories import (
    aspect_bank,
    rollup_snapshot,
    submit_response,
    withdraw_response,
)

ANSWERS: list[tuple[dict[str, Any], str]] = [
    ({"sat_overall": "very_satisfied", "decision_told": "yes", "reasons_understood": "no"},
     "outcome"),
    ({"sat_overall": "neither", "decision_told": "dont_know", "equality_gate": "yes",
      "age_band": "25_to_34", "sex": "female"}, "outcome"),
    ({"decision_told": "yes", "reasons_understood": "yes", "equality_gate": "yes",
      "age_band": "under_18", "sex": "male"}, "outcome"),
    ({"needs_asked": "yes", "equality_gate": "yes", "age_band": "65_or_over"}, "reporting"),
    ({"needs_asked": "dont_know", "equality_gate": "no"}, "reporting"),
    ({"decision_told": None, "reasons_understood": "dont_know", "equality_gate": "yes",
      "sex": "prefer_not_to_say"}, "outcome"),
]  # fmt: skip


def _characteristic_rows(db: Session) -> dict[tuple[Any, ...], tuple[int, int]]:
    return {
        (r.question_id, r.code, r.characteristic, r.characteristic_code, r.bank_version_id,
         r.crime_group, r.touchpoint, r.month, r.mode): (r.count, r.key_sum)
        for r in db.exec(select(RollupCharacteristic)).all()
        if r.count
    }  # fmt: skip


def test_rebuild_gives_back_what_submits_and_withdrawals_left(db: Session) -> None:
    version = create_bank_version(db, aspect_bank("general"))
    kept = []
    for round_ in range(3):
        for index, (answers, touchpoint) in enumerate(ANSWERS):
            response = submit_response(
                db, version, answers, touchpoint=touchpoint, assisted=bool(index % 2),
                record_key=(round_ * 37 + index * 11) % 256,
            )  # fmt: skip
            if (round_ + index) % 3 == 0:
                withdraw_response(db, response)
            else:
                kept.append(response)
    assert kept
    rollup_rows, characteristic_rows = rollup_snapshot(db), _characteristic_rows(db)
    assert characteristic_rows
    rollups.rebuild(db)
    db.commit()
    assert {k: v for k, v in rollup_snapshot(db).items() if v[0]} == {
        k: v for k, v in rollup_rows.items() if v[0]
    }
    assert _characteristic_rows(db) == characteristic_rows
    # Withdraw everything left: nothing stays counted anywhere.
    for response in kept:
        withdraw_response(db, response)
    assert not any(count for count, _ in rollup_snapshot(db).values())
    assert _characteristic_rows(db) == {}
