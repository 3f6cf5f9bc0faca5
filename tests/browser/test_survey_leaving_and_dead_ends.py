"""Leaving and dead ends in the browser: Exit this page (button, Shift×3, the no-JavaScript
link), ended and unknown links, the stop page, forged forms, reflow at 320 px, keyboard only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.survey.models import Response
from tests.browser.conftest import AxeChecker, ContextFactory
from tests.browser.factories import SentLink, create_sent_invitation, publish_bank
from tests.browser.harness import other_sites
from tests.browser.survey_steps import (
    address_of,
    answer_question,
    click_button,
    cookie_names,
    count,
    go_through_start,
    goto_step,
    question_type,
    step_of,
)

JS_MODES = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


def _on_a_question_page(page: Page, link: SentLink) -> str:
    page.goto(link.path)
    go_through_start(page)
    answer_question(page)
    return page.url


def _session_has_ended(page: Page, question_url: str) -> None:
    """Without the link, the survey only says to open the link again."""
    response = page.goto(question_url)
    assert response is not None and response.status == 401
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your survey link again")
    assert "vv_survey" not in cookie_names(page.context)


def test_exit_this_page_button_leaves_and_ends_the_session(
    page: Page, link: SentLink, axe: AxeChecker
) -> None:
    question_url = _on_a_question_page(page, link)
    page.get_by_role("button", name=re.compile("Exit this page")).click()
    expect(page).to_have_url(re.compile(r"^https://www\.bbc\.co\.uk/weather"))
    _session_has_ended(page, question_url)
    axe.check(page, "survey:no-session")


def test_pressing_shift_three_times_leaves_and_ends_the_session(
    new_browser_context: ContextFactory, link: SentLink
) -> None:
    """Under the real Content-Security-Policy (no bypass): the scripts that make Shift×3 work
    load from our own site and run, and nothing is refused."""
    page = new_browser_context(bypass_csp=False).new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    question_url = _on_a_question_page(page, link)
    # GOV.UK Frontend marks the component once its script has started listening for Shift.
    page.locator("[data-module=govuk-exit-this-page][data-govuk-exit-this-page-init]").wait_for(
        state="attached"
    )
    page.locator("body").click(position={"x": 5, "y": 300})  # focus the page, not a field
    for _ in range(3):
        page.keyboard.press("Shift")
    expect(page).to_have_url(re.compile(r"^https://www\.bbc\.co\.uk/weather"))
    _session_has_ended(page, question_url)
    assert refused == []
    # The exit destination is the only other site the browser was sent to.
    assert other_sites(page.context) == ["https://www.bbc.co.uk/weather"]


def test_without_javascript_exit_this_page_is_a_plain_link(nojs_page: Page, link: SentLink) -> None:
    question_url = _on_a_question_page(nojs_page, link)
    # GOV.UK renders the control as <a role="button">: without JavaScript, an ordinary link.
    exit_link = nojs_page.get_by_role("button", name=re.compile("Exit this page"))
    expect(exit_link).to_be_visible()
    assert exit_link.evaluate("(element) => element.tagName") == "A"
    expect(exit_link).to_have_attribute("href", "/survey/exit")
    exit_link.click()
    expect(nojs_page).to_have_url(re.compile(r"^https://www\.bbc\.co\.uk/weather"))
    _session_has_ended(nojs_page, question_url)


def test_an_unknown_link_shows_the_same_neutral_page(page: Page, axe: AxeChecker) -> None:
    response = page.goto("/s/not-a-real-link")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey link cannot be opened")
    axe.check(page, "survey:link-unknown:404")


def test_a_cancelled_link_answers_410_with_the_neutral_page(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    publish_bank(db)
    cancelled = create_sent_invitation(db, status="cancelled")
    db.commit()
    response = page.goto(cancelled.path)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey link cannot be opened")
    axe.check(page, "survey:link-ended:410")


def tab_to(page: Page, selector: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches `selector`, as a keyboard user does."""
    page.wait_for_load_state("load")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def test_every_kind_of_control_works_with_the_keyboard_alone(
    page: Page, link: SentLink, db: Session
) -> None:
    """Start, radios, checkboxes, a text box, a content note and sending, with Tab, Space and
    Enter only. (Which page comes next is covered by the journeys; here the test goes
    straight to one question of each kind.)"""
    page.goto(link.path)
    tab_to(page, "button.govuk-button--start")
    page.keyboard.press("Enter")
    for here in ("/survey/leaving-quickly", "/survey/safety"):
        expect(page).to_have_url(re.compile(re.escape(here) + "$"))
        tab_to(page, "main a.govuk-button")
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/survey/page/[0-9a-f]+$"))
    assert step_of(page) == "q:sat_ease_of_contact"
    for question_id in ("sat_ease_of_contact", "what_would_help", "comments"):
        goto_step(page, f"q:{question_id}")
        assert step_of(page) == f"q:{question_id}"
        question_url = page.url
        if question_type(page) == "text":
            tab_to(page, "textarea")
            page.keyboard.type("Typed with the keyboard.")
        else:
            tab_to(page, "main form input")
            page.keyboard.press("Space")
            expect(page.locator("main form input:checked")).to_have_count(1)
        tab_to(page, "button[value=save]")
        page.keyboard.press("Enter")
        expect(page).not_to_have_url(re.compile(re.escape(question_url) + "$"))
    assert step_of(page) == "s:feelings"
    tab_to(page, "button[value=skip]")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/survey/check$"))
    tab_to(page, "form[action='/survey/submit'] button")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/survey/complete$"))
    assert count(db, Response) == 1


@pytest.mark.parametrize("javascript", JS_MODES)
def test_the_stop_link_stops_messages_and_the_survey_link_keeps_working(
    new_browser_context: ContextFactory, db: Session, axe: AxeChecker, javascript: bool
) -> None:
    from app.invitations.models import Contact

    publish_bank(db)
    sent = create_sent_invitation(db, phone="+447700900123")
    db.commit()
    page = new_browser_context(javascript=javascript).new_page()
    check = axe.when(javascript)
    page.goto(f"{sent.path}/stop")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stop messages from us")
    check(page, "stop:confirm")
    click_button(page, "Stop all messages")
    expect(page.locator(".govuk-panel__title")).to_have_text(
        "You will not get any more messages from us"
    )
    check(page, "stop:done")
    db.expire_all()
    assert all(c.opted_out_at is not None for c in db.exec(select(Contact)).all())
    db.rollback()
    page.goto(sent.path)
    expect(page).to_have_url(re.compile(r"/survey/start$"))


def test_pages_reflow_at_320_pixels_without_sideways_scrolling(
    new_browser_context: ContextFactory, link: SentLink
) -> None:
    """WCAG 1.4.10: at 320 CSS pixels (a 1280 pixel screen zoomed to 400%) nothing needs
    scrolling sideways."""
    page = new_browser_context(viewport={"width": 320, "height": 640}).new_page()
    page.goto(link.path)
    expect(page).to_have_url(re.compile(r"/survey/start$"))
    steps = ["q:sat_ease_of_contact", "q:what_would_help", "q:comments", "s:feelings"]
    paths = [
        "/survey/start",
        "/survey/leaving-quickly",
        "/survey/safety",
        *(address_of(page, step) for step in steps),
        "/survey/check",
        "/survey/withdraw",
        "/accessibility",
        "/privacy",
        "/cookies",
    ]
    too_wide = []
    for path in paths:
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > 320:
            too_wide.append(f"{path}: {width}px")
    assert too_wide == []


def _is_not_found_in_the_survey(page: Page, address: str) -> None:
    """Not found, with the survey (its support panel) still around it: nothing says whether
    the address was ever a page, nor of which session."""
    response = page.goto(address)
    assert response is not None and response.status == 404
    expect(page.locator(".app-support")).to_be_visible()
    expect(page.locator("main form")).to_have_count(0)


def test_dead_ends_inside_the_survey_are_calm_accessible_pages(
    new_browser_context: ContextFactory, link: SentLink, db: Session, axe: AxeChecker
) -> None:
    page = new_browser_context().new_page()
    page.goto(link.path)
    question_url = address_of(page, "q:sat_actions")
    # A page address that this session never made: the neutral not-found page.
    _is_not_found_in_the_survey(page, "/survey/page/0123456789abcdef")
    axe.check(page, "survey:not-found-in-session")
    not_found_heading = page.get_by_role("heading", level=1).inner_text()
    # The old id addresses are gone: they would name the question in the browser history.
    for old_address in ("/survey/question/sat_actions", "/survey/section/feelings"):
        response = page.goto(old_address)
        assert response is not None and response.status == 404
        expect(page.locator("main form")).to_have_count(0)
    # Another session's address of a real question means nothing in this session.
    other_link = create_sent_invitation(db)
    db.commit()
    other = new_browser_context().new_page()
    other.goto(other_link.path)
    goto_step(other, "q:sat_actions")
    assert step_of(other) == "q:sat_actions"
    elsewhere = address_of(other, "q:sat_actions")
    assert other.url.endswith(elsewhere)
    assert elsewhere != question_url
    _is_not_found_in_the_survey(page, elsewhere)
    expect(page.get_by_role("heading", level=1)).to_have_text(not_found_heading)
    # A form sent without its own CSRF token (a forged or stale form).
    page.goto(question_url)
    assert step_of(page) == "q:sat_actions"
    page.locator("input[name=csrf_token]").evaluate("(input) => { input.value = 'forged'; }")
    click_button(page, "Save and continue")
    expect(page.locator("main h1")).to_be_visible()
    assert page.url.endswith(question_url)
    axe.check(page, "survey:bad-form-403")
    # A crime group with no published bank yet: the survey says it is unavailable.
    no_bank = create_sent_invitation(db, crime_group="rasso")
    db.commit()
    response = page.goto(no_bank.path)
    assert response is not None and response.status == 503
    axe.check(page, "survey:unavailable-503")
