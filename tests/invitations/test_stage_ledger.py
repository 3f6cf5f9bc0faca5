"""The case-stage ledger (issue 11 point 6): stages of one case at least VV_STAGE_GAP_DAYS
apart, stage_allocation, cooling-off between different cases only, erasure, and skipped rows
counted."""

from __future__ import annotations

import os
import threading
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.db import as_utc
from app.db import utcnow as now
from app.invitations.contacts import case_ref_hash, contact_hash, service_party, stage_key
from app.invitations.dispatch import dispatch_once
from app.invitations.models import CaseStage, Contact, Invitation, OutboundMessage, SkippedCount
from app.invitations.stage_ledger import Stage, allocate
from app.jobs.retention import purge
from tests.conftest import is_postgres
from tests.invitations.factories import (
    RecordingSender,
    days_ago,
    make_row,
    make_support_service_row,
    phone_number,
    upload,
)

GAP = timedelta(days=28)
MOMENT = datetime(2026, 11, 2, 9, 0).astimezone()


def stages(db: Session) -> list[CaseStage]:
    found = list(db.exec(select(CaseStage).order_by(col(CaseStage.id))).all())
    db.commit()
    return found


def invitation_of(db: Session, touchpoint: str) -> Invitation:
    found = db.exec(select(Invitation).where(Invitation.touchpoint == touchpoint)).one()
    db.commit()
    return found


def first_message(db: Session, invitation: Invitation) -> OutboundMessage:
    found = db.exec(
        select(OutboundMessage).where(OutboundMessage.invitation_id == invitation.id)
    ).one()
    db.commit()
    return found


def skipped_counts(db: Session) -> dict[tuple[str, str, str], int]:
    found = {
        (row.reason, row.crime_group, row.touchpoint): row.count
        for row in db.exec(select(SkippedCount)).all()
    }
    db.commit()
    return found


def test_allocate_rules() -> None:
    sent = Stage("reporting", MOMENT, sent_at=MOMENT)
    assert allocate({"reporting": sent}, "reporting", MOMENT, GAP).skip
    assert allocate({"outcome": sent}, "reporting", MOMENT, GAP).skip  # the later stage wins
    waited = allocate({"reporting": sent}, "outcome", MOMENT + timedelta(days=3), GAP)
    assert not waited.skip and waited.due_at == MOMENT + GAP and waited.cancel == ()
    pending = Stage("reporting", MOMENT, pending_invitation="x")
    cancelled = allocate({"reporting": pending}, "outcome", MOMENT + timedelta(days=3), GAP)
    assert cancelled.cancel == (pending,) and cancelled.due_at == MOMENT + timedelta(days=3)
    far = allocate({"reporting": pending}, "outcome", MOMENT + timedelta(days=40), GAP)
    assert far.cancel == () and far.due_at == MOMENT + timedelta(days=40)


def test_an_earlier_stage_not_yet_sent_is_skipped_as_stage_allocation(db: Session) -> None:
    # Reporting, due in a few days (not sent yet); then the outcome stage of the same case.
    upload(db, [make_row(touchpoint_date=days_ago(1))])
    result = upload(db, [make_row(touchpoint="outcome", outcome="charged")])
    assert result.accepted == 1 and result.skipped == []
    reporting, outcome = invitation_of(db, "reporting"), invitation_of(db, "outcome")
    assert reporting.status == "cancelled"
    message = first_message(db, reporting)
    assert (message.status, message.error) == ("skipped", "stage_allocation")
    assert outcome.status == "pending" and first_message(db, outcome).status == "due"
    assert [stage.touchpoint for stage in stages(db)] == ["outcome"]
    assert skipped_counts(db) == {("stage_allocation", "general", "reporting"): 1}
    sender = RecordingSender()
    dispatch_once(sender=sender)
    assert len(sender.sent) == 1  # only the outcome stage is ever sent


def test_if_the_earlier_stage_was_sent_the_later_one_waits(db: Session) -> None:
    upload(db, [make_row(touchpoint_date=days_ago(10))])
    assert len(RecordingSender().sent) == 0
    sender = RecordingSender()
    dispatch_once(sender=sender)
    assert len(sender.sent) == 1
    sent_at = as_utc(invitation_of(db, "reporting").first_sent_at)  # type: ignore[arg-type]
    result = upload(db, [make_row(touchpoint="investigation", touchpoint_date=days_ago(5))])
    assert result.accepted == 1
    later = first_message(db, invitation_of(db, "investigation"))
    assert as_utc(later.due_at) >= sent_at + GAP
    assert as_utc(later.due_at) < sent_at + GAP + timedelta(days=1)  # no later than needed
    again = RecordingSender()
    dispatch_once(sender=again)
    assert again.sent == []  # it waits
    assert invitation_of(db, "reporting").status == "sent"


def test_the_gap_setting_is_read(db: Session, settings_override: Any) -> None:
    settings_override(VV_STAGE_GAP_DAYS="0")
    upload(db, [make_row(touchpoint_date=days_ago(10))])
    dispatch_once(sender=RecordingSender())
    upload(db, [make_row(touchpoint="investigation", touchpoint_date=days_ago(5))])
    sender = RecordingSender()
    dispatch_once(sender=sender)
    assert len(sender.sent) == 1


def test_the_same_stage_or_an_earlier_one_again_is_stage_allocation(db: Session) -> None:
    upload(db, [make_row(touchpoint="outcome", outcome="nfa")])
    result = upload(
        db,
        [
            make_row(touchpoint="outcome"),
            make_row(touchpoint="reporting", phone=phone_number(7), case_ref="OTHER"),
        ],
    )
    assert result.skipped == [{"row": 0, "reason": "stage_allocation"}]
    result = upload(db, [make_row(touchpoint="investigation")])
    assert result.skipped == [{"row": 0, "reason": "stage_allocation"}]
    counts = skipped_counts(db)
    assert counts[("stage_allocation", "general", "outcome")] == 1
    assert counts[("stage_allocation", "general", "investigation")] == 1


def test_another_victim_of_the_same_case_is_invited(db: Session) -> None:
    result = upload(db, [make_row(), make_row(phone=phone_number(9))])
    assert result.accepted == 2 and len(stages(db)) == 2


def test_cooling_off_holds_between_different_cases_only(db: Session) -> None:
    upload(db, [make_row(case_ref="CASE-A", touchpoint_date=days_ago(30))])
    dispatch_once(sender=RecordingSender())
    other_case = upload(db, [make_row(case_ref="CASE-B")])
    assert other_case.skipped == [{"row": 0, "reason": "cooling_off"}]
    same_case = upload(db, [make_row(case_ref="CASE-A", touchpoint="investigation")])
    assert same_case.accepted == 1 and same_case.skipped == []
    counts = skipped_counts(db)
    assert counts == {("cooling_off", "general", "reporting"): 1}


def test_the_ledger_holds_no_contact_detail_and_no_link(db: Session) -> None:
    upload(db, [make_row(case_ref="CASE-L", outcome="nfa", touchpoint="outcome")])
    (stage,) = stages(db)
    assert set(CaseStage.model_fields) == {
        "id",
        "case_hash",
        "touchpoint",
        "stage_date",
        "invited_on",
        "first_due_at",
        "modules",
        "questions",
    }
    forbidden = {case_ref_hash("CASE-L"), contact_hash(make_row()["phone"]), "CASE-L"}
    invitation = invitation_of(db, "outcome")
    contact = db.get(Contact, invitation.contact_id)
    db.commit()
    assert contact is not None
    forbidden |= {invitation.id, contact.last_case_mark or ""}
    assert not forbidden & {stage.case_hash, str(stage.modules), str(stage.questions)}
    assert stage.touchpoint == "outcome" and stage.stage_date == date.today() - timedelta(days=5)


def test_the_module_set_is_chosen_from_the_bank_and_context(db: Session) -> None:
    from tests.factories import create_bank_version  # noqa: PLC0415
    from tests.survey.factories import bank_document  # noqa: PLC0415

    create_bank_version(db, bank_document())
    upload(db, [make_row(touchpoint="outcome", outcome="nfa")])
    (stage,) = stages(db)
    assert stage.modules and all(isinstance(name, str) for name in stage.modules)


def test_the_ledger_is_erased_months_after_the_last_stage(
    db: Session, settings_override: Any
) -> None:
    upload(db, [make_row(case_ref="OLD", touchpoint_date=days_ago(100))])
    upload(
        db,
        [
            make_row(
                case_ref="OLD",
                touchpoint="outcome",
                touchpoint_date=days_ago(2),
            )
        ],
    )
    assert len(stages(db)) == 2
    purge(db, at=now() + timedelta(days=30 * 23))
    db.commit()
    assert len(stages(db)) == 2  # the case's last stage is not 24 months old yet
    purge(db, at=now() + timedelta(days=30 * 25))
    db.commit()
    assert stages(db) == []
    upload(db, [make_row(case_ref="NEW")])
    settings_override(VV_CASE_LEDGER_MONTHS="1")
    purge(db, at=now() + timedelta(days=40))
    db.commit()
    assert stages(db) == []


def test_a_contacts_case_mark_goes_once_cooling_off_has_passed(db: Session) -> None:
    upload(db, [make_row()])
    marked = db.exec(select(Contact)).one()
    db.commit()
    assert marked.last_case_mark
    purge(db, at=now() + timedelta(days=91))
    db.commit()
    contact = db.exec(select(Contact)).one()
    db.commit()
    assert contact.last_case_mark is None


def test_not_safe_and_invalid_rows_are_counted_by_what_can_be_counted(db: Session) -> None:
    upload(
        db,
        [
            make_row(safe_to_contact=False, crime_group="rasso", touchpoint="court"),
            make_row(safe_to_contact=False, crime_group="nonsense", touchpoint="court"),
            make_row(safe_to_contact=False, crime_group=["x"], touchpoint=None),
            make_row(phone=phone_number(4)),
            make_row(phone=phone_number(4), case_ref="X2"),
        ],
    )
    assert skipped_counts(db) == {
        ("not_safe_to_contact", "rasso", "court"): 1,
        ("not_safe_to_contact", "", "court"): 1,
        ("not_safe_to_contact", "", ""): 1,
        ("duplicate", "general", "reporting"): 1,
    }


def test_an_import_that_fails_cancels_no_earlier_stage_and_leaves_no_ledger_row(
    db: Session,
) -> None:
    from app.db import session_scope  # noqa: PLC0415
    from app.invitations.batches import import_rows  # noqa: PLC0415

    upload(db, [make_row(touchpoint_date=days_ago(1))])

    def failing_rows() -> Any:
        yield make_row(touchpoint="outcome", outcome="charged")
        yield from (make_row(phone=phone_number(i), case_ref=f"F{i}") for i in range(20, 24))
        raise RuntimeError("the records system went away")

    with pytest.raises(RuntimeError), session_scope() as session:
        import_rows(session, failing_rows(), actor="test", source="json", chunk_size=2)
    assert invitation_of(db, "reporting").status == "pending"
    assert [stage.touchpoint for stage in stages(db)] == ["reporting"]
    assert skipped_counts(db) == {}
    # Sent again whole, the later stage replaces the earlier one as usual.
    result = upload(db, [make_row(touchpoint="outcome", outcome="charged")])
    assert result.accepted == 1
    assert invitation_of(db, "reporting").status == "cancelled"


# --- rows a support service passes on: keyed by the case and the service ----------------------


def _service_invitations(db: Session) -> list[tuple[str | None, str, str]]:
    found = [
        (invitation.support_service, invitation.touchpoint, invitation.status)
        for invitation in db.exec(select(Invitation).order_by(col(Invitation.created_at))).all()
    ]
    db.commit()
    return found


def test_the_same_stage_twice_through_one_service_is_stage_allocation(db: Session) -> None:
    first = upload(db, [make_support_service_row()])
    # Again, in a later upload and twice in one upload.
    again = upload(db, [make_support_service_row(), make_support_service_row()])
    assert first.accepted == 1
    assert again.accepted == 0
    assert again.skipped == [
        {"row": 0, "reason": "stage_allocation"},
        {"row": 1, "reason": "stage_allocation"},
    ]
    assert len(_service_invitations(db)) == 1 and len(stages(db)) == 1
    assert skipped_counts(db) == {("stage_allocation", "general", "reporting"): 2}


def test_a_later_stage_through_the_service_is_invited_at_once(db: Session) -> None:
    upload(db, [make_support_service_row(touchpoint_date=days_ago(2))])
    later = upload(db, [make_support_service_row(touchpoint="investigation")])
    # No gap and no cancelling: the worker hands each over in person, when the client is ready.
    assert later.accepted == 1 and later.skipped == []
    assert _service_invitations(db) == [
        ("victim_support", "reporting", "pending"),
        ("victim_support", "investigation", "pending"),
    ]
    assert sorted(stage.touchpoint for stage in stages(db)) == ["investigation", "reporting"]
    assert db.exec(select(OutboundMessage)).all() == []


def test_an_earlier_stage_after_a_later_one_through_the_service_is_skipped(db: Session) -> None:
    upload(db, [make_support_service_row(touchpoint="outcome", outcome="nfa")])
    earlier = upload(db, [make_support_service_row(touchpoint="investigation")])
    assert earlier.skipped == [{"row": 0, "reason": "stage_allocation"}]
    assert [touchpoint for _, touchpoint, _ in _service_invitations(db)] == ["outcome"]


def test_two_services_and_a_direct_row_of_one_case_leave_each_other_alone(db: Session) -> None:
    # Each service passes on its own client (a case may have several victims); a direct row is
    # another part of the case again: none is skipped or cancelled for another's stage.
    result = upload(
        db,
        [
            make_support_service_row(touchpoint="outcome", outcome="nfa"),
            make_support_service_row(
                touchpoint="outcome", outcome="nfa", support_service="samaritans"
            ),
            make_row(touchpoint="reporting", touchpoint_date=days_ago(1)),
        ],
    )
    assert result.accepted == 3 and result.skipped == []
    later_direct = upload(db, [make_row(touchpoint="outcome", outcome="nfa")])
    assert later_direct.accepted == 1
    statuses = {
        (service, touchpoint): status for service, touchpoint, status in _service_invitations(db)
    }
    assert statuses[("victim_support", "outcome")] == "pending"
    assert statuses[("samaritans", "outcome")] == "pending"
    assert statuses[(None, "reporting")] == "cancelled"  # the direct rule, within its own part
    assert len(stages(db)) == 3


def test_a_services_ledger_row_is_keyed_and_erased_as_any(
    db: Session, settings_override: Any
) -> None:
    before = now()
    upload(db, [make_support_service_row(case_ref="CASE-S", touchpoint="outcome", outcome="nfa")])
    (stage,) = stages(db)
    forbidden = {"CASE-S", case_ref_hash("CASE-S"), "victim_support", "service:victim_support"}
    assert not any(word in stage.case_hash for word in forbidden)
    assert stage.case_hash != stage_key(case_ref_hash("CASE-S"), "")
    assert stage.touchpoint == "outcome" and stage.stage_date == date.today() - timedelta(days=5)
    # No message: the ledger records its upload time.
    assert before - timedelta(seconds=1) <= as_utc(stage.first_due_at) <= now()
    settings_override(VV_CASE_LEDGER_MONTHS="1")
    purge(db, at=now() + timedelta(days=40))
    db.commit()
    assert stages(db) == []


def test_a_failed_import_leaves_no_ledger_row_of_a_service(db: Session) -> None:
    from app.db import session_scope  # noqa: PLC0415
    from app.invitations.batches import import_rows  # noqa: PLC0415

    def failing_rows() -> Any:
        yield make_support_service_row()
        yield from (make_row(phone=phone_number(i), case_ref=f"S{i}") for i in range(30, 34))
        raise RuntimeError("the records system went away")

    with pytest.raises(RuntimeError), session_scope() as session:
        import_rows(session, failing_rows(), actor="test", source="json", chunk_size=2)
    assert stages(db) == [] and _service_invitations(db) == []
    assert upload(db, [make_support_service_row()]).accepted == 1


@pytest.mark.skipif(
    not is_postgres(os.environ.get("VV_TEST_DATABASE_URL", "")),
    reason="SQLite has one writer at a time; PostgreSQL's uploads run side by side",
)
def test_two_uploads_of_one_services_stage_at_once_invite_it_once(db: Session) -> None:
    from app.db import session_scope  # noqa: PLC0415
    from app.invitations.stage_ledger import lock_passed_on  # noqa: PLC0415

    key = stage_key(case_ref_hash(make_row()["case_ref"]), service_party("victim_support"))
    results: list[Any] = []
    with session_scope() as other:
        # Another upload holds the service's part in the case and records its stage.
        lock_passed_on(other, [key])
        uploading = threading.Thread(
            target=lambda: results.append(upload(db, [make_support_service_row()]))
        )
        uploading.start()
        uploading.join(1.0)
        assert uploading.is_alive(), "the upload did not wait for the other one"
        other.add(
            CaseStage(
                case_hash=key,
                touchpoint="reporting",
                stage_date=date.today(),
                invited_on=date.today(),
                first_due_at=now(),
                modules=[],
            )
        )
    uploading.join(30)
    (result,) = results
    assert result.accepted == 0 and result.skipped == [{"row": 0, "reason": "stage_allocation"}]


@pytest.mark.parametrize("purged", ["purge first", "retry first"])
def test_a_retry_after_a_dead_import_passes_a_services_stage_on_once(
    db: Session, monkeypatch: pytest.MonkeyPatch, purged: str
) -> None:
    from app.db import session_scope  # noqa: PLC0415
    from app.invitations import batches  # noqa: PLC0415
    from app.invitations.batches import import_rows  # noqa: PLC0415

    rows = [
        make_support_service_row(),
        make_support_service_row(case_ref="DEAD-2", touchpoint="outcome", outcome="nfa"),
    ]
    monkeypatch.setattr(batches, "_abandon_after_error", lambda session, batch_id: None)

    def dying_rows() -> Any:
        yield from rows
        raise SystemExit(9)  # no clean-up, as with kill -9

    with pytest.raises(SystemExit), session_scope() as session:
        import_rows(session, dying_rows(), actor="test", source="json", chunk_size=2)
    monkeypatch.undo()
    assert len(stages(db)) == 2
    if purged == "purge first":
        purge(db, at=now() + timedelta(hours=2))
        db.commit()
    retry = upload(db, rows)
    assert retry.accepted == 2 and retry.skipped == []
    purge(db, at=now() + timedelta(hours=2))  # the dead import is undone, if not yet
    db.commit()
    assert sorted(touchpoint for _, touchpoint, _ in _service_invitations(db)) == [
        "outcome",
        "reporting",
    ]
    assert len(stages(db)) == 2
    assert upload(db, rows).skipped == [
        {"row": 0, "reason": "stage_allocation"},
        {"row": 1, "reason": "stage_allocation"},
    ]
