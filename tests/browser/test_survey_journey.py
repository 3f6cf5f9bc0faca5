"""The victim's journey in headless Chromium on a 360×640 phone, with JavaScript on and off:
complete, stop and resume on a second device, skip a section, Exit this page, withdraw — and
axe-core on every distinct page along the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.survey.models import Answer, Comment, InProgressAnswer, Response
from tests.browser.conftest import AxeChecker, ContextFactory
from tests.browser.factories import SentLink
from tests.browser.harness import other_sites
from tests.browser.survey_steps import (
    TEXT_ANSWER,
    answer_question,
    click_button,
    cookie_names,
    count,
    go_through_start,
    goto_step,
    question_type,
    step_of,
    walk_to_check,
)

JS_MODES = [pytest.param(True, id="js"), pytest.param(False, id="nojs")]


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
    check = axe.when(javascript)

    page.goto(link.path)
    # The token is swapped for a cookie at once and never stays in the address bar.
    assert link.token not in page.url
    survey_cookie = next(c for c in context.cookies() if c["name"] == "vv_survey")
    assert survey_cookie["httpOnly"] and survey_cookie["sameSite"] == "Lax"
    assert cookie_names(context) == ["vv_survey"]  # and no other cookie, ever
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
        if kind == "text":
            # Too long to keep: a GOV.UK error summary, the answer kept, then a proper answer.
            too_long = "This is far too long. " * 100
            question_page.locator("main form textarea").fill(too_long)
            click_button(question_page, "Save and continue")
            expect(question_page.locator(".govuk-error-summary")).to_be_visible()
            expect(question_page.locator("main form textarea")).to_have_value(too_long)
            expect(question_page).to_have_title(re.compile(r"^Error: "))
            check(question_page, "survey:question:error-summary")

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
    # The title stays the confirmation page's own: it is kept in the browser history, and
    # "Error:" there would say the victim began asking to be contacted (eb3b761).
    expect(page).not_to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Phone number")).to_have_value("07700 900123")
    if javascript:
        expect(error_summary).to_be_focused()
    check(page, "survey:confirmation:error-summary")
    page.get_by_label("Yes, I want the victims team to contact me").check()
    page.get_by_label("Phone number").fill("07911 123456")
    click_button(page, "Ask to be contacted")
    # Post, redirect, get: the history keeps the confirmation page's own address and title.
    expect(page).to_have_url(re.compile(r"/survey/complete$"))
    expect(page).to_have_title(re.compile(r"^Your answers have been sent – "))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The victims team will contact you"
    )
    check(page, "survey:contact-requested")
    page.goto("/survey/complete")

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
    assert cookie_names(context) == []


@pytest.mark.parametrize("javascript", JS_MODES)
def test_stops_halfway_and_resumes_on_a_second_device(
    new_browser_context: ContextFactory,
    link: SentLink,
    db: Session,
    axe: AxeChecker,
    javascript: bool,
) -> None:
    check = axe.when(javascript)
    phone = new_browser_context(javascript=javascript).new_page()
    phone.goto(link.path)
    go_through_start(phone)
    first_step = step_of(phone)
    answer_question(phone, choice=1)
    answer_question(phone, choice=2)
    answer_question(phone, choice=0)
    stopped_at = step_of(phone)
    phone.goto("/survey/check")
    own_values = phone.locator(".govuk-summary-list__value").all_inner_texts()
    assert own_values[:3] != ["Answered"] * 3  # the phone that saved them sees its answers
    phone.context.close()  # they put the phone down

    laptop = new_browser_context(javascript=javascript).new_page()
    laptop.goto(link.path)
    # Straight on to the next question they have not answered, not the start page.
    assert step_of(laptop) == stopped_at

    # The answers are kept, but a new browser session is told only that they were given:
    # whoever opens the link (it is in the victim's messages) must not read them.
    laptop.goto("/survey/check")
    values = laptop.locator(".govuk-summary-list__value")
    expect(values.nth(0)).to_have_text("Answered")
    expect(values.nth(1)).to_have_text("Answered")
    expect(values.nth(2)).to_have_text("Answered")
    expect(laptop.locator("main .govuk-inset-text")).to_contain_text("not shown here")
    for value in own_values[:3]:
        expect(laptop.locator("main")).not_to_contain_text(value)
    check(laptop, "survey:check-answers:another-session")
    first_row = laptop.locator(".govuk-summary-list__row").first
    first_row.get_by_role("link", name=re.compile("^Change")).click()
    # Its own opaque address: no query tells the history that an answer was changed.
    expect(laptop).to_have_url(re.compile(r"/survey/page/[0-9a-f]+$"))
    assert step_of(laptop) == first_step
    expect(laptop.locator("main form input:checked")).to_have_count(0)
    expect(laptop.locator("#saved-elsewhere")).to_contain_text(
        "You have already answered this question"
    )
    check(laptop, "survey:question:saved-elsewhere")
    # Continuing without choosing keeps the answer; the check page still says "Answered".
    click_button(laptop, "Save and continue")
    expect(laptop).to_have_url(re.compile(r"/survey/check$"))
    expect(values.nth(0)).to_have_text("Answered")
    db.expire_all()
    stored = [row.value for row in db.exec(select(InProgressAnswer)).all()]
    db.rollback()  # before the server writes again: a SQLite transaction holds the write lock
    assert len(stored) == 3 and None not in stored

    # The start page offers to carry on.
    laptop.goto("/survey/start")
    laptop.get_by_role("button", name="Continue where you stopped").click()
    assert step_of(laptop) == stopped_at


@pytest.mark.parametrize("javascript", JS_MODES)
def test_after_sending_neither_back_nor_the_link_shows_an_answer(
    new_browser_context: ContextFactory, link: SentLink, javascript: bool
) -> None:
    """Someone picks up the phone after the victim sent their answers and left the tab open."""
    context = new_browser_context(javascript=javascript)
    page = context.new_page()
    page.goto(link.path)
    go_through_start(page)
    goto_step(page, "q:comments")
    answer_question(page)  # types TEXT_ANSWER
    page.goto("/survey/check")
    expect(page.locator(".govuk-summary-list")).to_contain_text(TEXT_ANSWER)
    click_button(page, "Send your answers")
    expect(page).to_have_url(re.compile(r"/survey/complete$"))

    # Back, as far as the history goes: no page shows the answer (victim pages are no-store,
    # and every survey page leads to the confirmation once the survey is sent).
    for _ in range(4):
        page.go_back()
        page.wait_for_load_state("domcontentloaded")
        assert TEXT_ANSWER not in page.content(), page.url
    # The link itself, on this phone or any other.
    for device in (page, new_browser_context(javascript=javascript).new_page()):
        device.goto(link.path)
        expect(device).to_have_url(re.compile(r"/survey/complete$"))
        assert TEXT_ANSWER not in device.content()
        expect(device.locator(".app-support")).to_contain_text("In danger now? Call 999.")


def test_a_page_restored_from_the_back_forward_cache_is_fetched_again(
    page: Page, link: SentLink
) -> None:
    """Chrome (HTTPS) and Safari may restore no-store pages on Back; each page then reloads,
    so the server decides what it shows now. (Headless Chromium here keeps no back-forward
    cache, so the test sends the event a restore sends.)"""
    page.goto(link.path)
    page.evaluate("() => { window.notReloaded = true; }")
    with page.expect_navigation():
        page.evaluate(
            "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: true}))"
        )
    assert page.evaluate("() => window.notReloaded === undefined")
    # A page shown normally is not reloaded.
    page.evaluate("() => { window.notReloaded = true; }")
    page.evaluate(
        "() => window.dispatchEvent(new PageTransitionEvent('pageshow', {persisted: false}))"
    )
    page.wait_for_timeout(300)
    assert page.evaluate("() => window.notReloaded === true")


def test_after_exit_back_shows_no_answer(page: Page, link: SentLink) -> None:
    page.goto(link.path)
    go_through_start(page)
    goto_step(page, "q:comments")
    answer_question(page)
    page.goto("/survey/check")
    expect(page.locator(".govuk-summary-list")).to_contain_text(TEXT_ANSWER)
    page.get_by_role("button", name=re.compile("Exit this page")).click()
    expect(page).to_have_url(re.compile(r"^https://www\.bbc\.co\.uk/weather"))
    page.go_back()
    page.wait_for_load_state("domcontentloaded")
    assert TEXT_ANSWER not in page.content(), page.url
    expect(page.get_by_role("heading", level=1)).to_have_text("Open your survey link again")


@pytest.mark.parametrize("javascript", JS_MODES)
def test_skips_a_sensitive_section_after_its_content_note(
    new_browser_context: ContextFactory, link: SentLink, db: Session, javascript: bool
) -> None:
    page = new_browser_context(javascript=javascript).new_page()
    page.goto(link.path)
    go_through_start(page)
    # The whole walk to the section is covered above; here, go to the question before it.
    goto_step(page, "q:comments")
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
