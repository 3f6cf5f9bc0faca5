"""Time-based one-time codes (RFC 6238, via pyotp) for the staff second factor."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

import pyotp
import segno

# One step either side absorbs clock drift between the server and the phone.
VALID_WINDOW = 1
_CODE = re.compile(r"^[0-9]{6}$")


def new_secret() -> str:
    """A random base32 secret of 160 bits (the RFC 4226 recommended length)."""
    return pyotp.random_base32(32)


def normalise_code(raw: str) -> str:
    """The code without the spaces or dashes people type from authenticator apps."""
    return re.sub(r"[\s-]", "", raw)


def well_formed(raw: str) -> bool:
    """True if `raw` is six digits once spaces and dashes are taken out."""
    return _CODE.fullmatch(normalise_code(raw)) is not None


def matching_step(secret: str, code: str, *, last_step: int | None, now: datetime) -> int | None:
    """The time step `code` belongs to, if valid now and later than `last_step`; else None.

    Returning the step lets the caller store it, so the same code cannot be used twice.
    """
    code = normalise_code(code)
    if not _CODE.match(code):
        return None
    if now.tzinfo is None:
        # pyotp reads a naive time as local time; ours are naive UTC.
        now = now.replace(tzinfo=UTC)
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_code_svg(uri: str) -> str:
    """The QR code as inline SVG: drawn here, never fetched from an image service."""
    return str(segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff"))


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
