"""Staff passwords: Argon2id hashes (argon2-cffi's RFC 9106 defaults)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_PASSWORD_LENGTH = 12
# Argon2 cost grows with input length; a cap keeps a huge "password" from tying up a worker.
MAX_PASSWORD_LENGTH = 1024

_hasher = PasswordHasher()


class WeakPassword(ValueError):
    """The password does not meet the length rules; the message says which."""


def check_password_rules(password: str) -> None:
    """Raise WeakPassword unless the password is long enough (length beats complexity rules)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must be at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"The password must be at most {MAX_PASSWORD_LENGTH} characters.")


def hash_password(password: str) -> str:
    """An Argon2id hash, salted, with its parameters encoded in it."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True if `password` matches; never raises for a wrong or malformed hash."""
    if len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than the current ones."""
    return _hasher.check_needs_rehash(password_hash)


# Made once at import, not on first use: a first-use delay would itself be a timing tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password-only-burns-time")


def burn_verification_time(password: str) -> None:
    """Spend as long as a real check, so an unknown email cannot be told apart by timing."""
    verify_password(_DUMMY_HASH, password)
