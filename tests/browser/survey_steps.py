"""Walking the victim's survey in the browser the way a person would: reading the page and
using its labels and buttons. Shared by the journey tests and scripts/screenshots.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlparse

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, func, select

from app.banks.models import BankVersion
from app.db import get_engine
from app.survey.addresses import CHANGE, CHECK_URL, PAGE_PREFIX, step_address, step_for_code

OnPage = Callable[[Page, str], None]

# The page's own form: an assisted session's pages also hold the "Answer on my own" form.
QUESTION_FORM = "main form:not(#answer-alone)"

TEXT_ANSWER = "The officer who came was kind and explained what would happen next."


def _bank_steps() -> list[str]:
    """Every question and section step of every bank version in the database."""
    with Session(get_engine()) as db:
        try:
            documents = db.exec(select(BankVersion.document)).all()
        finally:
            db.rollback()  # end the read at once: the live server must not wait on the test
    steps: list[str] = []
    for document in documents:
        for section in document.get("sections") or []:
            steps.append(f"s:{section['id']}")
            steps += [f"q:{question['id']}" for question in section.get("questions") or []]
        steps += [f"q:{question['id']}" for question in document.get("questions") or []]
    return steps


def step_of(page: Page) -> str:
    """The journey step the page shows: q:<question id>, s:<section id>, check, or the path.

    Question pages and content notes have opaque addresses of their session
    (app/survey/addresses.py): the step is found the way the server finds it, from the
    session's secret (the form's CSRF token).
    """
    page.wait_for_load_state("domcontentloaded")
    path = urlparse(page.url).path
    if path == CHECK_URL:
        return "check"
    if not path.startswith(PAGE_PREFIX):
        return path
    secret = page.locator("main form input[name=csrf_token]").first.get_attribute("value")
    assert secret, page.url
    steps = _bank_steps()
    # A question reached by the check page's Change link has an address of its own.
    step = step_for_code(secret, [*steps, *(CHANGE + s for s in steps)], path.rsplit("/", 1)[1])
    assert step, page.url
    return step.removeprefix(CHANGE)


def address_of(page: Page, step: str) -> str:
    """The address of a step ("q:<id>", "s:<id>") in the session the page belongs to (the page
    must hold a form of that session)."""
    secret = page.locator("input[name=csrf_token]").first.get_attribute("value")
    assert secret, page.url
    return step_address(secret, step)


def goto_step(page: Page, step: str) -> None:
    """Go straight to a step ("q:<id>", "s:<id>") of the session the page belongs to."""
    page.goto(address_of(page, step))


def question_type(page: Page) -> str:
    """scale/single/yes_no (radios), multi (checkboxes) or text, read from the form."""
    page.wait_for_load_state("domcontentloaded")
    form = page.locator(QUESTION_FORM)
    form.wait_for()
    if form.locator("textarea").count():
        return "text"
    if form.locator("input[type=checkbox]").count():
        return "multi"
    return "radios"


def click_button(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def go_through_start(page: Page, on_page: OnPage | None = None) -> None:
    """From the start page, through the quick-exit explanation and safety page, to question 1."""
    expect(page).to_have_url(re.compile(r"/survey/start$"))
    if on_page:
        on_page(page, "survey:start")
    page.get_by_role("button", name="Start now").click()
    expect(page).to_have_url(re.compile(r"/survey/leaving-quickly$"))
    if on_page:
        on_page(page, "survey:leaving-quickly")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/survey/safety$"))
    if on_page:
        on_page(page, "survey:safety")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/survey/page/"))


def answer_question(page: Page, *, choice: int = 0) -> str:
    """Answer the question on the page (the `choice`-th option, or a sentence) and continue.

    Returns what was chosen: an option label, or the text typed.
    """
    form = page.locator(QUESTION_FORM)
    kind = question_type(page)
    if kind == "text":
        form.locator("textarea").fill(TEXT_ANSWER)
        chosen = TEXT_ANSWER
    else:
        box = "checkbox" if kind == "multi" else "radio"
        option = form.locator(f"input[type={box}]").nth(choice)
        option_id = option.get_attribute("id")
        label = form.locator(f"label[for='{option_id}']")
        chosen = label.inner_text().strip()
        label.click()  # as a person does: on the words, not the small control
    click_button(page, "Save and continue")
    return chosen


def walk_to_check(
    page: Page,
    *,
    on_question: Callable[[Page, str], None] | None = None,
    on_section: Callable[[Page, str], None] | None = None,
    skip_sections: bool = False,
    limit: int = 60,
) -> dict[str, str]:
    """Answer every question up to check-your-answers; returns step → what was chosen."""
    chosen: dict[str, str] = {}
    for _ in range(limit):
        before = page.url
        step = step_of(page)
        if step == "check":
            return chosen
        if step.startswith("s:"):
            if on_section:
                on_section(page, step)
            click_button(page, "Skip this section" if skip_sections else "Continue")
            chosen[step] = "skipped" if skip_sections else "continued"
        elif step.startswith("q:"):
            if on_question:
                on_question(page, step)
            chosen[step] = answer_question(page)
        else:
            raise AssertionError(f"unexpected page in the survey: {page.url}")
        expect(page).not_to_have_url(re.compile(re.escape(before) + "$"))
    raise AssertionError("the survey did not reach check your answers")


def count(db: Session, model: type) -> int:
    """Rows of `model` now. The read's transaction ends at once: on SQLite every transaction
    takes the write lock (BEGIN IMMEDIATE), and the live server must not wait on the test."""
    db.expire_all()
    try:
        return int(db.exec(select(func.count()).select_from(model)).one())
    finally:
        db.rollback()


def cookie_names(context: BrowserContext) -> list[str]:
    return sorted(cookie["name"] for cookie in context.cookies())
