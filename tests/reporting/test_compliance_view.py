"""The Victims' Code comparison per crime group, touchpoint and delivering agency (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.compliance_gap import newcombe_interval
from app.reporting.models import SelfAssessment, SelfAssessmentEntry
from app.reporting.victims_code import called_gaps, victims_code_view
from app.survey.models import Response
from tests.auth_helpers import api_headers
from tests.factories import create_bank_version
from tests.reporting.factories import published, small_bank, submit_response


def entry(
    right: int, agency: str, numerator: int, denominator: int, **extra: str
) -> SelfAssessmentEntry:
    return SelfAssessmentEntry(
        period="2026-Q3",
        right=right,
        agency=agency,
        numerator=numerator,
        denominator=denominator,
        definition="Share of audited cases",
        method="Case audit",
        rag="amber",
        uploaded_by="test",
        **extra,
    )


def _fill(db: Session) -> dict[str, list[Response]]:
    """Right 1 at reporting (police): 45 yes, 15 no; at court (courts): 12 yes, 18 no."""
    version = create_bank_version(db, small_bank("general"))
    made: dict[str, list[Response]] = {}
    for touchpoint, codes in (
        ("reporting", ["yes"] * 45 + ["no"] * 15),
        ("court", ["yes"] * 12 + ["no"] * 18),
    ):
        for code in codes:
            response = submit_response(
                db,
                version,
                {"right_understood": code},
                touchpoint=touchpoint,
                month=date(2026, 8, 1),
                commit=False,
            )
            made.setdefault(f"{touchpoint}_{code}", []).append(response)
    db.add_all(
        [
            entry(1, "police", 95, 100),
            entry(1, "courts", 20, 40),
            entry(1, "police", 10, 10, crime_group="vawg"),
            SelfAssessment(period="2026-Q3", right=3, rate=0.95, uploaded_by="test"),
        ]
    )
    db.commit()
    return made


def test_several_rows_carry_a_part_per_agency_with_its_own_force_figure(db: Session) -> None:
    made = _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q3")
    right_1 = view.rights[0]
    assert right_1.agency == "several"
    parts = {part.agency: part for part in right_1.parts or []}
    assert list(parts) == ["police", "witness_care", "courts"]

    police = parts["police"]
    assert police.touchpoints == ["reporting", "investigation", "outcome"]
    positive = published(made["reporting_yes"])
    n = positive + published(made["reporting_no"])
    assert (police.n, police.positive) == (n, positive)
    assert (police.force_numerator, police.force_denominator) == (95, 100)
    assert police.force_rate == pytest.approx(0.95)
    interval = newcombe_interval(positive, n, 95, 100)
    assert interval is not None and interval[1] < 0
    assert (police.gap_ci_low, police.gap_ci_high) == pytest.approx(interval)
    assert police.gap_call == "lower" and police.gap == pytest.approx(positive / n - 0.95)

    courts = parts["courts"]
    assert courts.touchpoints == ["court"] and courts.low_base is True
    assert courts.gap_call == "no_clear_difference" and courts.gap is None
    # Nobody answered at sentence: suppressed, no force figure, nothing to compare.
    witness_care = parts["witness_care"]
    assert witness_care.suppressed and witness_care.gap_call is None

    # The row's force figure sums every agency's entries for the whole force (not the
    # vawg entry, since a whole-force entry exists for the police).
    assert (right_1.force_numerator, right_1.force_denominator) == (115, 140)
    assert right_1.gap_call in ("lower", "no_clear_difference")
    # A police-only right has no parts.
    assert view.rights[1].parts is None
    # Right 3 has only a bare rate and a suppressed cell: nothing to compare.
    assert view.rights[2].force_rate == 0.95 and view.rights[2].gap_call is None
    assert view.comparisons == sum(
        1 for row in view.rights for item in [row, *(row.parts or [])] if item.gap_call
    )
    assert "1 in 20" in view.comparisons_text
    assert f"{view.comparisons} comparisons" in view.comparisons_text


def test_the_force_figure_follows_the_crime_group(db: Session) -> None:
    _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q3", crime_group="vawg")
    police = next(p for p in view.rights[0].parts or [] if p.agency == "police")
    assert (police.force_numerator, police.force_denominator) == (10, 10)
    assert police.suppressed  # no vawg responses
    courts = next(p for p in view.rights[0].parts or [] if p.agency == "courts")
    assert courts.force_rate is None  # the courts gave no vawg entry


def test_a_touchpoint_keeps_only_the_agency_delivering_there(db: Session) -> None:
    made = _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q3", touchpoint="court")
    parts = {part.agency: part for part in view.rights[0].parts or []}
    assert parts["police"].touchpoints == [] and parts["police"].suppressed
    assert parts["courts"].n == published(made["court_yes"]) + published(made["court_no"])


def test_widest_gap_ranks_only_called_gaps(db: Session) -> None:
    _fill(db)
    view = victims_code_view(db, "2026-Q3", "2026-Q3")
    wide_but_unclear = view.rights[0].model_copy(
        update={"right": 1, "gap": -0.3, "gap_call": "no_clear_difference"}
    )
    narrow_but_called = view.rights[0].model_copy(
        update={"right": 2, "gap": -0.1, "gap_call": "lower"}
    )
    higher = view.rights[0].model_copy(update={"right": 3, "gap": 0.2, "gap_call": "higher"})
    rows = [wide_but_unclear, narrow_but_called, higher]
    made_up = view.model_copy(update={"rights": rows})
    assert called_gaps(made_up) == [(-0.1, 2), (0.2, 3)]


def test_the_api_gives_parts_and_calls(client: TestClient, db: Session) -> None:
    _fill(db)
    headers = api_headers(db, Role.analyst)
    data = client.get(
        "/api/v1/aggregates/victims-code?from=2026-Q3&to=2026-Q3&touchpoint=reporting",
        headers=headers,
    ).json()
    first = data["rights"][0]
    assert data["touchpoint"] == "reporting"
    assert {"parts", "gap_call", "gap_ci_low", "gap_ci_high"} <= set(first)
    assert set(first["parts"][0]) >= {
        "agency",
        "n",
        "positive",
        "rate",
        "ci_low",
        "ci_high",
        "suppressed",
        "force_rate",
        "gap",
    }
    assert data["comparisons"] >= 1 and "1 in 20" in data["comparisons_text"]
    csv_rows = client.get(
        "/api/v1/aggregates/victims-code?from=2026-Q3&to=2026-Q3&format=csv", headers=headers
    ).text.splitlines()
    # 12 rights and the parts of the five several rights (three, two, two, two, three).
    assert len(csv_rows) == 1 + 12 + 12
