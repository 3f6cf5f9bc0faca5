"""Throttling of sign-in attempts: atomic reservations and exponential back-off per subject.

A *subject* is what a run of failures is counted against, named by a keyed hash so the table
never holds what was typed or where it came from:

- ``account``: the normalised email typed, for attempts from a browser without a valid device
  cookie for that account. Unknown emails are throttled exactly like known ones, so the
  throttle never tells anyone which accounts exist.
- ``device``: the account *and* a device cookie that this browser was given when it last
  signed in to that account (app/auth/devices.py). An attempt carrying one is counted against
  that device alone, not the account or the address.
- ``address``: the client's address (app/auth/client_address.py), across every account tried
  from it, so one address cannot spray a password over many accounts.
- ``second_factor``: a user's authenticator codes, so guessing six digits is as slow.

**Atomic.** An attempt is *reserved* before the password hash (or the code) is checked: one
transaction counts it as a failure on every subject with a conditional
``UPDATE … WHERE blocked_until has passed … RETURNING``, and commits at once. Concurrent
attempts on one subject queue on its row; each sees the count the previous one left, so of any
number of parallel attempts at most ``free_failures`` are ever checked. If any subject is still
blocked, the whole reservation is rolled back (a refused attempt counts nothing, so it cannot
extend a block) and the attempt is refused with the time left. A success clears the failures of
the account, device or user it proved; the address only takes back the one failure counted for
this attempt (one good password must not buy an address a fresh run of guesses).

**Back-off.** The first ``free_failures`` failures in a row cost nothing; from then on each
further failure blocks the subject for ``base * 2**(failures - free_failures)``, capped at
``cap``: 30 s, 1, 2, 4, 8 minutes, then 15 minutes per failure for as long as failures keep
coming. Failures are forgotten ``FORGET_AFTER`` a subject's last one. Unlike a fixed lock
counted over a sliding window, nobody can keep a subject locked by trying again: a refused
attempt changes nothing, and a checked one at most re-arms the capped delay.

**Why a legitimate user is not locked out for ever.** An attacker who hammers one account from
elsewhere blocks only the ``account`` subject (and their own addresses). A member of staff who
has signed in on their browser before carries a device cookie for their account, so their
attempts are counted against that device only, and the attacker cannot reach that counter
without the cookie (it is signed, and valid for that account alone). Someone on a new device
shares the account subject with the attacker: at worst they wait out the capped delay, and an
administrator can see the back-off in the audit trail (``auth.back_off``). A stolen device
cookie is worth no more than the account subject: the same free failures, the same back-off.
The second factor is throttled per user: only someone who already has the password can reach
it (see docs/staff-access.md).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Update, case, delete, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.auth.models import LoginThrottle
from app.crypto import keyed_hash
from app.db import as_utc
from app.db import utcnow as utc_now


class SubjectKind(StrEnum):
    account = "account"
    device = "device"
    address = "address"
    second_factor = "second_factor"
    # Survey and stop links that led nowhere, per client address (app/invitations/link_throttle.py).
    link_address = "link_address"
    # One-time handover codes typed on /code, per client address (app/handover/code_pages.py).
    code_address = "code_address"
    # The same, per IPv6 /48: a /48 holds 65,536 /64s, each with its own code_address count.
    code_network = "code_network"
    # A support worker's crime-reference look-ups that found nothing (app/handover/lookup.py).
    support_lookup = "support_lookup"
    # A handed-over survey's address sent to the victim's own number or email, per invitation.
    address_send = "address_send"


@dataclass(frozen=True)
class BackOff:
    """Failures allowed in a row before a delay, and the delay that doubles up to a cap."""

    free_failures: int
    base: timedelta
    cap: timedelta

    def delay_after(self, failures: int) -> timedelta:
        """How long a subject waits after its `failures`-th failure in a row."""
        if failures < self.free_failures:
            return timedelta(0)
        doublings = min(failures - self.free_failures, 32)  # 2**32 * base is far past any cap
        return min(self.base * 2**doublings, self.cap)


FREE_FAILURES = 5
BACK_OFF: dict[SubjectKind, BackOff] = {
    SubjectKind.account: BackOff(FREE_FAILURES, timedelta(seconds=30), timedelta(minutes=15)),
    SubjectKind.device: BackOff(FREE_FAILURES, timedelta(seconds=30), timedelta(minutes=15)),
    # Colleagues behind one office address share it: more free failures before it slows.
    SubjectKind.address: BackOff(20, timedelta(seconds=30), timedelta(minutes=15)),
    SubjectKind.second_factor: BackOff(FREE_FAILURES, timedelta(seconds=30), timedelta(minutes=15)),
    # A victim mistypes a link now and then; many people share a mobile network's address.
    SubjectKind.link_address: BackOff(20, timedelta(seconds=30), timedelta(minutes=15)),
    # A code has 40 bits: 10 tries an hour per address, then an hour's wait for each further.
    SubjectKind.code_address: BackOff(10, timedelta(hours=1), timedelta(hours=1)),
    # Without it one /48 (a home's, or a cheap server's) tries 655,360 codes in an hour.
    SubjectKind.code_network: BackOff(50, timedelta(hours=1), timedelta(hours=1)),
    # A worker looks up their own clients; 30 references that match nothing, then an hour.
    SubjectKind.support_lookup: BackOff(30, timedelta(hours=1), timedelta(hours=1)),
    # Nobody holding a survey session may make it message a number over and over.
    SubjectKind.address_send: BackOff(3, timedelta(hours=1), timedelta(hours=1)),
}
# Subjects a success only takes one failure back from (see clear_failures): one good code or
# one found reference must not buy a fresh run of guesses.
COUNT_BACK_ONE = frozenset(
    {
        SubjectKind.address,
        SubjectKind.code_address,
        SubjectKind.code_network,
        SubjectKind.support_lookup,
    }
)
FORGET_AFTER = timedelta(hours=24)
# Rows past FORGET_AFTER removed per reservation: enough to keep up, never a long statement.
CLEAN_UP_BATCH = 100


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    key: str  # keyed hash; never the email, address or device id itself


def account_subject(normalised_email: str) -> Subject:
    return Subject(SubjectKind.account, keyed_hash("login", normalised_email))


def device_subject(normalised_email: str, device_id: str) -> Subject:
    return Subject(
        SubjectKind.device, keyed_hash("login-device", f"{normalised_email}\x00{device_id}")
    )


def _client_network(address: str) -> str:
    """An IPv6 client counts as its /64: one home or host gets a whole /64 to rotate through."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if isinstance(parsed, ipaddress.IPv6Address):
        address = str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return address


def address_subject(address: str) -> Subject:
    return Subject(SubjectKind.address, keyed_hash("login-address", _client_network(address)))


def link_address_subject(address: str) -> Subject:
    """Links that led nowhere from one client address (or IPv6 /64)."""
    return Subject(SubjectKind.link_address, keyed_hash("link-address", _client_network(address)))


def blocked_for(session: Session, subject: Subject, *, now: datetime | None = None) -> timedelta:
    """How long `subject` is still blocked (zero when it is not). Reads only."""
    now = now or utc_now()
    blocked_until = session.execute(
        select(LoginThrottle.blocked_until).where(LoginThrottle.subject_hash == subject.key)
    ).scalar_one_or_none()
    if blocked_until is None or as_utc(blocked_until) <= now:
        return timedelta(0)
    return max(as_utc(blocked_until) - now, timedelta(seconds=1))


def code_address_subject(address: str) -> Subject:
    """One-time handover codes typed from one client address (or IPv6 /64)."""
    return Subject(SubjectKind.code_address, keyed_hash("code-address", _client_network(address)))


def code_subjects(address: str) -> list[Subject]:
    """What a code typed from `address` is counted against: its address (or /64) and, for
    IPv6, its /48 too, so rotating through a /48's 65,536 /64s buys no more tries."""
    subjects = [code_address_subject(address)]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return subjects
    if isinstance(parsed, ipaddress.IPv6Address):
        network = str(ipaddress.ip_network(f"{parsed}/48", strict=False))
        subjects.append(Subject(SubjectKind.code_network, keyed_hash("code-network", network)))
    return subjects


def support_lookup_subject(user_id: int | None, actor: str) -> Subject:
    """A support worker's look-ups (by their user, or a key's actor)."""
    return Subject(SubjectKind.support_lookup, keyed_hash("support-lookup", f"{user_id}:{actor}"))


def address_send_subject(invitation_id: str) -> Subject:
    """Personal addresses sent for one invitation (app/survey/send_address.py)."""
    return Subject(SubjectKind.address_send, keyed_hash("address-send", invitation_id))


def second_factor_subject(user_id: int) -> Subject:
    return Subject(SubjectKind.second_factor, keyed_hash("login-totp", str(user_id)))


@dataclass(frozen=True)
class Reservation:
    """The answer to "may this attempt be checked?"; when not, how long until it may."""

    granted: bool
    retry_after: timedelta = timedelta(0)
    blocked: tuple[SubjectKind, ...] = ()


def _insert_if_missing(session: Session, key: str) -> None:
    """Create the subject's row unless it exists (racing creators: one wins, none fails)."""
    values = {"subject_hash": key, "failures": 0}
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(LoginThrottle).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(LoginThrottle).values(values).on_conflict_do_nothing())


def _count_failure(key: str, now: datetime) -> Update:
    """Add one failure unless the subject is blocked; a run long past is started afresh."""
    stale = or_(
        col(LoginThrottle.last_failure_at).is_(None),
        col(LoginThrottle.last_failure_at) < now - FORGET_AFTER,
    )
    return (
        update(LoginThrottle)
        .where(
            col(LoginThrottle.subject_hash) == key,
            or_(
                col(LoginThrottle.blocked_until).is_(None),
                col(LoginThrottle.blocked_until) <= now,
            ),
        )
        .values(
            failures=case((stale, 1), else_=col(LoginThrottle.failures) + 1),
            last_failure_at=now,
        )
        .returning(col(LoginThrottle.failures))
    )


def _reserve_one(session: Session, subject: Subject, now: datetime) -> int | datetime:
    """Count one failure on `subject`: the failures now counted, or when its block ends."""
    for _ in range(3):
        _insert_if_missing(session, subject.key)
        counted = session.execute(_count_failure(subject.key, now)).scalar_one_or_none()
        if counted is not None:
            return int(counted)
        blocked_until = session.execute(
            select(LoginThrottle.blocked_until).where(LoginThrottle.subject_hash == subject.key)
        ).scalar_one_or_none()
        if blocked_until is not None:
            return as_utc(blocked_until)
        # The row was cleaned up between the insert and the update: make it again.
    raise RuntimeError("the throttle row kept disappearing")  # pragma: no cover


def reserve_attempt(
    session: Session, subjects: Sequence[Subject], *, now: datetime | None = None
) -> Reservation:
    """Count an attempt as a failure on every subject before it is checked, or refuse it.

    COMMITS the caller's transaction, so that concurrent attempts see the reservation before
    this one's password hash is checked (and SQLite's write lock is not held while it is).
    Call it before the request writes anything it might want to roll back.
    """
    now = now or utc_now()
    ordered = sorted(set(subjects), key=_key)  # one lock order for every attempt
    savepoint = session.begin_nested()
    blocks: list[tuple[SubjectKind, datetime]] = []
    newly_blocked: list[tuple[Subject, int, timedelta]] = []
    for subject in ordered:
        result = _reserve_one(session, subject, now)
        if isinstance(result, datetime):
            blocks.append((subject.kind, result))
            break
        delay = BACK_OFF[subject.kind].delay_after(result)
        if delay > timedelta(0):
            session.execute(
                update(LoginThrottle)
                .where(col(LoginThrottle.subject_hash) == subject.key)
                .values(blocked_until=now + delay)
            )
            newly_blocked.append((subject, result, delay))
    if blocks:
        savepoint.rollback()
        session.commit()
        wait = max(until for _kind, until in blocks) - now
        return Reservation(
            granted=False,
            retry_after=max(wait, timedelta(seconds=1)),
            blocked=tuple(kind for kind, _until in blocks),
        )
    savepoint.commit()
    for subject, failures, delay in newly_blocked:
        record_event(
            session,
            actor="system",
            action="auth.back_off",
            object_type="login_subject",
            object_id=subject.key,
            detail={
                "kind": subject.kind.value,
                "failures": failures,
                "wait_seconds": int(delay.total_seconds()),
            },
        )
    _forget_stale(session, now)
    session.commit()
    return Reservation(granted=True)


def clear_failures(session: Session, subjects: Iterable[Subject]) -> None:
    """After a success: the account, device or user it proved starts again from no failures;
    an address only takes back the failure its reservation counted (see the module docstring).

    Rows are updated in the reservations' lock order, so the two never wait on each other.
    """
    for subject in sorted(set(subjects), key=_key):
        row = col(LoginThrottle.subject_hash) == subject.key
        if subject.kind not in COUNT_BACK_ONE:
            session.execute(update(LoginThrottle).where(row).values(failures=0, blocked_until=None))
            continue
        remaining = col(LoginThrottle.failures) - 1
        session.execute(
            update(LoginThrottle)
            .where(row, col(LoginThrottle.failures) > 0)
            .values(
                failures=remaining,
                # A block is only ever armed at free_failures; below that none is deserved.
                blocked_until=case(
                    (remaining < BACK_OFF[subject.kind].free_failures, None),
                    else_=col(LoginThrottle.blocked_until),
                ),
            )
        )


def _key(subject: Subject) -> str:
    return subject.key


def _forget_stale(session: Session, now: datetime) -> None:
    """Delete a batch of subjects whose last failure is long past (never a row in use)."""
    stale = (
        select(LoginThrottle.subject_hash)
        .where(col(LoginThrottle.last_failure_at) < now - FORGET_AFTER)
        .limit(CLEAN_UP_BATCH)
        # PostgreSQL: rows another attempt holds are left for later, so this never waits.
        .with_for_update(skip_locked=True)
    )
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.subject_hash).in_(stale)))
