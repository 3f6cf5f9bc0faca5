"""Staff users and signing in: keyword-only functions that flush, never commit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.auth import devices, passwords, revocation, sessions, throttle, totp
from app.auth.models import StaffUser
from app.crypto import decrypt, encrypt
from app.db import utcnow as utc_now
from app.enums import Role
from app.errors import Conflict, FieldError, InvalidInput, NotFound
from app.i18n import LANGUAGE_PATTERN
from app.support_keys import known_support_services

BANK_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


def normalise_email(raw: str) -> str:
    """The form in which emails are stored and compared: trimmed and lower case."""
    return raw.strip().lower()


def checked_email(raw: str) -> str:
    """A syntactically valid email (no DNS lookup), normalised; else InvalidInput."""
    try:
        result = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            "Enter a valid email address.", errors=[FieldError(("email",), str(exc))]
        ) from exc
    return normalise_email(result.normalized)


def checked_bank_scopes(slugs: Iterable[str]) -> list[str]:
    """Bank slugs in a stable order, each of the shape bank files use."""
    cleaned = sorted({slug.strip() for slug in slugs})
    bad = [slug for slug in cleaned if not BANK_SLUG.match(slug)]
    if bad:
        raise InvalidInput(
            "A bank slug is lower-case letters, digits, '-' or '_': " + ", ".join(bad) + "."
        )
    return cleaned


def checked_language_scopes(tags: Iterable[str]) -> list[str]:
    """Language tags as bank translations key them (en, ur, pa-IN), in a stable order."""
    cleaned = set()
    for tag in tags:
        primary, _, rest = tag.strip().partition("-")
        cleaned.add(f"{primary.lower()}-{rest}" if rest else primary.lower())
    bad = sorted(tag for tag in cleaned if not LANGUAGE_PATTERN.fullmatch(tag))
    if bad:
        raise InvalidInput(
            "A language is a BCP 47 tag such as ur, pl or pa-IN; not: " + ", ".join(bad) + "."
        )
    return sorted(cleaned)


def checked_support_scopes(roles: Iterable[str], services: Iterable[str]) -> list[str]:
    """The support services of a support worker, each a key of support_services.yaml.

    A support worker acts only for the services named, so one without any is refused; and a
    service means nothing to any other role, so it is refused there too.
    """
    cleaned = sorted({service.strip() for service in services})
    worker = Role.support_worker.value in roles
    if worker and not cleaned:
        raise InvalidInput(
            "A support worker needs at least one support service (--support-service KEY)."
        )
    if cleaned and not worker:
        raise InvalidInput("Only a support worker is scoped to support services.")
    unknown = sorted(set(cleaned) - known_support_services())
    if unknown:
        raise InvalidInput(
            "Not the key of a service in support_services.yaml: " + ", ".join(unknown) + "."
        )
    return cleaned


def role_names(roles: Iterable[Role | str]) -> list[str]:
    """Role values in a stable order; unknown names raise InvalidInput."""
    names = set()
    for role in roles:
        try:
            names.add(Role(role).value)
        except ValueError as exc:
            allowed = ", ".join(r.value for r in Role)
            raise InvalidInput(f"Unknown role {role!r}; use one of: {allowed}.") from exc
    if not names:
        raise InvalidInput("Give at least one role.")
    return sorted(names)


def get_user_by_email(session: Session, email: str) -> StaffUser | None:
    return session.exec(select(StaffUser).where(StaffUser.email == normalise_email(email))).first()


def create_user(
    session: Session,
    *,
    email: str,
    password: str,
    roles: Iterable[Role | str],
    bank_scopes: Iterable[str] = (),
    language_scopes: Iterable[str] = (),
    support_scopes: Iterable[str] = (),
    actor: str,
) -> StaffUser:
    """A new staff user with an Argon2id password hash; Conflict if the email is taken."""
    address = checked_email(email)
    role_list = role_names(roles)
    scopes = checked_bank_scopes(bank_scopes)
    languages = checked_language_scopes(language_scopes)
    services = checked_support_scopes(role_list, support_scopes)
    try:
        passwords.check_password_rules(password)
    except passwords.WeakPassword as exc:
        raise InvalidInput(str(exc), errors=[FieldError(("password",), str(exc))]) from exc
    if get_user_by_email(session, address) is not None:
        raise Conflict("A staff user with this email address already exists.")
    user = StaffUser(
        email=address,
        password_hash=passwords.hash_password(password),
        roles=role_list,
        bank_scopes=scopes,
        language_scopes=languages,
        support_scopes=services,
    )
    session.add(user)
    session.flush()
    _record_user_event(
        session,
        user,
        actor=actor,
        action="user.created",
        roles=role_list,
        bank_scopes=scopes,
        language_scopes=languages,
        support_scopes=services,
    )
    return user


def _record_user_event(
    session: Session, user: StaffUser, *, actor: str, action: str, **detail: Any
) -> None:
    record_event(
        session,
        actor=actor,
        action=action,
        object_type="staff_user",
        object_id=str(user.id),
        detail=detail,
    )


def _user_with_sessions_ended(session: Session, email: str) -> tuple[StaffUser, int]:
    """The user with this email, their sessions ended; NotFound if there is no such user."""
    user = get_user_by_email(session, email)
    if user is None:
        raise NotFound("There is no staff user with this email address.")
    assert user.id is not None
    return user, sessions.end_user_sessions(session, user.id)


def disable_user(session: Session, *, email: str, actor: str) -> StaffUser:
    """Disable a user, end their sessions and revoke the keys bound to them, at once;
    NotFound if there is no such user."""
    user, ended = _user_with_sessions_ended(session, email)
    if user.disabled_at is None:
        user.disabled_at = utc_now()
        session.add(user)
    session.flush()
    assert user.id is not None
    revoked = revocation.revoke_user_keys(session, user_id=user.id, actor=actor)
    _record_user_event(
        session,
        user,
        actor=actor,
        action="user.disabled",
        sessions_ended=ended,
        keys_revoked=revoked,
    )
    return user


def reset_second_factor(session: Session, *, email: str, actor: str) -> StaffUser:
    """Forget a user's authenticator (a lost phone): they set it up again at next sign-in."""
    user, ended = _user_with_sessions_ended(session, email)
    user.totp_secret_encrypted = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    session.add(user)
    session.flush()
    _record_user_event(
        session, user, actor=actor, action="user.second_factor_reset", sessions_ended=ended
    )
    return user


class PasswordOutcome(StrEnum):
    accepted = "accepted"
    refused = "refused"
    throttled = "throttled"


@dataclass(frozen=True)
class PasswordResult:
    outcome: PasswordOutcome
    user: StaffUser | None = None
    retry_after: timedelta = timedelta(0)


def password_sign_in_subjects(
    normalised_email: str, *, address: str, device_cookie: str | None
) -> list[throttle.Subject]:
    """What an attempt is throttled by: its device if the browser has a valid device cookie
    for this account, else the account and the address (see app/auth/throttle.py)."""
    device_id = devices.device_for(device_cookie, normalised_email)
    if device_id is not None:
        return [throttle.device_subject(normalised_email, device_id)]
    return [throttle.account_subject(normalised_email), throttle.address_subject(address)]


def check_password_sign_in(
    session: Session,
    *,
    email: str,
    password: str,
    address: str,
    device_cookie: str | None = None,
) -> PasswordResult:
    """First step of signing in. Unknown, disabled and wrong-password look exactly alike.

    The attempt is reserved (and committed) before the hash is checked: see throttle.py.
    """
    normalised = normalise_email(email)
    subjects = password_sign_in_subjects(normalised, address=address, device_cookie=device_cookie)
    # The account's subject names the attempt in audit events: the keyed hash, never the
    # email typed (which may be someone's password pasted into the wrong box).
    named = throttle.account_subject(normalised).key
    reservation = throttle.reserve_attempt(session, subjects)
    if not reservation.granted:
        record_event(
            session,
            actor="anonymous",
            action="auth.sign_in_throttled",
            object_type="login_subject",
            object_id=named,
            detail={"blocked": [kind.value for kind in reservation.blocked]},
        )
        return PasswordResult(PasswordOutcome.throttled, retry_after=reservation.retry_after)
    user = get_user_by_email(session, normalised)
    if user is None:
        passwords.burn_verification_time(password)
        accepted = False
    else:
        accepted = passwords.verify_password(user.password_hash, password)
        accepted = accepted and user.disabled_at is None
    if not accepted or user is None:
        record_event(
            session,
            actor="anonymous",
            action="auth.sign_in_failed",
            object_type="login_subject",
            object_id=named,
        )
        return PasswordResult(PasswordOutcome.refused)
    throttle.clear_failures(session, subjects)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
        session.add(user)
    return PasswordResult(PasswordOutcome.accepted, user)


def pending_totp_secret(session: Session, user: StaffUser) -> str:
    """The secret being set up (made on first call, kept until confirmed), in plain text."""
    if user.totp_confirmed_at is not None:
        raise Conflict("The second factor is already set up.")
    if user.totp_secret_encrypted is None:
        user.totp_secret_encrypted = encrypt(totp.new_secret())
        session.add(user)
        session.flush()
    return decrypt(user.totp_secret_encrypted)


class CodeOutcome(StrEnum):
    accepted = "accepted"
    refused = "refused"
    throttled = "throttled"


@dataclass(frozen=True)
class CodeResult:
    outcome: CodeOutcome
    retry_after: timedelta = timedelta(0)


def _claim_step(session: Session, user: StaffUser, step: int) -> bool:
    """Record `step` as used, only if no later-or-equal step was: True if this call won it.

    One conditional UPDATE, so of several sign-ins racing with one code exactly one wins
    (PostgreSQL makes the others wait for the row and then re-check the condition).
    """
    now = utc_now()
    claimed = session.execute(
        update(StaffUser)
        .where(
            col(StaffUser.id) == user.id,
            or_(col(StaffUser.totp_last_step).is_(None), col(StaffUser.totp_last_step) < step),
        )
        .values(
            totp_last_step=step,
            totp_confirmed_at=func.coalesce(col(StaffUser.totp_confirmed_at), now),
        )
        .returning(col(StaffUser.id))
    ).scalar_one_or_none()
    session.refresh(user)
    return claimed is not None


def check_second_factor(session: Session, *, user: StaffUser, code: str) -> CodeResult:
    """Check a code: valid now, not used before, and not one guess too many.

    The guess is reserved (and committed) before the code is checked: see throttle.py.
    """
    assert user.id is not None
    subject = throttle.second_factor_subject(user.id)
    reservation = throttle.reserve_attempt(session, [subject])
    if not reservation.granted:
        _record_user_event(
            session, user, actor=f"user:{user.id}", action="auth.second_factor_throttled"
        )
        return CodeResult(CodeOutcome.throttled, reservation.retry_after)
    session.refresh(user)  # the step used may have moved while this request waited
    step = None
    if user.totp_secret_encrypted is not None:
        step = totp.matching_step(
            decrypt(user.totp_secret_encrypted),
            code,
            last_step=user.totp_last_step,
            now=utc_now(),
        )
    enrolling = user.totp_confirmed_at is None
    if step is None or not _claim_step(session, user, step):
        _record_user_event(
            session, user, actor=f"user:{user.id}", action="auth.second_factor_failed"
        )
        return CodeResult(CodeOutcome.refused)
    throttle.clear_failures(session, [subject])
    if enrolling:
        _record_user_event(
            session, user, actor=f"user:{user.id}", action="auth.second_factor_enrolled"
        )
    return CodeResult(CodeOutcome.accepted)
