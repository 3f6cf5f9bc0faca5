"""Staff passwords: Argon2id hashes (argon2-cffi's RFC 9106 defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from app.settings import get_settings

MIN_PASSWORD_LENGTH = 12
# Argon2 cost grows with input length; a cap keeps a huge "password" from tying up a worker.
MAX_PASSWORD_LENGTH = 1024

_HASHER = PasswordHasher()
# VV_ENV=test only: still Argon2id, at a cost that keeps hundreds of sign-ins in the test suite
# fast. Every other environment uses the RFC 9106 defaults above.
_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


class WeakPassword(ValueError):
    """The password does not meet the length rules; the message says which."""


def check_password_rules(password: str) -> None:
    """Raise WeakPassword unless the password is long enough (length beats complexity rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")
    if "\x00" in password:
        # The sign-in form refuses it (app/auth/pages.py), so such a password could never be used.
        raise WeakPassword("The password cannot contain a null character (U+0000).")


def hash_password(password: str) -> str:
    """An Argon2id hash, salted, with its parameters encoded in it."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; never raises for a wrong or malformed hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher().check_needs_rehash(password_hash)


# Made once at import, not on first use: a first-use delay would itself be a timing tell.
_DUMMY_HASHES = {
    id(hasher): hasher.hash("not-a-real-password-only-burns-time")
    for hasher in (_HASHER, _TEST_HASHER)
}


def _hasher() -> PasswordHasher:
    return _TEST_HASHER if get_settings().env == "test" else _HASHER


def burn_verification_time(password: str) -> None:
    """Spend as long as a real check, so an unknown email cannot be told apart by timing."""
    verify_password(_DUMMY_HASHES[id(_hasher())], password)
