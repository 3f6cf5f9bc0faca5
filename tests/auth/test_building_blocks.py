"""Pure pieces of staff access, tested directly: codes, sign-in tokens, return addresses."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pyotp
import pytest

from app.auth import csrf, totp
from app.auth.api_keys import prefix_of
from app.auth.staff_page import safe_next

NOW = datetime(2026, 11, 27, 12, 0, 10, tzinfo=UTC)


def _code(secret: str, step_offset: int) -> str:
    otp = pyotp.TOTP(secret)
    return otp.generate_otp(otp.timecode(NOW) + step_offset)


def test_a_code_is_valid_one_step_either_side_of_now() -> None:
    secret = totp.new_secret()
    step = pyotp.TOTP(secret).timecode(NOW)
    for offset in (-1, 0, 1):
        found = totp.matching_step(secret, _code(secret, offset), last_step=None, now=NOW)
        assert found == step + offset
    for offset in (-3, -2, 2, 3):
        assert totp.matching_step(secret, _code(secret, offset), last_step=None, now=NOW) is None


def test_a_code_of_a_used_step_or_earlier_is_refused() -> None:
    secret = totp.new_secret()
    step = pyotp.TOTP(secret).timecode(NOW)
    code = _code(secret, 0)
    assert totp.matching_step(secret, code, last_step=step, now=NOW) is None
    assert totp.matching_step(secret, _code(secret, -1), last_step=step, now=NOW) is None
    assert totp.matching_step(secret, _code(secret, 1), last_step=step, now=NOW) == step + 1


def test_codes_may_be_typed_with_spaces_but_must_be_six_digits() -> None:
    secret = totp.new_secret()
    code = _code(secret, 0)
    spaced = f" {code[:3]} {code[3:]} "
    assert totp.matching_step(secret, spaced, last_step=None, now=NOW) is not None
    for bad in ("", "12345", "1234567", "abcdef", code + "0"):
        assert totp.matching_step(secret, bad, last_step=None, now=NOW) is None


def test_a_naive_time_is_read_as_utc() -> None:
    secret = totp.new_secret()
    naive = NOW.replace(tzinfo=None)
    assert totp.matching_step(secret, _code(secret, 0), last_step=None, now=naive) is not None


def test_the_setup_key_is_grouped_for_typing() -> None:
    assert totp.grouped_secret("ABCDEFGHIJ") == "ABCD EFGH IJ"


def test_the_qr_code_is_plain_inline_svg() -> None:
    svg = totp.qr_code_svg(totp.provisioning_uri(totp.new_secret(), account="a@b.c", issuer="X"))
    assert svg.startswith("<svg") and "style=" not in svg and "<script" not in svg


def test_sign_in_form_tokens_survive_key_rotation(settings_override: Callable[..., None]) -> None:
    seed = csrf.new_login_seed()
    token = csrf.login_form_token(seed)
    assert csrf.login_form_token_valid(seed, token)
    assert not csrf.login_form_token_valid(csrf.new_login_seed(), token)
    assert not csrf.login_form_token_valid(seed, None)
    assert not csrf.login_form_token_valid(None, token)
    settings_override(VV_SECRET_KEYS="a-brand-new-signing-key-0123456789abcdef," + _current_key())
    assert csrf.login_form_token_valid(seed, token)  # the old key still verifies
    settings_override(VV_SECRET_KEYS="a-brand-new-signing-key-0123456789abcdef")
    assert not csrf.login_form_token_valid(seed, token)


def _current_key() -> str:
    from app.settings import get_settings

    return get_settings().signing_keys[0]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("/reports/quarterly?period=2026-Q3", "/reports/quarterly?period=2026-Q3"),
        ("/staff/", "/staff/"),
        ("", "/staff/"),
        (None, "/staff/"),
        ("//evil.example/", "/staff/"),
        ("/\\evil.example/", "/staff/"),
        ("https://evil.example/", "/staff/"),
        ("/staff/\r\nSet-Cookie: x=1", "/staff/"),
        ("relative/path", "/staff/"),
    ],
)
def test_after_sign_in_only_local_paths_are_followed(given: str | None, expected: str) -> None:
    assert safe_next(given) == expected


def test_a_key_prefix_is_read_with_or_without_the_vv_part() -> None:
    assert prefix_of("ab12cd34") == "ab12cd34"
    assert prefix_of("vv_ab12cd34") == "ab12cd34"
    assert prefix_of(" vv_ab12cd34_secret-part ") == "ab12cd34"
