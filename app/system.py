"""Facts the service keeps about itself, such as the hash key fingerprint."""

from __future__ import annotations

import hashlib
import hmac

from sqlmodel import Field, Session, SQLModel

HASH_KEY_FINGERPRINT = "hash_key_fingerprint"


class SystemSetting(SQLModel, table=True):
    __tablename__ = "system_setting"

    name: str = Field(primary_key=True, max_length=80)
    value: str = Field(max_length=500)


class HashKeyMismatch(RuntimeError):
    """VV_HASH_KEY differs from the key the stored hashes were made with."""


def hash_key_fingerprint(hash_key: str) -> str:
    # A keyed digest of a constant: reveals nothing about the key, identifies it exactly.
    return hmac.new(hash_key.encode(), b"victim-voice fingerprint v1", hashlib.sha256).hexdigest()


def check_hash_key(session: Session, hash_key: str) -> None:
    """Store the fingerprint on first start; refuse a different key afterwards."""
    fingerprint = hash_key_fingerprint(hash_key)
    stored = session.get(SystemSetting, HASH_KEY_FINGERPRINT)
    if stored is None:
        session.add(SystemSetting(name=HASH_KEY_FINGERPRINT, value=fingerprint))
        session.flush()
        return
    if not hmac.compare_digest(stored.value, fingerprint):
        raise HashKeyMismatch(
            "VV_HASH_KEY is not the key this database was set up with. Changing it would "
            "silently void opt-outs, cooling-off and cancellations; restore the original key."
        )
