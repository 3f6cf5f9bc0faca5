"""The `outcome` and `vcs_eligible` batch fields, the Home Office code table, the
victim_withdrew rule and the delay table (issue 11 point 5)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from app.invitations.delays import ANY, DelayRule, delay_days
from app.invitations.models import Invitation, OutboundMessage
from app.invitations.outcome_codes import HOME_OFFICE_OUTCOMES, parse_outcome
from app.invitations.rows import DateWindow, ValidRow, validate_row
from app.invitations.scheduling import LONDON
from app.invitations.stage_fields import read_stage_fields
from tests.invitations.factories import make_row, make_specialist_row, phone_number, upload

DOCS = Path(__file__).resolve().parents[2] / "docs" / "outcome-and-timing.md"
# The issue's table: 1 → charged; 2, 3, 6, 7, 8, 22 → out of court; 14, 16 → victim withdrew;
# the rest → NFA.
EXPECTED = {
    code: "charged"
    if code == 1
    else "out_of_court"
    if code in (2, 3, 6, 7, 8, 22)
    else "victim_withdrew"
    if code in (14, 16)
    else "nfa"
    for code in range(1, 23)
}
WINDOW = DateWindow(today=date.today(), max_age_days=120)


@pytest.mark.parametrize("code", range(1, 23))
def test_every_home_office_code_maps_as_the_issue_says(code: int) -> None:
    assert parse_outcome(code) == EXPECTED[code]
    assert parse_outcome(str(code)) == EXPECTED[code]
    assert parse_outcome(f" {code} ") == EXPECTED[code]


def test_the_table_lists_exactly_the_codes_1_to_22() -> None:
    assert sorted(HOME_OFFICE_OUTCOMES) == list(range(1, 23))


def test_the_documented_table_is_the_code_table() -> None:
    documented = dict(
        (int(code), word)
        for code, word in re.findall(r"^\| (\d+) \| [^|]+\| `(\w+)` \|$", DOCS.read_text(), re.M)
    )
    assert documented == EXPECTED


@pytest.mark.parametrize("word", ["charged", "nfa", "out_of_court", "victim_withdrew", "not_known"])
def test_the_words_are_taken_in_any_case(word: str) -> None:
    assert parse_outcome(word) == word
    assert parse_outcome(word.upper()) == word


@pytest.mark.parametrize("value", [0, 23, "0", "23", "01x", "guilty", 1.0, True, [], {}, "1.5"])
def test_anything_else_rejects_the_row_alone(value: Any) -> None:
    assert parse_outcome(value) is None
    errors = validate_row(make_row(outcome=value), WINDOW)
    assert isinstance(errors, list)
    assert [error["loc"] for error in errors] == [["outcome"]]
    assert "Home Office outcome code from 1 to 22" in errors[0]["msg"]


def test_a_valid_row_carries_the_coarse_outcome_and_vcs_eligible() -> None:
    row = validate_row(make_row(outcome="1", vcs_eligible="TRUE"), WINDOW)
    assert isinstance(row, ValidRow)
    assert (row.outcome, row.vcs_eligible) == ("charged", True)
    row = validate_row(make_row(), WINDOW)
    assert isinstance(row, ValidRow) and (row.outcome, row.vcs_eligible) == (None, None)
    errors = validate_row(make_row(vcs_eligible="maybe"), WINDOW)
    assert errors == [{"loc": ["vcs_eligible"], "msg": "must be true or false"}]


@pytest.mark.parametrize("touchpoint", ["court", "sentence"])
@pytest.mark.parametrize("outcome", ["nfa", "out_of_court", "10", 8])
def test_court_and_sentence_rows_need_a_charge(touchpoint: str, outcome: Any) -> None:
    errors = validate_row(make_row(touchpoint=touchpoint, outcome=outcome), WINDOW)
    assert isinstance(errors, list) and [e["loc"] for e in errors] == [["outcome"]]
    row = validate_row(make_row(touchpoint=touchpoint, outcome="charged"), WINDOW)
    assert isinstance(row, ValidRow)


def test_no_invitation_after_the_victim_withdrew_unless_the_setting_is_on(
    db: Session, settings_override: Any
) -> None:
    result = upload(
        db, [make_row(outcome="victim_withdrew"), make_row(outcome=16, phone=phone_number(2))]
    )
    assert result.accepted == 0
    assert [entry["errors"][0]["loc"] for entry in result.rejected] == [["outcome"], ["outcome"]]
    assert "VV_INVITE_AFTER_VICTIM_WITHDREW" in result.rejected[0]["errors"][0]["msg"]
    settings_override(VV_INVITE_AFTER_VICTIM_WITHDREW="on")
    # Even then, only through a support service: a direct row is rejected alone.
    result = upload(
        db,
        [
            make_row(outcome="victim_withdrew", contact_via="direct"),
            make_row(phone=phone_number(3), case_ref="B"),
        ],
    )
    assert result.accepted == 1
    assert result.rejected == [
        {
            "row": 0,
            "errors": [
                {
                    "loc": ["contact_via"],
                    "msg": "after the victim withdrew, an invitation goes only through a "
                    "support service (contact_via: support_service)",
                }
            ],
        }
    ]
    _fields, errors = read_stage_fields(
        {"outcome": "14", "contact_via": "support_service"}, "outcome"
    )
    assert errors == []


def test_delay_table_defaults() -> None:
    def days(group: str, touchpoint: str, outcome: str | None) -> int:
        return delay_days(group, touchpoint, outcome, dispatch_delay_days=3)

    assert days("general", "outcome", "nfa") == 3  # general crime: VV_DISPATCH_DELAY_DAYS
    assert days("general", "reporting", None) == 3
    assert days("rasso", "outcome", "nfa") == 21  # specialist after NFA
    assert days("vawg", "investigation", "nfa") == 21
    assert days("rasso", "outcome", "charged") == 3  # unlisted: the group's default
    assert days("vawg", "sentence", "charged") == 56
    assert days("general", "sentence", None) == 56
    assert delay_days("general", "reporting", None, dispatch_delay_days=5) == 5


def test_the_most_specific_delay_rule_wins() -> None:
    rules = (
        DelayRule("specialist", ANY, ANY, 4),
        DelayRule("specialist", ANY, "nfa", 21),
        DelayRule("specialist", "outcome", ANY, 10),
        DelayRule("rasso", ANY, ANY, 30),
    )
    assert delay_days("vawg", "outcome", "nfa", dispatch_delay_days=3, rules=rules) == 10
    assert delay_days("vawg", "court", "nfa", dispatch_delay_days=3, rules=rules) == 21
    assert delay_days("vawg", "court", None, dispatch_delay_days=3, rules=rules) == 4
    assert delay_days("rasso", "outcome", "nfa", dispatch_delay_days=3, rules=rules) == 30
    assert delay_days("general", "outcome", "nfa", dispatch_delay_days=3, rules=rules) == 3


def _due_date(db: Session) -> date:
    message = db.exec(select(OutboundMessage)).all()
    assert message
    return message[0].due_at.astimezone(LONDON).date()


@pytest.mark.parametrize(
    ("crime_group", "touchpoint", "outcome", "days"),
    [
        ("general", "outcome", "nfa", 3),
        ("rasso", "outcome", "nfa", 21),
        ("vawg", "outcome", "9", 21),
        ("rasso", "outcome", "charged", 3),
        ("general", "sentence", "charged", 56),
    ],
)
def test_an_upload_schedules_by_the_delay_table(
    db: Session, settings_override: Any, crime_group: str, touchpoint: str, outcome: str, days: int
) -> None:
    settings_override(VV_SPECIALIST_DIRECT_CONTACT="on")
    stage = date.today() - timedelta(days=2)
    values = {"touchpoint": touchpoint, "outcome": outcome, "touchpoint_date": stage.isoformat()}
    row = (
        make_row(crime_group=crime_group, **values)
        if crime_group == "general"
        else make_specialist_row(crime_group, **values)
    )
    result = upload(db, [row])
    assert result.accepted == 1, result.rejected
    invitation = db.exec(select(Invitation)).one()
    assert invitation.outcome == parse_outcome(outcome)
    assert _due_date(db) == stage + timedelta(days=days)
