"""The victim's journey in headless Chromium on a 360×640 phone, with JavaScript on and off:
complete, stop and resume on a second device, skip a section, Exit this page, withdraw — and
axe-core on every distinct page along the way."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, func, select

from app.survey.models import Answer, Comment, Response
from tests.browser.conftest import AxeChecker, ContextFactory
from tests.browser.factories import SentLink, create_sent_invitation, load_support, publish_bank
from tests.browser.harness import other_sites
from tests.browser.survey_steps import (
    TEXT_ANSWER,
    answer_question,
    click_button,
    go_through_start,
    question_type,
    step_of,
    walk_to_check,
)

JS_MODES = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


@pytest.fixture
def link(db: Session) -> Iterator[SentLink]:
    """The fixture bank published and a link sent for the `reporting` touchpoint."""
    publish_bank(db)
    load_support(db)
    sent = create_sent_invitation(db)
    db.commit()
    yield sent


def count(db: Session, model: type) -> int:
    """Rows of `model` now. The read's transaction ends at once: on SQLite every transaction
    takes the write lock (BEGIN IMMEDIATE), and the live server must not wait on the test."""
    db.expire_all()
    try:
        return int(db.exec(select(func.count()).select_from(model)).one())
    finally:
        db.rollback()


def page_checker(axe: AxeChecker, javascript: bool):  # type: ignore[no-untyped-def]
    """axe-core needs JavaScript: the no-JS run checks behaviour only."""

    def check(page: Page, name: str) -> None:
        if javascript:
            axe.check(page, name)

    return check


def cookie_names(context: BrowserContext) -> list[str]:
    return sorted(cookie["name"] for cookie in context.cookies())


@pytest.mark.parametrize("javascript", JS_MODES)
def test_victim_completes_the_whole_survey_then_withdraws(
    new_browser_context: ContextFactory,
    link: SentLink,
    db: Session,
    axe: AxeChecker,
    javascript: bool,
) -> None:
    context = new_browser_context(javascript=javascript)
    page = context.new_page()
    check = page_checker(axe, javascript)

    page.goto(link.path)
    # The token is swapped for a cookie at once and never stays in the address bar.
    assert link.token not in page.url
    survey_cookie = next(c for c in context.cookies() if c["name"] == "vv_survey")
    assert survey_cookie["httpOnly"] and survey_cookie["sameSite"] == "Lax"
    go_through_start(page, on_page=check)

    types_seen: set[str] = set()

    def on_question(question_page: Page, step: str) -> None:
        expect(question_page.locator(".govuk-caption-l")).to_have_text(
            re.compile(r"Question \d+ of \d+")
        )
        kind = question_type(question_page)
        name = f"survey:question:{kind}"
        if kind == "radios":
            name += ":" + str(question_page.locator("main form input[type=radio]").count())
        if kind not in types_seen:
            types_seen.add(kind)
        check(question_page, name)

    chosen = walk_to_check(
        page, on_question=on_question, on_section=lambda p, s: check(p, "survey:content-note")
    )
    assert types_seen == {"radios", "multi", "text"}
    assert "s:feelings" in chosen, "the sensitive section's content note was not shown"

    check(page, "survey:check-answers")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text(TEXT_ANSWER)
    expect(summary).to_contain_text(chosen["q:sat_overall"])
    click_button(page, "Send your answers")

    expect(page).to_have_url(re.compile(r"/survey/complete$"))
    expect(page.locator(".govuk-panel__title")).to_have_text("Your answers have been sent")
    expect(page.locator(".app-support")).to_contain_text("In danger now? Call 999.")
    check(page, "survey:confirmation")
    assert count(db, Response) == 1
    assert count(db, Comment) == 1
    assert count(db, Answer) >= len([s for s in chosen if s.startswith("q:")]) - 1

    # Asking to be contacted without ticking the box: a GOV.UK error summary, answers kept.
    page.get_by_label("Phone number").fill("07700 900123")
    click_button(page, "Ask to be contacted")
    error_summary = page.locator(".govuk-error-summary")
    expect(error_summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Phone number")).to_have_value("07700 900123")
    if javascript:
        expect(error_summary).to_be_focused()
    check(page, "survey:confirmation:error-summary")

    page.get_by_role("link", name="Withdraw your answers").click()
    expect(page).to_have_url(re.compile(r"/survey/withdraw$"))
    check(page, "survey:withdraw")
    click_button(page, "Withdraw my answers")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your answers have been withdrawn")
    check(page, "survey:withdrawn")
    assert count(db, Response) == 0 and count(db, Comment) == 0
    assert "vv_survey" not in cookie_names(context)

    # The link has ended: the same neutral page, with the support services, as any bad link.
    response = page.goto(link.path)
    assert response is not None and response.status == 410
    expect(page.get_by_role("heading", level=1)).to_have_text("This survey link cannot be opened")
    expect(page.locator(".app-support")).to_be_visible()
    check(page, "survey:link-ended:410")
    assert other_sites(context) == []


@pytest.mark.parametrize("javascript", JS_MODES)
def test_stops_halfway_and_resumes_on_a_second_device(
    new_browser_context: ContextFactory, link: SentLink, javascript: bool
) -> None:
    phone = new_browser_context(javascript=javascript).new_page()
    phone.goto(link.path)
    go_through_start(phone)
    first_step = step_of(phone)
    first_answer = answer_question(phone, choice=1)
    answer_question(phone, choice=2)
    answer_question(phone, choice=0)
    stopped_at = step_of(phone)
    phone.context.close()  # they put the phone down

    laptop = new_browser_context(javascript=javascript).new_page()
    laptop.goto(link.path)
    # Straight back to where they stopped, not the start page.
    assert step_of(laptop) == stopped_at
    laptop.goto("/survey/question/" + first_step.removeprefix("q:"))
    checked = laptop.locator("main form input:checked")
    expect(checked).to_have_count(1)
    label = laptop.locator(f"label[for='{checked.get_attribute('id')}']")
    expect(label).to_have_text(first_answer)

    # The start page now offers to carry on.
    laptop.goto("/survey/start")
    laptop.get_by_role("button", name="Continue where you stopped").click()
    assert step_of(laptop) == stopped_at


@pytest.mark.parametrize("javascript", JS_MODES)
def test_skips_a_sensitive_section_after_its_content_note(
    new_browser_context: ContextFactory, link: SentLink, db: Session, javascript: bool
) -> None:
    page = new_browser_context(javascript=javascript).new_page()
    page.goto(link.path)
    go_through_start(page)
    # The whole walk to the section is covered above; here, go to the question before it.
    page.goto("/survey/question/comments")
    answer_question(page)
    assert step_of(page) == "s:feelings"
    expect(page.locator(".govuk-inset-text")).to_contain_text(
        "The next questions ask how the process has made you feel."
    )
    click_button(page, "Skip this section")
    # None of the section's questions is shown; check your answers lists them as skipped.
    assert step_of(page) == "check"
    row = page.locator(".govuk-summary-list__row").filter(
        has_text="Has dealing with the police made you feel worse?"
    )
    expect(row.locator(".govuk-summary-list__value")).to_have_text("Skipped")
    click_button(page, "Send your answers")
    expect(page).to_have_url(re.compile(r"/survey/complete$"))
    # Nothing was recorded for the skipped section's question.
    db.expire_all()
    stored = db.exec(select(Answer).where(Answer.question_id == "made_worse")).all()
    db.rollback()
    assert [answer.code for answer in stored if answer.code is not None] == []


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


def test_the_whole_survey_can_be_answered_with_the_keyboard_alone(
    page: Page, link: SentLink, db: Session
) -> None:
    page.goto(link.path)
    tab_to(page, "a.govuk-button--start")
    page.keyboard.press("Enter")
    # The quick-exit explanation, then the safety page.
    for here in ("/survey/leaving-quickly", "/survey/safety"):
        expect(page).to_have_url(re.compile(re.escape(here) + "$"))
        tab_to(page, "main a.govuk-button")
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/survey/(question|section)/"))
    for _ in range(60):
        before = page.url
        step = step_of(page)
        if step == "check":
            break
        if step.startswith("s:"):
            tab_to(page, "button[value=continue]")
        elif question_type(page) == "text":
            tab_to(page, "textarea")
            page.keyboard.type("Typed with the keyboard.")
            tab_to(page, "button[value=save]")
        else:
            tab_to(page, "main form input")
            page.keyboard.press("Space")
            tab_to(page, "button[value=save]")
        page.keyboard.press("Enter")
        expect(page).not_to_have_url(re.compile(re.escape(before) + "$"))
    assert step_of(page) == "check"
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
    check = page_checker(axe, javascript)
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
    paths = [
        "/survey/start",
        "/survey/leaving-quickly",
        "/survey/safety",
        "/survey/question/sat_ease_of_contact",
        "/survey/question/what_would_help",
        "/survey/question/comments",
        "/survey/section/feelings",
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
