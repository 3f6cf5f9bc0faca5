"""Signed, expiring survey links that name only a random invitation id.

A token is `<invitation id, 16 bytes base64url>.<timestamp>.<HMAC-SHA256 tag>`: SHA-256 with
a purpose salt, keys from VV_SECRET_KEYS (all verify, the first signs). The tag is truncated
to 128 bits and the id packed to 22 characters so that a link and its stop link fit in two
SMS fragments beside the organisation's name and its "check this is genuine" page (about 52
characters instead of the ~100 of a JSON payload). 128 bits is far beyond online guessing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from itsdangerous.signer import HMACAlgorithm

from app.settings import get_settings

SURVEY_LINK_SALT = "victim-voice.survey-link.v1"
TAG_BYTES = 16


class InvalidLink(Exception):
    """Forged, tampered, wrong-purpose or unknown: answered with 404."""


class ExpiredLink(Exception):
    """Signed by us but past its lifetime: answered with 410."""


class _TruncatedHmacSha256(HMACAlgorithm):
    """HMAC-SHA256 keeping the first 128 bits (RFC 2104 allows truncation to half)."""

    def __init__(self) -> None:
        super().__init__(hashlib.sha256)

    def get_signature(self, key: bytes, value: bytes) -> bytes:
        return super().get_signature(key, value)[:TAG_BYTES]


def _signer(salt: str) -> TimestampSigner:
    # All keys verify (rotation); itsdangerous signs with the last, so the first key of
    # VV_SECRET_KEYS goes last.
    keys = get_settings().signing_keys
    return TimestampSigner(
        list(reversed(keys)),
        salt=salt,
        key_derivation="hmac",
        digest_method=hashlib.sha256,
        algorithm=_TruncatedHmacSha256(),
    )


def _pack_id(invitation_id: str) -> str:
    return base64.urlsafe_b64encode(uuid.UUID(invitation_id).bytes).decode().rstrip("=")


def _unpack_id(packed: bytes) -> str:
    try:
        raw = base64.urlsafe_b64decode(packed + b"==")
        return str(uuid.UUID(bytes=raw))
    except (binascii.Error, ValueError) as exc:
        raise InvalidLink from exc


def make_survey_token(invitation_id: str) -> str:
    """A token naming `invitation_id` (a UUID), valid from now for the link lifetime."""
    return _signer(SURVEY_LINK_SALT).sign(_pack_id(invitation_id)).decode()


def read_survey_token(token: str, *, max_age_seconds: int | None = None) -> str:
    """The invitation id named by `token`; raises InvalidLink or ExpiredLink.

    The token is made when the first message is sent, so its own age bound equals the
    link lifetime from first send; the server-side `Invitation.expires_at` and status decide
    the rest (cancelled, withdrawn, expired).
    """
    if max_age_seconds is None:
        max_age_seconds = get_settings().link_ttl_days * 86400
    try:
        packed = _signer(SURVEY_LINK_SALT).unsign(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise ExpiredLink from exc
    except BadSignature as exc:
        raise InvalidLink from exc
    return _unpack_id(packed)


def survey_url(token: str) -> str:
    """The link sent to the victim, always from VV_BASE_URL (never the request's Host)."""
    return f"{get_settings().base_url.rstrip('/')}/s/{token}"


def stop_url(token: str) -> str:
    """The opt-out page of a link (stop link in messages, email List-Unsubscribe target)."""
    return f"{survey_url(token)}/stop"
