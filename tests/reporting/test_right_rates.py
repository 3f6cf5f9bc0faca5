"""A right's rate, derived per response from the aspects it answered (issue 13, point 3)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.reporting import rollups
from app.reporting.aggregates import aggregate_metric, metric_inputs
from app.reporting.right_rates import derived_code
from app.survey.models import Response
from tests.factories import create_bank_version
from tests.reporting.factories import (
    aspect_bank,
    published,
    rollup_snapshot,
    small_bank,
    submit_response,
    withdraw_response,
)

INFO = 6  # "to be provided with information about the investigation and prosecution"
NOT_INFO = 4  # referral and support


@pytest.mark.parametrize(
    ("right", "codes", "derived"),
    [
        (INFO, ["yes", "yes"], "yes"),  # every aspect answered received
        (INFO, ["yes", "no"], "no"),  # one not received: the right was not
        (INFO, ["no", "dont_know"], "no"),
        (INFO, ["dont_know"], "dont_know"),  # information right: not received, own share
        (INFO, ["yes", "dont_know"], "dont_know"),
        (INFO, ["yes", None], "yes"),  # a skipped aspect is not answered
        (INFO, ["not_applicable", "prefer_not_to_say"], None),
        (INFO, [], None),  # nothing answered: not in n
        (INFO, [None, None], None),
        (NOT_INFO, ["dont_know"], None),  # other rights: don't know is ignored
        (NOT_INFO, ["yes", "dont_know"], "yes"),
        (NOT_INFO, ["no", "dont_know"], "no"),
        (NOT_INFO, ["yes", "yes"], "yes"),
    ],
)
def test_the_aspect_rule(right: int, codes: list[str | None], derived: str | None) -> None:
    assert derived_code(right, codes) == derived


def _outcome(
    db: Session, version: object, answers: dict[str, str | None], **extra: object
) -> Response:
    return submit_response(db, version, answers, touchpoint="outcome", commit=False, **extra)  # type: ignore[arg-type]


def test_the_rights_rate_counts_respondents_who_received_every_aspect(
    db: Session, settings_override: object
) -> None:
    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    received = [
        _outcome(db, version, {"decision_told": "yes", "reasons_understood": "yes"})
        for _ in range(6)
    ]
    received += [_outcome(db, version, {"decision_told": "yes"}) for _ in range(4)]
    not_received = [
        _outcome(db, version, {"decision_told": "yes", "reasons_understood": "no"})
        for _ in range(5)
    ]
    dont_know = [
        _outcome(db, version, {"decision_told": "dont_know", "reasons_understood": None})
        for _ in range(4)
    ]
    # Nothing answered about right 6: not in its n.
    for _ in range(3):
        _outcome(db, version, {"decision_told": None, "sat_overall": "neither"})
    db.commit()

    snapshot = rollup_snapshot(db)
    coarse = (version.id, "general", "outcome", "*", date(2026, 7, 1), "*", "self")
    assert snapshot[("victims_code.right_6", "yes", *coarse)][0] == 10
    assert snapshot[("victims_code.right_6", "no", *coarse)][0] == 5
    assert snapshot[("victims_code.right_6", "dont_know", *coarse)][0] == 4
    assert metric_inputs(db, "victims_code.right_6") == [
        (version.id, "victims_code.right_6", "outcome")
    ]

    [cell] = aggregate_metric(
        db, "victims_code.right_6", period_from="2026-07", period_to="2026-07"
    ).cells
    positive = published(received)
    # Don't know counts as not received: in n, not positive.
    assert cell.positive == positive
    assert cell.n == positive + published(not_received + dont_know)
    # Each aspect stays its own metric.
    [aspect] = aggregate_metric(
        db, "victims_code.right_6.decision_told", period_from="2026-07", period_to="2026-07"
    ).cells
    assert aspect.positive == published(received + not_received)


def test_dont_know_is_ignored_for_a_right_that_is_not_about_information(
    db: Session, settings_override: object
) -> None:
    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    yes = [
        submit_response(db, version, {"needs_asked": "yes", "referral": "dont_know"}, commit=False)
        for _ in range(5)
    ]
    for _ in range(4):
        submit_response(db, version, {"needs_asked": "dont_know"}, commit=False)
    db.commit()
    snapshot = rollup_snapshot(db)
    derived = {
        key[1]: value[0]
        for key, value in snapshot.items()
        if key[0] == "victims_code.right_4" and key[5] == "*"
    }
    assert derived == {"yes": 5}
    [cell] = aggregate_metric(
        db, "victims_code.right_4", period_from="2026-07", period_to="2026-07"
    ).cells
    assert (cell.n, cell.positive) == (published(yes), published(yes))


def test_a_bare_right_tag_counts_as_one_aspect(db: Session) -> None:
    """Versions published before issue 13 tag `victims_code.right_N` on one question."""
    version = create_bank_version(db, small_bank("general"))
    submit_response(db, version, {"right_understood": "yes", "right_information": "dont_know"})
    submit_response(db, version, {"right_understood": "dont_know", "right_information": "no"})
    snapshot = rollup_snapshot(db)
    coarse = (version.id, "general", "reporting", "*", date(2026, 7, 1), "*", "self")
    derived = {
        key[:2]: value[0]
        for key, value in snapshot.items()
        if key[2:] == coarse and key[0].startswith("victims_code")
    }
    assert derived == {
        ("victims_code.right_1", "yes"): 1,
        ("victims_code.right_3", "dont_know"): 1,
        ("victims_code.right_3", "no"): 1,
    }
    assert metric_inputs(db, "victims_code.right_1") == [
        (version.id, "victims_code.right_1", "court"),
        (version.id, "victims_code.right_1", "reporting"),
    ]


def test_withdrawal_takes_the_derived_answer_out(db: Session) -> None:
    version = create_bank_version(db, aspect_bank("general"))
    keep = _outcome(db, version, {"decision_told": "yes", "reasons_understood": "yes"})
    gone = _outcome(db, version, {"decision_told": "yes", "reasons_understood": "no"})
    db.commit()
    withdraw_response(db, gone)
    snapshot = rollup_snapshot(db)
    derived = {key: value for key, value in snapshot.items() if key[0] == "victims_code.right_6"}
    assert {key[1] for key in derived} == {"yes"}
    assert set(derived.values()) == {(1, keep.record_key)}


@pytest.mark.parametrize("seed", [4, 5])
def test_rebuild_equals_incremental_with_derived_rows(db: Session, seed: int) -> None:
    import random

    rng = random.Random(seed)
    versions = [
        create_bank_version(db, aspect_bank("general"), slug="general"),
        create_bank_version(db, small_bank("rasso"), slug="rasso"),
    ]
    codes = ["yes", "no", "dont_know", "not_applicable", None]
    live: list[Response] = []
    for _ in range(80):
        if live and rng.random() < 0.25:
            withdraw_response(db, live.pop(rng.randrange(len(live))), commit=False)
            continue
        version = rng.choice(versions)
        touchpoint = rng.choice(["reporting", "outcome"])
        answers: dict[str, str | None] = {"sat_overall": rng.choice(["neither", None])}
        if version is versions[0]:
            names = (
                ["decision_told", "reasons_understood"]
                if touchpoint == "outcome"
                else ["needs_asked", "referral"]
            )
            answers.update({name: rng.choice(codes) for name in names if rng.random() < 0.8})
            if rng.random() < 0.5:
                answers["equality_gate"] = "yes"
                answers["age_band"] = rng.choice(["18_to_24", "65_or_over", "under_18", None])
                answers["sex"] = rng.choice(["female", "male", None])
        elif touchpoint == "reporting":
            answers["right_understood"] = rng.choice(codes)
            answers["right_information"] = rng.choice(codes)
        live.append(
            submit_response(
                db,
                version,
                answers,
                crime_group=str(version.document["crime_group"]),
                touchpoint=touchpoint,
                area=rng.choice(["B1", None]),
                month=date(2026, rng.randint(1, 6), 1),
                assisted=rng.random() < 0.3,
                commit=False,
            )
        )
    db.commit()
    incremental = rollup_snapshot(db)
    assert any(key[0] == "victims_code.right_6" for key in incremental)
    assert any(key[0] == "victims_code.right_4" for key in incremental)
    characteristics = characteristic_snapshot(db)
    assert characteristics
    rollups.rebuild(db)
    db.commit()
    assert rollup_snapshot(db) == incremental
    assert characteristic_snapshot(db) == characteristics


def characteristic_snapshot(db: Session) -> dict[tuple[object, ...], tuple[int, int]]:
    from sqlmodel import select

    from app.reporting.models import CHARACTERISTIC_KEY, RollupCharacteristic

    return {
        tuple(getattr(row, name) for name in CHARACTERISTIC_KEY): (row.count, row.key_sum)
        for row in db.exec(select(RollupCharacteristic)).all()
    }


def test_the_victims_code_view_shows_agency_dont_know_share_and_filters(
    db: Session, settings_override: object
) -> None:
    from app.errors import InvalidInput
    from app.reporting.victims_code import victims_code_view

    settings_override(VV_MIN_CELL="3")  # type: ignore[operator]
    version = create_bank_version(db, aspect_bank("general"))
    yes = [
        _outcome(db, version, {"decision_told": "yes", "reasons_understood": "yes"})
        for _ in range(8)
    ]
    no = [
        _outcome(db, version, {"decision_told": "yes", "reasons_understood": "no"})
        for _ in range(6)
    ]
    dont_know = [_outcome(db, version, {"decision_told": "dont_know"}) for _ in range(6)]
    db.commit()

    view = victims_code_view(db, "2026-07", "2026-07", crime_group="general", touchpoint="outcome")
    assert (view.crime_group, view.touchpoint) == ("general", "outcome")
    rights = {row.right: row for row in view.rights}
    right_6 = rights[6]
    assert right_6.agency == "police"
    assert right_6.n == published(yes) + published(no + dont_know)
    # The don't know share comes from its own published count, never above the not-received.
    shown = min(published(dont_know), published(no + dont_know))
    assert right_6.dont_know == pytest.approx(shown / right_6.n)
    assert rights[4].dont_know is None  # not an information right
    assert rights[8].agency == "several"  # witness care and the CPS
    assert rights[11].agency == "probation"
    # The same cell as the right's aggregate.
    [cell] = aggregate_metric(
        db,
        "victims_code.right_6",
        filters={"crime_group": "general", "touchpoint": "outcome"},
        period_from="2026-07",
        period_to="2026-07",
    ).cells
    assert (cell.n, cell.positive, cell.dont_know) == (
        right_6.n,
        right_6.positive,
        right_6.dont_know,
    )
    # Filters narrow every row: nobody in rasso, nobody answered right 6 at reporting.
    assert victims_code_view(db, "2026-07", "2026-07", crime_group="rasso").rights[5].suppressed
    assert victims_code_view(db, "2026-07", "2026-07", touchpoint="reporting").rights[5].suppressed
    with pytest.raises(InvalidInput):
        victims_code_view(db, "2026-07", "2026-07", crime_group="burglary")


def test_victims_code_endpoint_takes_crime_group_and_touchpoint(
    client: object, db: Session
) -> None:
    from app.enums import Role
    from tests.auth_helpers import api_headers

    headers = api_headers(db, Role.analyst)
    url = "/api/v1/aggregates/victims-code?from=2026-07&to=2026-07"
    body = client.get(f"{url}&crime_group=rasso&touchpoint=court", headers=headers)  # type: ignore[attr-defined]
    assert body.status_code == 200
    data = body.json()
    assert (data["crime_group"], data["touchpoint"]) == ("rasso", "court")
    assert [row["agency"] for row in data["rights"]][:3] == ["several", "police", "police"]
    assert {"dont_know", "agency"} <= set(data["rights"][0])
    bad = client.get(f"{url}&touchpoint=trial", headers=headers)  # type: ignore[attr-defined]
    assert bad.status_code == 422
    assert ["query", "touchpoint"] in [error["loc"] for error in bad.json()["errors"]]
    metrics = client.get("/api/v1/metrics", headers=headers).json()  # type: ignore[attr-defined]
    by_id = {metric["id"]: metric for metric in metrics}
    assert by_id["victims_code.right_6.decision_told"]["agency"] == "police"
    assert by_id["victims_code.right_6.decision_told"]["right"] == 6
    assert by_id["victims_code.right_8"]["agency"] == "several"
    assert by_id["confidence"]["comparable_with"] and by_id["confidence"]["caveats"]
