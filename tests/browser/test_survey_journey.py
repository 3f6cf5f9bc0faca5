"""The victim's journey in headless Chromium on a 360×640 phone, with JavaScript on and off:
complete, stop and resume on a second device, skip a section, Exit this page, withdraw — and
axe-core on every distinct page along the way."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.survey.models import Answer, Comment, Response
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
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Phone number")).to_have_value("07700 900123")
    if javascript:
        expect(error_summary).to_be_focused()
    check(page, "survey:confirmation:error-summary")
    page.get_by_label("Yes, I want the victims team to contact me").check()
    page.get_by_label("Phone number").fill("07911 123456")
    click_button(page, "Ask to be contacted")
    expect(page.get_by_role("heading", level=1)).to_have_text("The victims team will contact you")
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
