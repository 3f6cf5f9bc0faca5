"""Signed, expiring survey links that name only a random invitation id."""

from __future__ import annotations

import hashlib

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from app.settings import get_settings

SURVEY_LINK_SALT = "victim-voice.survey-link.v1"


class InvalidLink(Exception):
    """Forged, tampered, wrong-purpose or unknown: answered with 404."""


class ExpiredLink(Exception):
    """Signed by us but past its lifetime: answered with 410."""


def _serializer(salt: str) -> URLSafeTimedSerializer:
    # All keys verify (rotation); itsdangerous signs with the last, so the first key of
    # VV_SECRET_KEYS goes last. SHA-256, one salt per purpose.
    keys = get_settings().signing_keys
    return URLSafeTimedSerializer(
        list(reversed(keys)), salt=salt, signer_kwargs={"digest_method": hashlib.sha256}
    )


def make_survey_token(invitation_id: str) -> str:
    return _serializer(SURVEY_LINK_SALT).dumps(invitation_id)


def read_survey_token(token: str, *, max_age_seconds: int | None = None) -> str:
    """The invitation id named by `token`; raises InvalidLink or ExpiredLink."""
    if max_age_seconds is None:
        max_age_seconds = get_settings().link_ttl_days * 86400
    try:
        value = _serializer(SURVEY_LINK_SALT).loads(token, max_age=max_age_seconds)
    except SignatureExpired as exc:
        raise ExpiredLink from exc
    except BadSignature as exc:
        raise InvalidLink from exc
    if not isinstance(value, str):
        raise InvalidLink
    return value


def survey_url(token: str) -> str:
    """The link sent to the victim, always from VV_BASE_URL (never the request's Host)."""
    return f"{get_settings().base_url.rstrip('/')}/s/{token}"
