"""The throttle itself: back-off per subject, reservations, and forgetting old failures."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, select

from app.audit import AuditEvent
from app.auth import throttle
from app.auth.models import LoginThrottle
from app.auth.throttle import BACK_OFF, SubjectKind
from app.db import utcnow


def test_the_back_off_is_free_at_first_then_doubles_up_to_a_cap() -> None:
    account = BACK_OFF[SubjectKind.account]
    delays = [account.delay_after(failures) for failures in range(1, 13)]
    seconds = [int(delay.total_seconds()) for delay in delays]
    assert seconds == [0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900, 900]
    assert account.delay_after(10_000) == timedelta(minutes=15)
    # An address shared by colleagues slows down later than one account.
    assert BACK_OFF[SubjectKind.address].delay_after(19) == timedelta(0)
    assert BACK_OFF[SubjectKind.address].delay_after(20) == timedelta(seconds=30)


def _row(db: Session, subject: throttle.Subject) -> LoginThrottle:
    db.expire_all()
    row = db.get(LoginThrottle, subject.key)
    assert row is not None
    return row


def test_a_reservation_counts_the_attempt_before_it_is_checked(db: Session) -> None:
    subject = throttle.account_subject("someone@example.org")
    now = utcnow()
    for number in range(1, 5):
        assert throttle.reserve_attempt(db, [subject], now=now).granted
        assert _row(db, subject).failures == number
    fifth = throttle.reserve_attempt(db, [subject], now=now)
    assert fifth.granted  # the fifth is still checked, and arms the first delay
    assert _row(db, subject).blocked_until == now + timedelta(seconds=30)
    sixth = throttle.reserve_attempt(db, [subject], now=now + timedelta(seconds=10))
    assert not sixth.granted
    assert sixth.retry_after == timedelta(seconds=20)
    assert sixth.blocked == (SubjectKind.account,)
    assert _row(db, subject).failures == 5


def test_a_blocked_subject_refuses_the_whole_attempt_and_counts_nothing(db: Session) -> None:
    account = throttle.account_subject("someone@example.org")
    address = throttle.address_subject("192.0.2.7")
    now = utcnow()
    for _ in range(5):
        throttle.reserve_attempt(db, [account], now=now)
    refused = throttle.reserve_attempt(db, [account, address], now=now)
    assert not refused.granted
    db.expire_all()
    # The address was not charged for an attempt that was never checked.
    assert db.get(LoginThrottle, address.key) is None
    assert _row(db, account).failures == 5


def test_a_success_clears_the_account_and_takes_back_its_own_count_from_the_address(
    db: Session,
) -> None:
    account = throttle.account_subject("someone@example.org")
    address = throttle.address_subject("192.0.2.7")
    for _ in range(3):
        throttle.reserve_attempt(db, [account, address])
    throttle.clear_failures(db, [account, address])
    db.commit()
    assert _row(db, account).failures == 0
    assert _row(db, address).failures == 2  # two failures, then the attempt that succeeded


def test_an_address_whose_twentieth_attempt_succeeds_is_not_blocked(db: Session) -> None:
    address = throttle.address_subject("192.0.2.7")
    for _ in range(20):
        throttle.reserve_attempt(db, [address])
    assert _row(db, address).blocked_until is not None
    throttle.clear_failures(db, [address])
    db.commit()
    row = _row(db, address)
    assert (row.failures, row.blocked_until) == (19, None)


def test_failures_long_past_are_forgotten(db: Session) -> None:
    old = throttle.account_subject("old@example.org")
    recent = throttle.account_subject("recent@example.org")
    then = utcnow() - throttle.FORGET_AFTER - timedelta(minutes=1)
    for _ in range(7):
        throttle.reserve_attempt(db, [old], now=then + timedelta(hours=-1))
    throttle.reserve_attempt(db, [recent])
    db.expire_all()
    # The old run was swept away by the recent reservation...
    assert db.get(LoginThrottle, old.key) is None
    # ...and a new attempt on that subject starts a fresh run, unblocked.
    assert throttle.reserve_attempt(db, [old]).granted
    assert _row(db, old).failures == 1


def test_a_run_left_alone_for_a_day_starts_again_even_if_not_yet_swept(db: Session) -> None:
    subject = throttle.account_subject("someone@example.org")
    then = utcnow() - throttle.FORGET_AFTER - timedelta(minutes=1)
    for _ in range(7):
        throttle.reserve_attempt(db, [subject], now=then - timedelta(hours=1))
    # Without a sweep (the sweep runs after), the stale count is not carried on.
    assert throttle.reserve_attempt(db, [subject]).granted
    assert _row(db, subject).failures == 1


def test_back_off_is_audited_without_personal_data(db: Session) -> None:
    subject = throttle.address_subject("192.0.2.7")
    for _ in range(20):
        throttle.reserve_attempt(db, [subject])
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "auth.back_off")).one()
    assert event.object_id == subject.key
    assert event.detail == {"kind": "address", "failures": 20, "wait_seconds": 30}
    assert "192.0.2.7" not in str(event.model_dump())


def test_an_ipv6_client_cannot_rotate_through_its_64() -> None:
    one = throttle.address_subject("2001:db8:1:2::1")
    same_64 = throttle.address_subject("2001:db8:1:2:ffff:ffff:ffff:fffe")
    other_64 = throttle.address_subject("2001:db8:1:3::1")
    assert one == same_64
    assert one != other_64
    assert throttle.address_subject("192.0.2.1") != throttle.address_subject("192.0.2.2")
    assert throttle.address_subject("testclient").kind is SubjectKind.address
