"""The one-time code: its alphabet, entropy, spelling and keyed hash (issue 12)."""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from typing import Any

from app.handover.codes import ALPHABET, CODE_LENGTH, code_hash, new_code, normalise


def test_the_alphabet_has_32_letters_without_look_alikes() -> None:
    assert ALPHABET == "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    assert len(set(ALPHABET)) == 32
    assert not set("0O1I") & set(ALPHABET)


def test_a_code_is_8_characters_and_40_bits() -> None:
    assert CODE_LENGTH == 8
    assert CODE_LENGTH * math.log2(len(ALPHABET)) >= 40
    codes = [new_code() for _ in range(4000)]
    assert all(len(code) == 8 and set(code) <= set(ALPHABET) for code in codes)
    assert len(set(codes)) == len(codes)
    # Every letter is drawn, at about the same rate (32,000 draws: ~1,000 each).
    counts = Counter("".join(codes))
    assert set(counts) == set(ALPHABET)
    assert all(800 < count < 1200 for count in counts.values()), counts


def test_the_code_is_drawn_with_secrets(monkeypatch: Any) -> None:
    import app.handover.codes as codes

    calls: list[str] = []
    monkeypatch.setattr(codes.secrets, "choice", lambda seq: calls.append(seq) or seq[0])
    assert new_code() == "AAAAAAAA" and len(calls) == 8


def test_case_spaces_and_dashes_are_ignored() -> None:
    assert normalise(" abcd-efgh ") == "ABCDEFGH"
    assert normalise("AB CD – EF GH") == "ABCDEFGH"
    assert normalise("ABCD\u2010EFGH") == "ABCDEFGH"
    for bad in ("", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "ABCDEFGI", "ABCDÉFGH", "x" * 500):
        assert normalise(bad) is None, bad


def test_the_stored_hash_is_keyed_never_plain_sha256(settings_override: Any) -> None:
    code = "ABCDEFGH"
    first = code_hash(code)
    assert first != hashlib.sha256(code.encode()).hexdigest()
    assert len(first) == 64
    settings_override(VV_HASH_KEY="another-key-" + "x" * 40)
    assert code_hash(code) != first
