"""One-time handover codes: 8 characters of a 32-letter alphabet, stored only as a keyed hash.

32 letters without look-alikes (no 0/O, no 1/I), so a code read aloud or copied from paper is
typed right: 8 of them are 32**8 = 2**40 codes, drawn with `secrets`. 40 bits is far too few to
store as a plain SHA-256 (anyone with the table could try every code offline in hours), so the
stored form is an HMAC under VV_HASH_KEY (app/crypto.py: keyed_hash); online guessing is held
back by the throttle on `/code` (app/handover/code_pages.py).
"""

from __future__ import annotations

import secrets

from app.crypto import keyed_hash

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
CODE_HASH_PURPOSE = "handover-code"
# Spaces and dashes a victim may type between the halves (or a phone may add) are ignored.
_IGNORED = frozenset(" \t-\u2010\u2011\u2012\u2013\u2014\u2212")
_MAX_TYPED = 40


def new_code() -> str:
    """A fresh code (shown once to the worker, never stored as such)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalise(typed: str) -> str | None:
    """The code as typed, in capitals without spaces or dashes; None if it cannot be one."""
    if len(typed) > _MAX_TYPED:
        return None
    code = "".join(ch for ch in typed if ch not in _IGNORED).upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(ALPHABET):
        return None
    return code


def code_hash(code: str) -> str:
    """The stored form of a (normalised) code."""
    return keyed_hash(CODE_HASH_PURPOSE, code)


def shown(code: str) -> str:
    """The code as the worker reads it out: two groups of four."""
    return f"{code[:4]}-{code[4:]}"
