"""Start-up checks: several processes starting at once, and settings that cannot run safely."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from app.system import HASH_KEY_FINGERPRINT, hash_key_fingerprint
from tests.conftest import is_postgres


def test_workers_starting_together_on_a_new_database_all_start(
    database_url: str, settings_override: object
) -> None:
    """The first start stores the hash key's fingerprint; a second process storing it at the
    same moment must compare with it, not crash on the duplicate."""
    if not is_postgres(database_url):
        pytest.skip("SQLite serialises every write transaction (BEGIN IMMEDIATE)")
    from app.settings import get_settings
    from app.startup import check_startup

    fingerprint = hash_key_fingerprint(get_settings().hash_key)
    engine = create_engine(database_url)
    errors: list[BaseException] = []
    try:
        with engine.connect() as other:
            # Another process has inserted the fingerprint and not yet committed.
            other.execute(
                text("INSERT INTO system_setting (name, value) VALUES (:name, :value)"),
                {"name": HASH_KEY_FINGERPRINT, "value": fingerprint},
            )

            def start() -> None:
                try:
                    check_startup()
                except BaseException as exc:
                    errors.append(exc)

            starting = threading.Thread(target=start)
            starting.start()
            starting.join(timeout=1)
            assert starting.is_alive(), "check_startup should wait on the uncommitted insert"
            other.commit()
            starting.join(timeout=30)
    finally:
        engine.dispose()
    assert errors == []


def test_dispatch_starts_with_a_clear_message_when_the_settings_are_unsafe(
    settings_override: object,
) -> None:
    from app.cli import app

    settings_override(VV_ENV="production", VV_BASE_URL="http://victim-voice.example")  # type: ignore[operator]
    result = CliRunner().invoke(app, ["dispatch", "--once"])
    assert result.exit_code == 1
    assert "Cannot start" in result.output and "https://" in result.output


def _production(**values: str) -> dict[str, str]:
    from cryptography.fernet import Fernet

    return {
        "env": "production",
        "secret_keys": "s" * 40,
        "encryption_keys": Fernet.generate_key().decode(),
        "hash_key": "h" * 40,
        **values,
    }


@pytest.mark.parametrize(
    "base_url",
    [
        "http://victim-voice.example",  # no Secure cookies, no HSTS
        "HTTP://victim-voice.example",
        "https://",  # no host: links would go nowhere
        "victim-voice.example",
    ],
)
def test_production_refuses_a_base_url_that_is_not_https(base_url: str, tmp_path: object) -> None:
    from pathlib import Path

    from app.settings import Settings, SettingsError, complete_secrets

    with pytest.raises(SettingsError, match="VV_BASE_URL") as raised:
        complete_secrets(Settings(**_production(base_url=base_url)), Path(str(tmp_path)) / "s")
    assert "https://" in str(raised.value) and "Secure" in str(raised.value)


def test_production_with_https_starts_with_secure_cookies_and_hsts(
    settings_override: object,
) -> None:
    from fastapi.testclient import TestClient

    from app.main import create_app
    from app.settings import Settings, complete_secrets

    settings = complete_secrets(Settings(**_production(base_url="https://vv.example.org")))
    assert settings.is_https
    settings_override(  # type: ignore[operator]
        VV_ENV="production",
        VV_BASE_URL="https://vv.example.org",
        VV_SECRET_KEYS="s" * 40,
        VV_HASH_KEY="h" * 40,
    )
    with TestClient(create_app(), base_url="https://vv.example.org") as client:
        response = client.get("/healthz")
    assert "max-age=" in response.headers["strict-transport-security"]


def test_serve_refuses_production_over_http(
    settings_override: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from app.cli import app

    def serve_forever(*args: object, **kwargs: object) -> None:
        raise AssertionError("the service started serving")

    monkeypatch.setattr(uvicorn, "run", serve_forever)
    settings_override(VV_ENV="production", VV_BASE_URL="http://vv.example.org")  # type: ignore[operator]
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "Cannot start: VV_ENV=production needs an https:// VV_BASE_URL" in result.output


def test_the_app_itself_refuses_production_over_http(settings_override: object) -> None:
    """`uvicorn app.main:create_app` without the CLI refuses too."""
    from app.main import create_app
    from app.settings import SettingsError

    settings_override(  # type: ignore[operator]
        VV_ENV="production",
        VV_BASE_URL="http://vv.example.org",
        VV_SECRET_KEYS="s" * 40,
        VV_HASH_KEY="h" * 40,
    )
    with pytest.raises(SettingsError, match="https://"):
        create_app()


def test_production_with_notify_refuses_to_start_without_the_inbound_sender(
    tmp_path: object,
) -> None:
    """Every SMS must come from the Notify service's inbound number (a STOP reply reaches it)."""
    from pathlib import Path

    from app.settings import Settings, SettingsError, complete_secrets

    production = _production(base_url="https://vv.example.org", sender="notify")
    with pytest.raises(SettingsError, match="VV_NOTIFY_SMS_SENDER_ID") as raised:
        complete_secrets(Settings(**production), Path(str(tmp_path)) / "s")
    assert "inbound" in str(raised.value)
    with pytest.raises(SettingsError, match="VV_NOTIFY_SMS_SENDER_ID"):
        complete_secrets(Settings(**production, notify_sms_sender_id="  "))
    started = complete_secrets(Settings(**production, notify_sms_sender_id="a-sender-id"))
    assert started.notify_sms_sender_id == "a-sender-id"
    # Outside production, or with another sender, it is not needed.
    complete_secrets(Settings(**{**production, "sender": "smtp"}))


def test_serve_refuses_production_notify_without_the_inbound_sender(
    settings_override: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    from app.cli import app

    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("the service started"))
    settings_override(  # type: ignore[operator]
        VV_ENV="production",
        VV_BASE_URL="https://vv.example.org",
        VV_SECRET_KEYS="s" * 40,
        VV_HASH_KEY="h" * 40,
        VV_SENDER="notify",
    )
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "Cannot start: VV_ENV=production with VV_SENDER=notify needs" in result.output
