"""Batch rows' safe-contact fields: skips in the contract's order, consent, under 18, route."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from app.db import utcnow as now
from app.invitations.contacts import contact_hash
from app.invitations.models import Contact, Invitation, OutboundMessage
from app.invitations.optout import opt_out_contact
from tests.invitations.factories import (
    PHONE,
    make_row,
    make_specialist_row,
    make_support_service_row,
    upload,
)


@pytest.fixture
def direct_on(settings_override: Any) -> Any:
    settings_override(VV_SPECIALIST_DIRECT_CONTACT="on")
    return settings_override


def _ago(days: int) -> str:
    return (now().date() - timedelta(days=days)).isoformat()


def _reasons(db: Session, rows: list[dict[str, Any]]) -> list[str]:
    result = upload(db, rows)
    assert result.rejected == [], result.rejected
    return [entry["reason"] for entry in result.skipped]


def _errors(db: Session, row: dict[str, Any]) -> list[dict[str, Any]]:
    result = upload(db, [row])
    assert result.accepted == 0 and result.skipped == []
    return list(result.rejected[0]["errors"])


def _nothing_stored(db: Session) -> None:
    db.expire_all()
    assert db.exec(select(Contact)).all() == []
    assert db.exec(select(Invitation)).all() == []
    db.commit()


# --- one test per skip reason -----------------------------------------------------------------


def test_under_18_is_always_skipped_and_nothing_kept(db: Session, direct_on: Any) -> None:
    rows = [
        make_row(under_18=True),
        make_specialist_row(under_18="TRUE", phone="07911 123457"),
        make_support_service_row(under_18=True),
        # Nothing else of the row is even read: a broken field does not make it a rejection.
        make_row(under_18=True, phone="not a number", touchpoint="arrest"),
    ]
    assert _reasons(db, rows) == ["under_18"] * 4
    _nothing_stored(db)


def test_not_safe_to_contact(db: Session) -> None:
    assert _reasons(db, [make_row(safe_to_contact=False, phone="garbage")]) == [
        "not_safe_to_contact"
    ]
    _nothing_stored(db)


@pytest.mark.parametrize(
    "agreement",
    [
        {},
        {"consent_to_survey": False, "consent_recorded_on": _ago(1)},
        {"consent_to_survey": True, "consent_recorded_on": None},
        {"consent_to_survey": True, "consent_recorded_on": _ago(91)},
        {"consent_to_survey": "false", "consent_recorded_on": _ago(1)},
    ],
)
def test_no_consent_for_a_specialist_direct_row(
    db: Session, direct_on: Any, agreement: dict[str, Any]
) -> None:
    row = make_specialist_row(consent_to_survey=None, consent_recorded_on=None)
    row.update(agreement)
    assert _reasons(db, [row]) == ["no_consent"]
    _nothing_stored(db)


def test_consent_at_the_age_limit_is_current(db: Session, direct_on: Any) -> None:
    result = upload(db, [make_specialist_row(consent_recorded_on=_ago(90))])
    assert (result.accepted, result.skipped, result.rejected) == (1, [], [])


def test_the_consent_age_is_a_setting(db: Session, direct_on: Any) -> None:
    direct_on(VV_SPECIALIST_DIRECT_CONTACT="on", VV_CONSENT_MAX_AGE_DAYS="5")
    assert _reasons(db, [make_specialist_row(consent_recorded_on=_ago(6), crime_group="vawg")]) == [
        "no_consent"
    ]


def test_general_rows_and_support_service_rows_need_no_consent(db: Session) -> None:
    result = upload(
        db,
        [make_row(), make_support_service_row(crime_group="rasso", case_ref="CR/2")],
    )
    assert (result.accepted, result.skipped, result.rejected) == (2, [], [])


def test_opted_out_duplicate_and_cooling_off(db: Session) -> None:
    first = upload(db, [make_row(phone=PHONE), make_row(phone="07911 123457", case_ref="CR/2")])
    assert first.accepted == 2
    contact = db.exec(
        select(Contact).where(Contact.contact_hash == contact_hash("+447911123457"))
    ).one()
    opt_out_contact(db, contact, source="test")
    db.commit()
    later = upload(
        db,
        [
            make_row(phone="07911 123457", case_ref="CR/3"),
            make_row(phone=PHONE, case_ref="CR/4"),
            make_row(phone=PHONE, case_ref="CR/5"),
        ],
    )
    assert [entry["reason"] for entry in later.skipped] == ["opted_out", "cooling_off", "duplicate"]


# --- the order between each adjacent pair -----------------------------------------------------


def test_under_18_comes_before_not_safe_to_contact(db: Session) -> None:
    assert _reasons(db, [make_row(under_18=True, safe_to_contact=False)]) == ["under_18"]


def test_not_safe_to_contact_comes_before_no_consent(db: Session, direct_on: Any) -> None:
    row = make_specialist_row(safe_to_contact=False, consent_to_survey=False)
    assert _reasons(db, [row]) == ["not_safe_to_contact"]


def test_no_consent_comes_before_opted_out(db: Session, direct_on: Any) -> None:
    upload(db, [make_row(phone=PHONE)])
    contact = db.exec(select(Contact)).one()
    opt_out_contact(db, contact, source="test")
    db.commit()
    row = make_specialist_row(phone=PHONE, consent_to_survey=False, case_ref="CR/9")
    assert _reasons(db, [row]) == ["no_consent"]
    assert _reasons(db, [make_specialist_row(phone=PHONE, case_ref="CR/10")]) == ["opted_out"]


def test_opted_out_comes_before_duplicate(db: Session) -> None:
    upload(db, [make_row(phone=PHONE)])
    opt_out_contact(db, db.exec(select(Contact)).one(), source="test")
    db.commit()
    rows = [make_row(phone=PHONE, case_ref="CR/2"), make_row(phone=PHONE, case_ref="CR/3")]
    assert _reasons(db, rows) == ["opted_out", "opted_out"]


def test_duplicate_comes_before_cooling_off(db: Session) -> None:
    upload(db, [make_row(phone=PHONE)])
    rows = [make_row(phone=PHONE, case_ref="CR/2"), make_row(phone=PHONE, case_ref="CR/3")]
    # The second row is a duplicate of the first in its batch, whatever cooling-off says.
    assert _reasons(db, rows) == ["cooling_off", "duplicate"]


# --- fields that reject the row alone ---------------------------------------------------------


def test_under_18_is_required_for_a_specialist_group_only(db: Session, direct_on: Any) -> None:
    errors = _errors(db, make_specialist_row(under_18=None))
    assert errors == [
        {"loc": ["under_18"], "msg": "is required for a specialist crime group (true or false)"}
    ]
    assert upload(db, [make_row(case_ref="CR/2")]).accepted == 1
    assert _errors(db, make_row(under_18="maybe", case_ref="CR/3"))[0]["loc"] == ["under_18"]


@pytest.mark.parametrize(
    ("value", "msg"),
    [
        ("2026-13-01", "must be an ISO date (YYYY-MM-DD)"),
        ("01/02/2026", "must be an ISO date (YYYY-MM-DD)"),
        ((now().date() + timedelta(days=2)).isoformat(), "must not be in the future"),
        (["2026-01-01"], "must be text"),
    ],
)
def test_consent_recorded_on_must_be_a_past_iso_date(db: Session, value: Any, msg: str) -> None:
    errors = _errors(db, make_row(consent_to_survey=True, consent_recorded_on=value))
    assert errors == [{"loc": ["consent_recorded_on"], "msg": msg}]


def test_consent_to_survey_must_be_a_boolean(db: Session) -> None:
    errors = _errors(db, make_row(consent_to_survey="yes please"))
    assert errors == [{"loc": ["consent_to_survey"], "msg": "must be true or false"}]


def test_specialist_direct_rows_are_rejected_while_the_setting_is_off(db: Session) -> None:
    result = upload(db, [make_specialist_row(), make_row(case_ref="CR/2")])
    assert result.accepted == 1
    errors = result.rejected[0]["errors"]
    assert result.rejected[0]["row"] == 0
    assert errors[0]["loc"] == ["contact_via"]
    assert "VV_SPECIALIST_DIRECT_CONTACT=on" in errors[0]["msg"]
    # Through a support service the same group is accepted while the setting is off.
    assert upload(db, [make_support_service_row(crime_group="vawg", case_ref="CR/3")]).accepted == 1


@pytest.mark.parametrize(
    ("overrides", "loc", "msg"),
    [
        ({"contact_via": "post"}, "contact_via", "must be direct or support_service"),
        ({"support_service": None}, "support_service", "is required when contact_via is"),
        ({"support_service": "nobody"}, "support_service", "must be the key of a service"),
        ({"phone": PHONE}, "phone", "must be empty when contact_via is support_service"),
        ({"email": "a@example.org"}, "email", "must be empty when contact_via"),
    ],
)
def test_support_service_rows(db: Session, overrides: dict[str, Any], loc: str, msg: str) -> None:
    errors = _errors(db, make_support_service_row(**overrides))
    assert errors[0]["loc"] == [loc]
    assert errors[0]["msg"].startswith(msg)
    assert PHONE not in str(errors)


def test_a_support_service_for_a_direct_row_is_refused(db: Session) -> None:
    errors = _errors(db, make_row(support_service="victim_support"))
    assert errors == [
        {"loc": ["support_service"], "msg": "must be empty unless contact_via is support_service"}
    ]


def test_a_support_service_invitation_is_stored_without_any_message(db: Session) -> None:
    result = upload(db, [make_support_service_row(crime_group="rasso")])
    assert result.accepted == 1
    db.expire_all()
    invitation = db.exec(select(Invitation)).one()
    assert invitation.contact_via == "support_service"
    assert invitation.support_service == "victim_support"
    assert invitation.contact_id is None
    assert invitation.channel == "none"
    assert invitation.status == "pending"
    assert invitation.case_ref_hash is not None
    # Held for the link's life, then closed by purge.
    assert invitation.expires_at is not None
    assert db.exec(select(OutboundMessage)).all() == []
    assert db.exec(select(Contact)).all() == []
    db.commit()


# --- the CSV path (API upload and `victim-voice invitations import`) -------------------------

CSV_HEADER = (
    "case_ref,crime_group,touchpoint,touchpoint_date,channel,phone,email,safe_to_contact,"
    "consent_to_survey,consent_recorded_on,safe_time,contact_via,support_service,under_18\n"
)


def _csv_rows() -> str:
    day, agreed = _ago(5), _ago(10)
    return CSV_HEADER + (
        f"C1,rasso,reporting,{day},sms,07911 123456,,true,TRUE,{agreed},"
        "Mon-Fri 10:00-16:00; Sat 09:00-12:00,direct,,false\n"
        f"C2,vawg,reporting,{day},,,,true,,,,support_service,victim_support,False\n"
        f"C3,vawg,reporting,{day},sms,07911 123457,,true,false,{agreed},,,,false\n"
        f"C4,general,court,{day},sms,07911 123458,,true,,,,,,true\n"
        f"C5,general,court,{day},sms,07911 123459,,true,,,Mon 25:00-26:00,,,\n"
        f"C6,rasso,court,{day},sms,07911 123460,,true,true,{agreed},,,,\n"
    )


def _check_csv_outcome(db: Session) -> None:
    db.expire_all()
    invitations = db.exec(select(Invitation).order_by(Invitation.contact_via)).all()
    assert [(i.crime_group, i.contact_via) for i in invitations] == [
        ("rasso", "direct"),
        ("vawg", "support_service"),
    ]
    contact = db.exec(select(Contact)).one()
    assert contact.safe_time_encrypted is not None
    db.commit()


def test_csv_upload_takes_the_new_columns(client: Any, db: Session, direct_on: Any) -> None:
    from app.enums import Role
    from tests.auth_helpers import api_headers

    headers = {**api_headers(db, Role.uploader), "Content-Type": "text/csv"}
    response = client.post("/api/v1/invitation-batches", content=_csv_rows(), headers=headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["accepted"] == 2
    assert body["skipped"] == [{"row": 2, "reason": "no_consent"}, {"row": 3, "reason": "under_18"}]
    assert [(r["row"], r["errors"][0]["loc"]) for r in body["rejected"]] == [
        (4, ["safe_time"]),
        (5, ["under_18"]),
    ]
    _check_csv_outcome(db)


def test_cli_import_takes_the_new_columns(tmp_path: Any, db: Session, direct_on: Any) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli_app

    path = tmp_path / "batch.csv"
    path.write_text(_csv_rows(), encoding="utf-8")
    result = CliRunner().invoke(cli_app, ["invitations", "import", str(path)])
    assert result.exit_code == 1, result.output  # two rows rejected
    assert "6 rows, 2 accepted, 2 rejected, 2 skipped" in result.output
    assert "row 4: safe_time must be" in result.output
    assert "25:00" not in result.output
    _check_csv_outcome(db)


def test_purge_closes_a_support_service_invitation_after_the_link_life(db: Session) -> None:
    from app.jobs.retention import purge

    upload(db, [make_support_service_row()])
    purge(db)  # nothing was sent and nothing is due: it is held, not closed
    db.commit()
    db.expire_all()
    held = db.exec(select(Invitation)).one()
    assert (held.status, held.case_ref_hash is not None) == ("pending", True)
    db.commit()
    purge(db, at=now() + timedelta(days=55))  # never sooner than VV_HANDOVER_DAYS (56)
    db.commit()
    db.expire_all()
    assert db.exec(select(Invitation)).one().case_ref_hash is not None
    db.commit()
    purge(db, at=now() + timedelta(days=56, minutes=1))
    db.commit()
    db.expire_all()
    closed = db.exec(select(Invitation)).one()
    assert (closed.status, closed.case_ref_hash) == ("expired", None)
    db.commit()


@pytest.mark.parametrize(
    "value",
    [["x"], {"a": 1}, "x" * 5000, "bad\x00", 1e308, 10**40, "\ud800"],
)
def test_hostile_values_in_the_new_fields_reject_the_row_alone(db: Session, value: Any) -> None:
    fields = ("consent_to_survey", "consent_recorded_on", "safe_time", "contact_via", "under_18")
    row = make_row(**{field: value for field in fields})
    result = upload(db, [row, make_row(phone="07911 123457", case_ref="CR/2")])
    assert result.accepted == 1
    [rejected] = result.rejected
    assert sorted(error["loc"][0] for error in rejected["errors"]) == sorted(fields)
    assert "xxxxx" not in str(rejected) and "\x00" not in str(rejected)


def test_the_rules_follow_the_contact_class_not_the_slug() -> None:
    from dataclasses import replace

    from app.invitations.row_contact import configured_rules
    from app.invitations.rows import DateWindow, Skipped, ValidRow, validate_row

    today = now().date()
    window = DateWindow(today=today, max_age_days=120)
    rules = replace(configured_rules(today), specialist_direct_contact=True)
    assert rules.specialist_groups == frozenset({"rasso", "vawg"})  # from crime_groups.yaml
    # Were `general` marked specialist and `rasso` general, the rules would follow the marks.
    swapped = replace(rules, specialist_groups=frozenset({"general"}))
    skipped = validate_row(make_row(under_18=False), window, swapped)
    assert isinstance(skipped, Skipped) and skipped.reason == "no_consent"
    assert isinstance(validate_row(make_row(crime_group="rasso"), window, swapped), ValidRow)
    off = replace(swapped, specialist_direct_contact=False)
    errors = validate_row(make_row(under_18=False), window, off)
    assert isinstance(errors, list) and [error["loc"] for error in errors] == [["contact_via"]]


# --- a protective column under a near-miss name is never silently ignored --------------------


@pytest.mark.parametrize("name", ["Under_18", "under-18", "Under 18", "UNDER18", "Safe_Time"])
def test_a_csv_header_naming_a_column_almost_right_is_refused(
    client: Any, db: Session, name: str
) -> None:
    """A child's row whose `under_18` column is headed `Under 18` would otherwise be read as
    saying nothing about age, and the child messaged."""
    from app.enums import Role
    from tests.auth_helpers import api_headers

    headers = {**api_headers(db, Role.uploader), "Content-Type": "text/csv"}
    text = (
        f"case_ref,crime_group,touchpoint,touchpoint_date,channel,phone,safe_to_contact,{name}\n"
        f"C1,general,reporting,{_ago(5)},sms,07911 123456,true,true\n"
    )
    response = client.post("/api/v1/invitation-batches", content=text, headers=headers)
    assert response.status_code == 422, response.text
    assert name in response.text
    _nothing_stored(db)


@pytest.mark.parametrize("name", ["Under_18", "under-18", "under18", "safeTime", "safe time"])
def test_a_json_row_naming_a_field_almost_right_is_refused(db: Session, name: str) -> None:
    row = make_row()
    row[name] = "true" if "18" in name else "Mon 10:00-11:00"
    errors = _errors(db, row)
    assert [error["loc"] for error in errors] == [[name]]
    _nothing_stored(db)


@pytest.mark.parametrize("refused", [False, "false", "FALSE "])
def test_a_general_direct_row_whose_victim_said_no_is_skipped(db: Session, refused: Any) -> None:
    """Agreement is not needed for general crime, but a recorded "no" is never overridden:
    nobody is messaged after telling the force they do not want to be."""
    assert _reasons(db, [make_row(consent_to_survey=refused)]) == ["no_consent"]
    _nothing_stored(db)


# --- issue 12: a support service's row needs no contact detail and is never messaged ----------


@pytest.mark.parametrize("channel", [None, "", "sms", "email"])
def test_a_support_service_row_needs_no_channel_and_keeps_none(
    db: Session, channel: str | None
) -> None:
    result = upload(db, [make_support_service_row(channel=channel, phone=None, email=None)])
    assert (result.accepted, result.rejected) == (1, [])
    db.expire_all()
    assert db.exec(select(Invitation)).one().channel == "none"
    db.commit()


@pytest.mark.parametrize(
    "detail", [{"phone": PHONE}, {"email": "a@example.org"}, {"phone": PHONE, "email": "a@b.org"}]
)
def test_any_contact_detail_rejects_a_support_service_row(
    db: Session, detail: dict[str, str]
) -> None:
    result = upload(db, [make_support_service_row(channel="sms", **detail)])
    assert result.accepted == 0
    [rejected] = result.rejected
    assert sorted(error["loc"][0] for error in rejected["errors"]) == sorted(detail)
    assert PHONE not in str(rejected) and "example.org" not in str(rejected)
    _nothing_stored(db)


def test_no_message_is_ever_queued_for_a_support_service_invitation(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import clock
    from app.invitations.dispatch import dispatch_once
    from tests.invitations.factories import RecordingSender

    upload(db, [make_support_service_row(), make_support_service_row(case_ref="CR/2")])
    sender = RecordingSender()
    for days in (0, 1, 7, 27):
        later = now() + timedelta(days=days)
        monkeypatch.setattr(clock, "now", lambda later=later: later)
        dispatch_once(sender=sender)
    assert sender.sent == []
    db.expire_all()
    assert db.exec(select(OutboundMessage)).all() == []
    db.commit()


def test_the_same_stage_passed_on_twice_by_a_service_is_invited_once(db: Session) -> None:
    first = upload(db, [make_support_service_row()])
    again = upload(db, [make_support_service_row()])
    assert first.accepted == 1
    assert again.accepted == 0 and again.skipped == [{"row": 0, "reason": "stage_allocation"}]
