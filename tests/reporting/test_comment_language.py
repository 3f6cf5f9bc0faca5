"""Which comments are plainly English, and which wait for a person's check (pure)."""

from __future__ import annotations

import pytest

from app.reporting.comment_language import language_verdict


@pytest.mark.parametrize(
    "text",
    [
        "ok",
        "Thanks",
        "thank you",
        "yes",
        "Fine",
        "cheers",
        "rubbish",
        "Excellent",
        "n/a",
        "not bad at all tbh",
        "10/10",
        "PC Smith was brilliant",
        "PC Kowalczyk rang",
        "Mr Iqbal was good",
        "The CPS and my ISVA were great",
        "i spoke to john smith",
        "no one called me back",
        "The officer was kind and kept me informed every week.",
        "see www.police.uk or email me on jo@example.com",
    ],
)
def test_english_comments_of_english_surveys_need_no_check(text: str) -> None:
    verdict = language_verdict(text, "en")
    assert verdict.needs_check is False
    assert verdict.language in ("en", "zxx")


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Bardzo dobrze", "pl"),
        ("Policjant był bardzo miły", "pl"),
        ("Nikt do mnie nie zadzwonił", "pl"),
        ("Poliţistul a fost foarte amabil", "ro"),
        ("پولیس والے بہت اچھے تھے", "ur"),
        ("ਬਹੁਤ ਵਧੀਆ", "pa"),
        ("খুব ভালো", "bn"),
        ("Roedd yr heddlu yn garedig iawn", "cy"),
        ("merci beaucoup", None),
        ("muy bien", None),
        ("sa va fie rusine", None),
        ("nu e bine", None),
        ("police wale bohat ache the", None),  # Urdu in Latin letters
        ("The officer was kind. Policjant był bardzo miły i pomocny, dziękuję bardzo", None),
        ("Mam na imię Kasia, mieszkam na ulicy Długiej 5", None),
    ],
)
def test_comments_in_other_languages_wait_for_a_check(text: str, language: str | None) -> None:
    verdict = language_verdict(text, "en")
    assert verdict.needs_check is True
    if language is not None:
        assert verdict.language == language


@pytest.mark.parametrize("response_language", ["pl", "ur", "ro", "cy"])
def test_every_comment_of_a_survey_in_another_language_waits(response_language: str) -> None:
    assert language_verdict("They were kind", response_language).needs_check is True
    assert language_verdict("10/10", response_language).needs_check is True


@pytest.mark.parametrize("response_language", ["en", "en-GB", "EN"])
def test_english_survey_tags_count_as_english(response_language: str) -> None:
    assert language_verdict("They were kind", response_language).needs_check is False
