"""Each agency's part of a right counts every touchpoint where it delivers an aspect (issue 14):
where agencies share a touchpoint (right 8 at court: witness care and the CPS) each gets its own
derived answer, counted on submit, withdrawal and rebuild."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.banks.aspects import ASPECTS, right_agencies
from app.banks.lint import check_document
from app.banks.metrics import get_metric, right_measure
from app.banks.yaml_files import read_yaml
from app.enums import Role
from app.reporting import rollups, victims_code_parts
from app.reporting.aggregates import aggregate_metric, metric_inputs
from app.reporting.response_facts import count_response, document_facts
from app.reporting.right_rates import derived_code, part_measure, part_of, shared_touchpoints
from app.reporting.victims_code import victims_code_view
from app.reporting.victims_code_parts import part_sources
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import (
    RIGHTS_OPTIONS,
    aspect_bank,
    published,
    rollup_snapshot,
    submit_response,
    withdraw_response,
)

WITNESS_CARE = part_measure(8, "witness_care")
CPS = part_measure(8, "cps")
RIGHT_8 = right_measure(8)
CODES = ("yes", "no", "dont_know")  # the derived codes
REPO = Path(__file__).resolve().parents[2]
# Court question id → the agency delivering its aspect there.
COURT_AGENCY = {"court_info": "witness_care", "trial_date": "witness_care", "cps_met": "cps"}


def _yes_no(question_id: str, measure: str, touchpoint: str) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "yes_no",
        "text": f"{question_id.replace('_', ' ')}?",
        "touchpoints": [touchpoint],
        "measures": [measure],
        "options": [{"code": code, "label": code} for code in RIGHTS_OPTIONS],
    }


def court_bank(slug: str = "general") -> dict[str, Any]:
    """Right 8 as the shipped banks ask it (trial at outcome; court info, trial date and the
    prosecutor at court), with aspect_bank's equality section (age band)."""
    return {
        "slug": slug,
        "title": "Your experience",
        "crime_group": slug,
        "sections": [
            {
                "id": "right_8",
                "title": "The trial",
                "questions": [
                    _yes_no("trial_info", "victims_code.right_8.trial_info", "outcome"),
                    _yes_no("court_info", "victims_code.right_8.court_info", "court"),
                    _yes_no("trial_date", "victims_code.right_8.trial_date_promptly", "court"),
                    _yes_no("cps_met", "victims_code.right_8.cps_met", "court"),
                ],
            },
            aspect_bank(slug)["sections"][1],
        ],
    }


def _submit(
    db: Session, version: Any, answers: dict[str, str | None], touchpoint: str = "court"
) -> Response:
    return submit_response(db, version, answers, touchpoint=touchpoint, commit=False)


def _parts(view_rights: Sequence[Any], right: int = 8) -> dict[str, Any]:
    row = next(row for row in view_rights if row.right == right)
    return {part.agency: part for part in row.parts or []}


# --- which rows each part reads --------------------------------------------------------------


def test_every_agency_part_reads_every_touchpoint_where_it_delivers_an_aspect() -> None:
    for right in range(1, 13):
        sources = part_sources(right)
        assert list(sources) == right_agencies(right)
        delivered = {
            (agency, touchpoint)
            for aspect in ASPECTS
            if aspect.right == right
            for touchpoint, agency in aspect.agencies.items()
        }
        read = {(agency, tp) for agency, pairs in sources.items() for tp, _ in pairs}
        assert read == delivered, right
        for agency, pairs in sources.items():
            for touchpoint, metric_id in pairs:
                shared = touchpoint in shared_touchpoints(right)
                assert metric_id == (
                    part_measure(right, agency) if shared else right_measure(right)
                )


def test_right_8_at_court_is_read_per_agency() -> None:
    assert shared_touchpoints(8) == {"court": ("witness_care", "cps")}
    assert part_sources(8) == {
        "witness_care": [("outcome", RIGHT_8), ("court", WITNESS_CARE)],
        "cps": [("court", CPS)],
    }


def test_a_part_id_is_no_metric_and_no_bank_can_tag_it(client: TestClient, db: Session) -> None:
    assert part_of(WITNESS_CARE) == (8, "witness_care")
    assert part_of("victims_code.right_8.court_info") is None  # an aspect, not a part
    assert part_of(RIGHT_8) is None
    assert get_metric(WITNESS_CARE) is None
    headers = api_headers(db, Role.analyst)
    listed = {metric["id"] for metric in client.get("/api/v1/metrics", headers=headers).json()}
    assert RIGHT_8 in listed and not {WITNESS_CARE, CPS} & listed
    answer = client.get(f"/api/v1/aggregates/{WITNESS_CARE}", headers=headers)
    assert answer.status_code == 404
    document = read_yaml(REPO / "question_banks" / "general.yaml")
    for section in document["sections"]:
        for question in section["questions"]:
            if question["id"] == "right_8_cps_met":
                question["measures"] = [CPS]
    _parsed, problems = check_document(document, "general.yaml")
    assert [p.rule for p in problems if p.question_id == "right_8_cps_met"] == ["unknown_measure"]


# --- what a response adds -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("court_info", "trial_date", "cps_met"),
    [
        ("yes", "yes", "no"),
        ("yes", "dont_know", "yes"),
        ("not_applicable", None, "dont_know"),
        (None, None, "yes"),
        ("no", "yes", None),
        (None, None, None),
    ],
)
def test_each_agency_answer_follows_the_rights_rule_over_its_own_aspects(
    court_info: str | None, trial_date: str | None, cps_met: str | None
) -> None:
    facts = document_facts(court_bank())
    answers = {"court_info": court_info, "trial_date": trial_date, "cps_met": cps_met}
    counted = count_response(facts, "court", list(answers.items()))
    expected = {
        part: code
        for part, code in (
            (WITNESS_CARE, derived_code(8, [court_info, trial_date])),
            (CPS, derived_code(8, [cps_met])),
        )
        if code is not None
    }
    assert counted.parts == expected
    assert counted.derived.get(RIGHT_8) == derived_code(8, [court_info, trial_date, cps_met])
    # Parts are rollup rows only: never split by a characteristic or cross-tabbed.
    assert not {question for question, _ in counted.metric_answers} & {WITNESS_CARE, CPS}
    assert counted.rollup_answers() == {**counted.derived, **expected}
    # At outcome witness care alone delivers right 8: the right's own answer is its part.
    at_outcome = count_response(facts, "outcome", [("trial_info", "yes")])
    assert at_outcome.parts == {} and at_outcome.derived == {RIGHT_8: "yes"}


# --- the figures ----------------------------------------------------------------------------


def _fill(db: Session) -> tuple[Any, dict[str, list[Response]]]:
    version = create_bank_version(db, court_bank())
    made: dict[str, list[Response]] = {
        # Court: both agencies received.
        "both_yes": [
            _submit(db, version, {"court_info": "yes", "trial_date": "yes", "cps_met": "yes"})
            for _ in range(14)
        ],
        # Court: witness care did not deliver (trial date late), the CPS did.
        "wc_no": [
            _submit(db, version, {"court_info": "yes", "trial_date": "no", "cps_met": "yes"})
            for _ in range(9)
        ],
        # Court: witness care only answered, and don't know (an information right).
        "wc_dont_know": [
            _submit(db, version, {"court_info": "dont_know", "trial_date": None}) for _ in range(7)
        ],
        # Court: the CPS only, not received.
        "cps_no": [_submit(db, version, {"cps_met": "no"}) for _ in range(11)],
        # Court: nothing countable about right 8.
        "none": [_submit(db, version, {"court_info": "not_applicable"}) for _ in range(4)],
        # Outcome: witness care alone.
        "outcome_yes": [
            _submit(db, version, {"trial_info": "yes"}, touchpoint="outcome") for _ in range(12)
        ],
        "outcome_no": [
            _submit(db, version, {"trial_info": "no"}, touchpoint="outcome") for _ in range(6)
        ],
    }
    db.commit()
    return version, made


def test_witness_cares_part_includes_court_and_the_cps_part_reads_cps_met(
    db: Session,
) -> None:
    version, made = _fill(db)
    parts = _parts(victims_code_view(db, "2026-07", "2026-07").rights)

    witness_care = parts["witness_care"]
    assert witness_care.touchpoints == ["outcome", "court"]
    wc_positive = made["both_yes"] + made["outcome_yes"]
    wc_all = wc_positive + made["wc_no"] + made["wc_dont_know"] + made["outcome_no"]
    assert witness_care.positive == published(wc_positive)
    assert witness_care.n == published(wc_positive) + published(
        [r for r in wc_all if r not in wc_positive]
    )
    assert witness_care.dont_know is not None and witness_care.dont_know > 0

    cps = parts["cps"]
    assert cps.touchpoints == ["court"]
    cps_positive = made["both_yes"] + made["wc_no"]
    assert (cps.n, cps.positive) == (
        published(cps_positive) + published(made["cps_no"]),
        published(cps_positive),
    )
    # The same records as the prosecutor aspect's own figure, so the same published cell.
    [aspect] = aggregate_metric(
        db, "victims_code.right_8.cps_met", period_from="2026-07", period_to="2026-07"
    ).cells
    assert (cps.n, cps.positive, cps.rate) == (aspect.n, aspect.positive, aspect.rate)
    assert metric_inputs(db, WITNESS_CARE) == [(version.id, WITNESS_CARE, "court")]
    assert metric_inputs(db, CPS) == [(version.id, CPS, "court")]

    # A touchpoint filter keeps each part to its rows there.
    at_court = _parts(victims_code_view(db, "2026-07", "2026-07", touchpoint="court").rights)
    assert at_court["witness_care"].touchpoints == ["court"]
    assert at_court["witness_care"].n == published(made["both_yes"]) + published(
        made["wc_no"] + made["wc_dont_know"]
    )


def test_parts_tallies_against_the_rights_own(db: Session) -> None:
    """Exact counts: every court respondent of right 8 is in at least one part; one who
    answered both agencies is in both; the right is received only when every part is."""
    _version, made = _fill(db)
    coarse = {
        (key[0], key[1], key[4]): value[0]
        for key, value in rollup_snapshot(db).items()
        if key[5] == "*" and key[0] in (RIGHT_8, WITNESS_CARE, CPS)
    }

    def count(
        question: str, touchpoint: str, codes: Sequence[str] = ("yes", "no", "dont_know")
    ) -> int:
        return sum(coarse.get((question, code, touchpoint), 0) for code in codes)

    court = [r for name, group in made.items() if name != "none" for r in group]
    court = [r for r in court if r.touchpoint == "court"]
    both = len(made["both_yes"]) + len(made["wc_no"])
    assert count(RIGHT_8, "court") == len(court)
    assert count(WITNESS_CARE, "court") + count(CPS, "court") == len(court) + both
    assert count(RIGHT_8, "court", ["yes"]) == len(made["both_yes"])
    assert count(WITNESS_CARE, "court", ["yes"]) == len(made["both_yes"])
    assert count(CPS, "court", ["yes"]) == len(made["both_yes"]) + len(made["wc_no"])
    # At outcome witness care alone delivers it: no part rows, the right's own are read.
    assert count(WITNESS_CARE, "outcome") == 0
    assert count(RIGHT_8, "outcome") == len(made["outcome_yes"]) + len(made["outcome_no"])


def test_under_18_responses_add_no_part(db: Session) -> None:
    version = create_bank_version(db, court_bank())
    answers: dict[str, str | None] = {"court_info": "yes", "trial_date": "no", "cps_met": "yes"}
    _submit(db, version, {**answers, "equality_gate": "yes", "age_band": "under_18"})
    db.commit()
    assert not [key for key in rollup_snapshot(db) if key[0].startswith("victims_code")]
    _submit(db, version, {**answers, "equality_gate": "yes", "age_band": "18_to_24"})
    db.commit()
    counted = {key[:2] for key in rollup_snapshot(db) if key[0].startswith("victims_code")}
    assert counted == {(RIGHT_8, "no"), (WITNESS_CARE, "no"), (CPS, "yes")}


def test_a_part_is_treated_as_sensitive_when_its_right_is(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sensitive-measure rule (both halves of a cell at least min_cell) applies to a part
    exactly as to its right; parts add no characteristic or cross-tab rows (see above)."""
    version = create_bank_version(db, court_bank())
    # n below twice min_cell, and a single not-received answer: hidden only if sensitive.
    for _ in range(15):
        _submit(db, version, {"cps_met": "yes"})
    _submit(db, version, {"cps_met": "no"})
    db.commit()
    assert not _parts(victims_code_view(db, "2026-07", "2026-07").rights)["cps"].suppressed
    monkeypatch.setattr(victims_code_parts, "SENSITIVE_MEASURES", frozenset({right_measure(8)}))
    assert _parts(victims_code_view(db, "2026-07", "2026-07").rights)["cps"].suppressed


# --- kept in step -----------------------------------------------------------------------------


def test_withdrawal_takes_the_parts_out(db: Session) -> None:
    version = create_bank_version(db, court_bank())
    keep = _submit(db, version, {"court_info": "yes", "cps_met": "no"})
    gone = _submit(db, version, {"court_info": "no", "trial_date": "yes", "cps_met": "yes"})
    db.commit()
    withdraw_response(db, gone)
    parts = {
        key[:2]: value
        for key, value in rollup_snapshot(db).items()
        if key[0] in (WITNESS_CARE, CPS)
    }
    assert set(parts) == {(WITNESS_CARE, "yes"), (CPS, "no")}
    assert set(parts.values()) == {(1, keep.record_key)}


@pytest.mark.parametrize("seed", [7, 8])
def test_rebuild_equals_incremental_with_parts(db: Session, seed: int) -> None:
    rng = random.Random(seed)
    version = create_bank_version(db, court_bank())
    codes = ["yes", "no", "dont_know", "not_applicable", "prefer_not_to_say", None]
    live: list[Response] = []
    for _ in range(90):
        if live and rng.random() < 0.2:
            withdraw_response(db, live.pop(rng.randrange(len(live))), commit=False)
            continue
        touchpoint = rng.choice(["court", "court", "outcome"])
        names = list(COURT_AGENCY) if touchpoint == "court" else ["trial_info"]
        answers: dict[str, str | None] = {
            name: rng.choice(codes) for name in names if rng.random() < 0.8
        }
        if rng.random() < 0.4:
            answers["equality_gate"] = "yes"
            answers["age_band"] = rng.choice(["18_to_24", "under_18", None])
        live.append(
            submit_response(
                db,
                version,
                answers,
                touchpoint=touchpoint,
                area=rng.choice(["B1", None]),
                month=date(2026, rng.randint(1, 6), 1),
                assisted=rng.random() < 0.3,
                commit=False,
            )
        )
    db.commit()
    incremental = rollup_snapshot(db)
    assert any(key[0] == WITNESS_CARE for key in incremental)
    assert any(key[0] == CPS for key in incremental)
    rollups.rebuild(db)
    db.commit()
    assert rollup_snapshot(db) == incremental


def test_a_bare_right_tag_at_a_shared_touchpoint_feeds_the_right_and_no_part() -> None:
    """Versions before issue 13 tag `victims_code.right_8` itself: it names no agency."""
    document = court_bank()
    document["sections"][0]["questions"].append(_yes_no("right_8_old", RIGHT_8, "court"))
    counted = count_response(
        document_facts(document), "court", [("right_8_old", "no"), ("cps_met", "yes")]
    )
    assert counted.derived == {RIGHT_8: "no"}
    assert counted.parts == {CPS: "yes"}
