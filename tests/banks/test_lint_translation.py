"""The wording lint in Urdu and Polish: the lists of question_banks/lint_phrases.yaml, pending
(warnings) until a partner's native speaker signs them off, then errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.banks import translation_rules
from app.banks.files import check_paths
from app.banks.lint import check_document
from app.banks.translation_rules import (
    LINT_PHRASES_PATH,
    check_lint_phrases_file,
    normalized,
    phrase_lists,
)

LISTS = """
languages:
  ur:
    review: {review}
    signed_off_by: {by}
    signed_off_on: {on}
    phrases:
      asks_where_when: [یہ کہاں ہوا]
  pl:
    review: pending
    phrases:
      asks_delay: [tak długo zwlekał*]
"""


def _write(tmp_path: Path, review: str = "pending", by: str = "null", on: str = "null") -> Path:
    path = tmp_path / "lint_phrases.yaml"
    path.write_text(LISTS.format(review=review, by=by, on=on), encoding="utf-8")
    return path


@pytest.fixture
def approved_urdu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = _write(tmp_path, "approved", '"Sahara Women (A. Khan)"', '"2026-12-01"')
    monkeypatch.setattr(translation_rules, "LINT_PHRASES_PATH", path)
    return path


def _bank(ur: str = "آپ کا شکریہ", pl: str = "Dziękujemy", **extra: Any) -> dict[str, Any]:
    return {
        "slug": "general",
        "title": "Test",
        "translations": {"ur": {"status": "draft"}, "pl": {"status": "draft"}},
        "questions": [
            {
                "id": "q1",
                "type": "text",
                "text": {"en": "Is there anything else you would like to say?", "ur": ur, "pl": pl},
                **extra,
            }
        ],
    }


def _found(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    _parsed, problems = check_document(document)
    return [(p.rule, p.severity, p.message) for p in problems if p.question_id == "q1"]


def test_normalized_ignores_case_punctuation_and_diacritics() -> None:
    # Accents are dropped on both sides: people often type Polish without them.
    assert (
        normalized("Dlaczego CZEKAŁAŚ?!")
        == normalized("dlaczego czekałas")
        == ("dlaczego czekałas")
    )
    assert normalized("یہ کہاں ہُوا؟") == "یہ کہاں ہوا"
    assert normalized("يه") == normalized("یہ")  # Arabic ye and he read as Urdu's


def test_a_pending_list_match_is_a_warning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(translation_rules, "LINT_PHRASES_PATH", _write(tmp_path))
    assert _found(_bank(ur="براہ کرم بتائیں، یہ کہاں ہوا؟")) == [
        (
            "translation_wording",
            "warning",
            "the ur text may be one that asks where or when it happened ('یہ کہاں ہوا'): ask the "
            "partner's translator to check it (the ur phrase list awaits a native speaker's "
            "review, so this is a warning)",
        )
    ]


def test_an_approved_list_match_is_an_error(approved_urdu: Path) -> None:
    assert _found(_bank(ur="یہ کہاں ہوا؟")) == [
        (
            "translation_wording",
            "error",
            "the ur text asks where or when it happened ('یہ کہاں ہوا'): reword the translation, "
            "or add a waiver for rule translation_wording with a written reason",
        )
    ]


def test_a_final_star_matches_word_endings_and_options_are_checked(approved_urdu: Path) -> None:
    document = _bank()
    question = document["questions"][0]
    question["type"] = "single"
    question["options"] = [
        {"code": "a", "label": {"en": "A", "pl": "Dlaczego tak długo zwlekałaś?"}},
        {"code": "b", "label": {"en": "B", "pl": {"text": "Nie", "status": "draft"}}},
    ]
    assert [(rule, severity) for rule, severity, _m in _found(document)] == [
        ("translation_wording", "warning")
    ]


def test_only_whole_words_match(approved_urdu: Path) -> None:
    assert _found(_bank(pl="Zwlekałaś tak długo zwlekać")) == []  # not the listed phrase


def test_a_waiver_with_a_reason_silences_it(approved_urdu: Path) -> None:
    waiver = [{"rule": "translation_wording", "reason": "Checked by the partner's translator."}]
    assert _found(_bank(ur="یہ کہاں ہوا؟", waivers=waiver)) == []
    _parsed, problems = check_document(_bank(waivers=waiver))
    assert [p.rule for p in problems if p.question_id == "q1"] == ["waiver_unused"]


def test_the_shipped_lists_are_valid_and_pending() -> None:
    assert check_lint_phrases_file(LINT_PHRASES_PATH) == []
    lists = phrase_lists(LINT_PHRASES_PATH)
    assert set(lists) == {"ur", "pl"}
    assert not any(language.approved for language in lists.values())
    text = LINT_PHRASES_PATH.read_text(encoding="utf-8")
    assert "native speaker from a partner" in text
    assert "backstop behind partner review" in text


def test_an_approved_list_needs_its_sign_off_and_rules_must_exist(tmp_path: Path) -> None:
    path = _write(tmp_path, "approved")
    assert [p.message for p in check_lint_phrases_file(path, "l.yaml")] == [
        "languages.ur: an approved list names who signed it off (signed_off_by: the partner "
        "and the native speaker) and when (signed_off_on)"
    ]
    path.write_text(
        "languages:\n  pl:\n    review: pending\n    phrases:\n      asks_colour: [kolor]\n",
        encoding="utf-8",
    )
    (problem,) = check_lint_phrases_file(path, "l.yaml")
    assert problem.question_id == "pl.asks_colour"
    assert problem.message.startswith("'asks_colour' is not a wording rule")


def test_banks_check_checks_the_file_and_does_not_read_it_as_a_bank(tmp_path: Path) -> None:
    good = _write(tmp_path)
    assert check_paths([good]).problems == []
    good.write_text("languages: {}\n", encoding="utf-8")
    assert [p.rule for p in check_paths([good]).problems] == ["translation_wording"]


def test_invisible_characters_do_not_split_a_word() -> None:
    """Attack (issue 13): a soft hyphen or zero-width character inside a word is not shown,
    so it must not split the word and let a phrase through."""
    for hidden in ("\u00ad", "\u200b", "\u200d", "\u2060", "\ufeff"):
        assert normalized(f"zgodzi{hidden}łaś się") == normalized("zgodziłaś się")
    assert normalized("zgodziłaś\u00a0\u2003się") == normalized("zgodziłaś się")
