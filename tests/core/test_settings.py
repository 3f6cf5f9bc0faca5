"""Secrets: generated once in development, required in production; the hash key is pinned."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session
from typer.testing import CliRunner

from app.settings import Settings, SettingsError, complete_secrets
from app.system import HashKeyMismatch, SystemSetting, check_hash_key


def test_development_secrets_are_generated_once_and_kept(tmp_path: Path) -> None:
    secret_file = tmp_path / ".victim-voice-secret"
    first = complete_secrets(Settings(secret_keys="", encryption_keys="", hash_key=""), secret_file)
    assert secret_file.exists()
    assert oct(secret_file.stat().st_mode & 0o777) == "0o600"
    second = complete_secrets(
        Settings(secret_keys="", encryption_keys="", hash_key=""), secret_file
    )
    assert first.secret_keys == second.secret_keys and len(first.secret_keys) >= 32
    assert first.hash_key == second.hash_key
    Fernet(first.fernet_keys[0].encode())  # a usable Fernet key


def test_explicit_secrets_win_over_the_development_file(tmp_path: Path) -> None:
    settings = complete_secrets(
        Settings(secret_keys="mine" * 10, encryption_keys="", hash_key=""),
        tmp_path / "secret",
    )
    assert settings.secret_keys == "mine" * 10


def test_production_refuses_to_start_without_real_secrets(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="VV_SECRET_KEYS"):
        complete_secrets(
            Settings(env="production", secret_keys="", encryption_keys="", hash_key=""),
            tmp_path / "secret",
        )
    assert not (tmp_path / "secret").exists()


def test_production_refuses_short_keys(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="at least 32"):
        complete_secrets(
            Settings(
                env="production",
                secret_keys="short",
                encryption_keys=Fernet.generate_key().decode(),
                hash_key="x" * 40,
            ),
            tmp_path / "secret",
        )


def test_bad_fernet_key_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Fernet"):
        complete_secrets(
            Settings(secret_keys="s" * 40, encryption_keys="not-a-key", hash_key="h" * 40),
            tmp_path / "secret",
        )


def test_hash_key_fingerprint_is_stored_then_enforced(db: Session) -> None:
    check_hash_key(db, "first-key" * 5)
    db.commit()
    stored = db.get(SystemSetting, "hash_key_fingerprint")
    assert stored is not None and "first-key" not in stored.value
    check_hash_key(db, "first-key" * 5)  # same key: fine
    with pytest.raises(HashKeyMismatch, match="VV_HASH_KEY"):
        check_hash_key(db, "another-key" * 5)


def test_serve_refuses_a_changed_hash_key(db: Session, settings_override) -> None:
    from app.cli import app

    check_hash_key(db, "original-hash-key" * 3)
    db.commit()
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 1
    assert "VV_HASH_KEY" in result.output


def test_bad_quiet_hours_are_refused_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    monkeypatch.setenv("VV_QUIET_HOURS", "8pm to 9am")
    with pytest.raises(ValidationError, match="20:00-09:00"):
        Settings()
    monkeypatch.setenv("VV_QUIET_HOURS", "none")
    assert Settings().quiet_hours == "none"
