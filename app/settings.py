"""Service settings: every `VV_` variable of the public contract, in one place."""

from __future__ import annotations

import secrets
from functools import lru_cache
from ipaddress import IPv4Network, IPv6Network
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from app.setting_values import parse_networks, parse_quiet_hours

DEV_SECRET_FILE = Path("./.victim-voice-secret")


class SettingsError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="VV_", env_file=".env", extra="ignore")

    database_url: str = "sqlite:///./victim-voice.db"
    secret_keys: str = ""
    encryption_keys: str = ""
    hash_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    sender: Literal["outbox", "notify", "smtp"] = "outbox"
    outbox_path: Path = Path("./outbox.jsonl")
    notify_api_key: str = ""
    notify_base_url: str = ""
    notify_sms_template_id: str = ""
    notify_email_template_id: str = ""
    # The id of the Notify service's inbound-number text message sender: every SMS comes from
    # that number (a reply STOP reaches it; an alphanumeric sender cannot be replied to, and a
    # sender name could say who is writing). Required in production with VV_SENDER=notify.
    notify_sms_sender_id: str = ""
    smtp_url: str = ""
    notify_callback_token: str = ""
    env: Literal["development", "production", "test"] = "development"
    min_cell: int = 10
    link_ttl_days: int = 28
    # A support service's invitation not handed over within this many days of its upload ends
    # (its link life, VV_LINK_TTL_DAYS, runs from the handover). Never sooner than 56 days:
    # a survivor may not see their worker for weeks (issue 12), so a longer wait only.
    handover_days: int = Field(default=56, ge=56, le=3650)
    reminder_after_days: int = 7
    dispatch_delay_days: int = 3
    quiet_hours: str = "20:00-09:00"
    # A dispatch worker's claim on a message (and its hand-over) lasts this long; after it,
    # another worker sends a claimed message again, or holds a handed-over one for review.
    # Keep it well above the 30-second provider timeout.
    dispatch_claim_seconds: int = Field(default=300, ge=1)
    # Between invitations of different cases of one contact; stages of one case follow
    # stage_gap_days instead (app/invitations/stage_ledger.py).
    cooling_off_days: int = 90
    stage_gap_days: int = Field(default=28, ge=0)
    # The case-stage ledger is kept this long after a case's last stage.
    case_ledger_months: int = Field(default=24, ge=1)
    # After `victim_withdrew`, invite only when this is on, and only through a support service.
    invite_after_victim_withdrew: bool = False
    retention_months: int = 36
    # A touchpoint date older than this (or in the future) rejects its batch row.
    max_touchpoint_age_days: int = 120
    # A specialist group's direct row needs consent_to_survey recorded at most this long ago.
    consent_max_age_days: int = Field(default=90, ge=0)
    # on: direct invitations for specialist groups (after the OPCC's data protection impact
    # assessment and safeguarding sign-off); off: their direct rows are rejected.
    specialist_direct_contact: bool = False
    service_name: str = "Your views"
    organisation: str = "Office of the Police and Crime Commissioner"
    verify_url: str = ""
    # Shown on the genuine-message page (/) and the accessibility statement: how to reach the
    # organisation, and the number our text messages come from (Notify's inbound number).
    contact_email: str = ""
    contact_phone: str = ""
    sms_number: str = ""

    # Not in the contract, but users would expect to tune them.
    staff_session_idle_minutes: int = 30
    staff_session_absolute_hours: int = 12
    survey_session_minutes: int = 60
    max_body_bytes: int = 20 * 1024 * 1024
    # Comma-separated IPs or CIDR networks of reverse proxies whose X-Forwarded-For is believed
    # (app/auth/client_address.py); empty: the socket's peer is the client.
    trusted_proxies: str = ""
    max_batch_rows: int = 100_000

    @field_validator("min_cell")
    @classmethod
    def _min_cell_positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("VV_MIN_CELL must be at least 1")
        return value

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_hours_parse(cls, value: str) -> str:
        parse_quiet_hours(value)  # raises ValueError with the expected form
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _trusted_proxies_parse(cls, value: str) -> str:
        parse_networks(value)  # raises ValueError naming the bad entry
        return value

    @property
    def trusted_proxy_networks(self) -> list[IPv4Network | IPv6Network]:
        return parse_networks(self.trusted_proxies)

    @property
    def signing_keys(self) -> list[str]:
        return _split(self.secret_keys)

    @property
    def fernet_keys(self) -> list[str]:
        return _split(self.encryption_keys)

    @property
    def is_https(self) -> bool:
        return self.base_url.lower().startswith("https://")


def _is_https_with_host(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme.lower() == "https" and bool(parts.hostname)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _load_dev_secrets(path: Path) -> dict[str, str]:
    """Read, or create once, the development secret file (git-ignored)."""
    if path.exists():
        values: dict[str, str] = {}
        for line in path.read_text().splitlines():
            if "=" in line and not line.startswith("#"):
                name, _, value = line.partition("=")
                values[name.strip()] = value.strip()
        return values
    values = {
        "VV_SECRET_KEYS": secrets.token_urlsafe(48),
        "VV_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "VV_HASH_KEY": secrets.token_urlsafe(48),
    }
    path.write_text(
        "# Development secrets for Victim Voice, generated once. Never use in production.\n"
        + "".join(f"{name}={value}\n" for name, value in values.items())
    )
    path.chmod(0o600)
    return values


def complete_secrets(settings: Settings, secret_file: Path = DEV_SECRET_FILE) -> Settings:
    """Fill unset secrets from the development file, or refuse in production."""
    missing = [
        name
        for name, value in (
            ("VV_SECRET_KEYS", settings.secret_keys),
            ("VV_ENCRYPTION_KEYS", settings.encryption_keys),
            ("VV_HASH_KEY", settings.hash_key),
        )
        if not value
    ]
    if settings.env == "production":
        if missing:
            raise SettingsError(
                "VV_ENV=production needs real secrets; set " + ", ".join(missing) + "."
            )
        if any(len(key) < 32 for key in settings.signing_keys) or len(settings.hash_key) < 32:
            raise SettingsError(
                "VV_SECRET_KEYS and VV_HASH_KEY must each be at least 32 characters in production."
            )
        if not _is_https_with_host(settings.base_url):
            # Over http the cookies would not be Secure and no HSTS header would be sent.
            raise SettingsError(
                "VV_ENV=production needs an https:// VV_BASE_URL with a host name "
                "(Secure cookies and HSTS depend on it); "
                "terminate TLS in front of the service and set VV_BASE_URL=https://…"
            )
        _check_production_sender(settings)
    elif missing:
        dev = _load_dev_secrets(secret_file)
        updates = {name.removeprefix("VV_").lower(): dev[name] for name in missing if name in dev}
        settings = settings.model_copy(update=updates)
    for key in settings.fernet_keys:
        try:
            Fernet(key.encode())
        except ValueError as exc:
            raise SettingsError(
                "VV_ENCRYPTION_KEYS must be comma-separated Fernet keys "
                "(32 url-safe base64-encoded bytes each)."
            ) from exc
    return settings


def _check_production_sender(settings: Settings) -> None:
    if settings.sender == "notify" and not settings.notify_sms_sender_id.strip():
        raise SettingsError(
            "VV_ENV=production with VV_SENDER=notify needs VV_NOTIFY_SMS_SENDER_ID: the id of "
            "the Notify service's inbound-number text message sender (Notify: Settings, Text "
            "message senders), so that every SMS comes from a number a victim can reply STOP to."
        )


@lru_cache
def get_settings() -> Settings:
    """The settings for this process; tests clear the cache to change them."""
    return complete_secrets(Settings())
