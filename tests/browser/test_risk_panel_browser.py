"""Free text that discloses risk, in Chromium under the real CSP (issue 12, point 5): typing a
phrase of danger shows the help panel at once, in the browser, with nothing sent; the panel's
links lead to the draft safeguarding statement and the "contact me" form; without JavaScript
the page's static line still leads to the statement. axe-core on each page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, Request, expect
from sqlmodel import Session

from app.survey.models import ContactRequest, InProgressAnswer
from app.victim_page import SAFEGUARDING_URL
from tests.browser.conftest import AxeChecker
from tests.browser.factories import SentLink
from tests.browser.survey_steps import count, go_through_start, goto_step, step_of

DANGER = "I am scared. He said he will kill me"


def _on_the_text_question(page: Page, link: SentLink) -> None:
    page.goto(link.path)
    go_through_start(page)
    goto_step(page, "q:comments")
    assert step_of(page) == "q:comments"


def test_typing_a_phrase_of_danger_shows_the_help_panel_and_sends_nothing(
    page: Page, link: SentLink, db: Session, axe: AxeChecker
) -> None:
    _on_the_text_question(page, link)
    panel = page.locator("#risk-help")
    box = page.locator("main form textarea")
    expect(panel).to_be_hidden()
    sent: list[str] = []

    def record(request: Request) -> None:
        sent.append(request.url)

    page.on("request", record)
    box.press_sequentially("The officer was kind. ")
    expect(panel).to_be_hidden()
    box.press_sequentially(DANGER)
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("In danger now? Call 999.")
    expect(panel).to_contain_text("press 55 when asked")
    expect(panel.get_by_role("link", name="What happens to what you write")).to_have_attribute(
        "href", SAFEGUARDING_URL
    )
    contact = panel.get_by_role("link", name="Ask the victims team to contact you")
    expect(contact).to_have_attribute("href", re.compile(r"^/survey/page/[0-9a-f]{16}$"))
    expect(page.locator("#risk-help-status")).to_have_text(re.compile("shown below your answer"))
    # Exit this page, support and skip are all still there.
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    expect(page.get_by_role("button", name="Skip this question")).to_be_visible()
    expect(page.locator("aside.app-support")).to_contain_text("Help and support")
    axe.check(page, "survey:question:risk-panel")
    # Typing is never sent anywhere, nor saved.
    assert sent == []
    page.remove_listener("request", record)
    assert count(db, InProgressAnswer) == 0
    # The panel follows the text: gone when the words are.
    box.fill("The officer was kind.")
    expect(panel).to_be_hidden()
    # Another language's phrase (a draft list, used meanwhile).
    box.fill("Nie chcę żyć.")
    expect(panel).to_be_visible()

    panel.get_by_role("link", name="What happens to what you write").click()
    expect(page).to_have_url(re.compile(re.escape(SAFEGUARDING_URL) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What happens to what you write")
    expect(page.locator(".govuk-tag")).to_have_text("Draft")
    expect(page.locator("main")).to_contain_text("The survey is not monitored.")
    axe.check(page, "public:safeguarding-statement")
    page.go_back()

    assert step_of(page) == "q:comments"
    # The contact form takes the title of the question it is opened from ("Question N").
    question_title = page.title()
    assert re.match(r"^Question \d+ – ", question_title), question_title
    page.locator("main form textarea").fill(DANGER)
    page.locator("#risk-help").get_by_role(
        "link", name="Ask the victims team to contact you"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask the victims team to contact you")
    expect(page).to_have_title(question_title)
    axe.check(page, "survey:contact-during-survey")
    page.get_by_label("Yes, I want the victims team to contact me").check()
    hint = page.locator("#phone-hint").inner_text()
    example = re.search(r"For example, ([0-9 ]+)\.", hint)
    assert example, hint
    page.get_by_label("Phone number").fill(example.group(1))
    page.get_by_role("button", name="Ask to be contacted").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Someone from the victims team will contact you"
    )
    expect(page).to_have_title(question_title)
    axe.check(page, "survey:contact-during-survey:sent")
    assert count(db, ContactRequest) == 1
    page.get_by_role("link", name="Go back to the survey").click()
    assert step_of(page) == "q:comments"


def test_without_javascript_the_static_line_leads_to_the_statement(
    nojs_page: Page, link: SentLink
) -> None:
    _on_the_text_question(nojs_page, link)
    nojs_page.locator("main form textarea").fill(DANGER)
    expect(nojs_page.locator("#risk-help")).to_be_hidden()
    line = nojs_page.locator("#what-happens")
    expect(line).to_contain_text("Nobody reads what you write straight away.")
    line.get_by_role("link", name="What happens to what you write").click()
    expect(nojs_page.get_by_role("heading", level=1)).to_have_text("What happens to what you write")
