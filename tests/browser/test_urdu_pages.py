"""Urdu, right to left: the approved fixture translation, checked by axe-core like English."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from tests.browser.conftest import AxeChecker
from tests.browser.factories import SentLink, create_sent_invitation, load_support, publish_bank
from tests.browser.survey_steps import answer_question, go_through_start, goto_step, step_of

URDU_TITLE = "پولیس کے ساتھ آپ کا تجربہ"
URDU_FIRST_QUESTION = "پولیس سے رابطہ کرنا کتنا آسان تھا، آپ اس سے کتنے مطمئن تھے؟"


@pytest.fixture
def urdu_interface_approved(monkeypatch: pytest.MonkeyPatch) -> None:
    """Urdu is offered only once a partner has approved the interface's own strings too; the
    test stands in for that approval (the bank fixture's Urdu text is approved)."""
    from app import i18n

    monkeypatch.setitem(i18n.INTERFACE_LANGUAGES, "ur", "approved")


def _link(db: Session, language: str) -> SentLink:
    publish_bank(db)
    load_support(db)
    sent = create_sent_invitation(db, language=language)
    db.commit()
    return sent


def expect_right_to_left_urdu(page: Page) -> None:
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "ur")
    expect(html).to_have_attribute("dir", "rtl")


@pytest.fixture
def urdu_link(db: Session, urdu_interface_approved: None) -> Iterator[SentLink]:
    yield _link(db, "ur")


def test_urdu_pages_read_right_to_left_and_are_accessible(
    page: Page, urdu_link: SentLink, axe: AxeChecker
) -> None:
    page.goto(urdu_link.path)
    expect_right_to_left_urdu(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(URDU_TITLE)
    axe.check(page, "survey:urdu:start")
    go_through_start(page, on_page=lambda p, name: axe.check(p, name.replace(":", ":urdu:", 1)))
    expect_right_to_left_urdu(page)
    expect(page.locator("main legend h1, main h1").first).to_have_text(URDU_FIRST_QUESTION)
    axe.check(page, "survey:urdu:question")
    answer_question(page)
    assert step_of(page).startswith("q:")
    expect_right_to_left_urdu(page)


def test_a_victim_can_switch_the_survey_to_urdu(
    page: Page, db: Session, urdu_interface_approved: None, axe: AxeChecker
) -> None:
    page.goto(_link(db, "en").path)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_label("اردو").check()
    page.get_by_role("button", name=re.compile("Change language|زبان")).click()
    expect_right_to_left_urdu(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(URDU_TITLE)


def test_english_fallback_text_on_an_urdu_page_is_marked_as_english(
    page: Page, urdu_link: SentLink
) -> None:
    """WCAG 3.1.2 (Language of Parts): a screen reader reads it with an English voice."""
    page.goto(urdu_link.path)
    # This question has no Urdu text in the bank, so it is shown in English.
    goto_step(page, "q:right_2_recorded")
    assert step_of(page) == "q:right_2_recorded"
    heading = page.get_by_text("Did the police record your report without delay?").first
    expect(heading).to_be_visible()
    language = heading.evaluate("(element) => element.closest('[lang]').getAttribute('lang')")
    assert language == "en"
