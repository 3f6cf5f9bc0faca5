"""Encryption at rest (MultiFernet, rotatable) and keyed hashes (HMAC-SHA256)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from app.settings import get_settings


class DecryptionFailed(Exception):
    """No configured key opens this value."""


def _fernet() -> MultiFernet:
    return _fernet_for(tuple(get_settings().fernet_keys))


@lru_cache(maxsize=4)
def _fernet_for(keys: tuple[str, ...]) -> MultiFernet:
    # Building the key set costs more than encrypting one contact: keep it per key list.
    return MultiFernet([Fernet(key.encode()) for key in keys])


def encrypt(plaintext: str) -> str:
    """Encrypt with the first key of VV_ENCRYPTION_KEYS."""
    return _fernet().encrypt(plaintext.encode()).decode()


def decrypt(ciphertext: str) -> str:
    """Decrypt with any key of VV_ENCRYPTION_KEYS."""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionFailed from exc


def rotate(ciphertext: str) -> str:
    """Re-encrypt under the first key (after a new key is put first)."""
    return _fernet().rotate(ciphertext.encode()).decode()


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA256 under VV_HASH_KEY; `purpose` keeps hashes of different kinds apart."""
    key = get_settings().hash_key.encode()
    return hmac.new(key, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()
