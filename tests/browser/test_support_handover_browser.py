"""A survey handed over by a support service, in Chromium (issue 12): a support worker finds a
client by crime reference and hands over a one-time code; the victim types it on their own
device, answers alone, writes down a personal address and sends from another device of their
own, and the code then stops working; and an assisted completion at the victim's request,
ended by "Answer on my own" with a fresh code the victim carries on with elsewhere. axe-core
on every worker page, /code, the assisted start page and the other victim pages of the route."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.enums import Role
from app.survey.models import Response
from tests.browser.conftest import AxeChecker, ContextFactory
from tests.browser.factories import load_support, publish_bank
from tests.browser.harness import DESKTOP, LiveServer
from tests.browser.staff import sign_in_as_new_user
from tests.browser.survey_steps import (
    answer_question,
    click_button,
    go_through_start,
    step_of,
)
from tests.invitations.factories import make_support_service_row, upload

CASE_REF = "CR/2026/0001"
WRONG_REF = "CR/2026/9999"
CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$")
# What the look-up must never say about a client.
PROGRESS = re.compile(r"\b(opened|started|finished|withdr[ae]w|responded|answered)\b", re.I)


def _held_invitation(db: Session) -> None:
    """The test bank, the support services, and one invitation `victim_support` holds."""
    publish_bank(db)
    load_support(db)
    db.commit()
    result = upload(db, [make_support_service_row(case_ref=CASE_REF)])
    assert result.accepted == 1, result.as_dict()


def _worker(new_browser_context: ContextFactory, db: Session, axe: AxeChecker) -> Page:
    """A support worker of `victim_support`, signed in with the second factor, on a desktop."""
    page = new_browser_context(viewport=DESKTOP).new_page()
    sign_in_as_new_user(page, db, Role.support_worker, on_each_page=axe.check)
    return page


def _look_up(page: Page, case_ref: str) -> None:
    page.goto("/staff/support/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a client’s survey")
    page.get_by_label("Crime reference").fill(case_ref)
    click_button(page, "Find the survey")
    expect(page.get_by_role("heading", name="Result")).to_be_visible()


def _is_a_victim_page(page: Page) -> None:
    """Exit this page and the support panel, as on every victim page."""
    expect(page.get_by_role("button", name=re.compile("Exit this page"))).to_be_visible()
    expect(page.locator("aside.app-support")).to_contain_text("Help and support")


def _type_code(page: Page, code: str) -> None:
    page.get_by_label("Your code").fill(code)
    click_button(page, "Continue")


def _answer_some_and_send(page: Page, questions: int = 3) -> None:
    """Answer the next few questions, then send from check your answers (the whole walk is
    tests/browser/test_survey_journey.py's; this keeps the test short)."""
    for _ in range(questions):
        assert step_of(page).startswith("q:"), page.url
        answer_question(page)
    page.goto("/survey/check")
    click_button(page, "Send your answers")
    expect(page).to_have_url(re.compile(r"/survey/complete$"))


def _responses(db: Session) -> list[bool]:
    """Each stored response's `assisted`; the read ends at once (the live server writes)."""
    db.expire_all()
    try:
        return [row.assisted for row in db.exec(select(Response)).all()]
    finally:
        db.rollback()


def test_a_worker_hands_over_a_code_and_the_victim_answers_alone_on_their_own_device(
    new_browser_context: ContextFactory, db: Session, axe: AxeChecker, server: LiveServer
) -> None:
    _held_invitation(db)
    worker = _worker(new_browser_context, db, axe)

    # The look-up form, then a reference that finds nothing.
    worker.goto("/staff/support/")
    axe.check(worker, "support:lookup")
    _look_up(worker, WRONG_REF)
    expect(worker.locator("main")).to_contain_text("No invitation found")
    expect(worker.get_by_role("button", name="Hand over a code")).to_have_count(0)
    axe.check(worker, "support:lookup-nothing")

    # The right reference: one match, its group, stage and date, and nothing of progress.
    _look_up(worker, CASE_REF)
    cards = worker.locator(".govuk-summary-card")
    expect(cards).to_have_count(1)
    expect(cards).to_contain_text("Stage of the case")
    expect(cards).to_contain_text("No code handed over yet.")
    assert not PROGRESS.search(cards.inner_text()), cards.inner_text()
    axe.check(worker, "support:lookup-result")

    # Agreement is required before a code.
    click_button(worker, "Hand over a code")
    expect(worker.locator(".govuk-error-summary")).to_contain_text("agreed to take part")
    axe.check(worker, "support:handover-error")
    worker.get_by_label(re.compile("the person agreed to take part")).check()
    click_button(worker, "Hand over a code")
    expect(worker.get_by_role("heading", level=1)).to_have_text("The person’s code")
    code = worker.locator("#handover-code").inner_text().strip()
    assert CODE.match(code), code
    expect(worker.locator("main")).to_contain_text("/code")
    axe.check(worker, "support:code-shown")

    # The victim, on their own phone: /code, a mistyped code first, then theirs.
    victim = new_browser_context().new_page()
    victim.goto("/code")
    expect(victim.get_by_role("heading", level=1)).to_have_text("Enter your survey code")
    _is_a_victim_page(victim)
    axe.check(victim, "victim:code")
    _type_code(victim, "ABCD-EFGH")
    expect(victim.locator(".govuk-error-summary")).to_contain_text("The code is not right")
    _is_a_victim_page(victim)
    axe.check(victim, "victim:code-wrong")
    _type_code(victim, code.lower().replace("-", " "))  # any case, spaces ignored
    go_through_start(victim)
    # Answering alone: no worker's session, so no "Answer on my own".
    expect(victim.get_by_role("button", name="Answer on my own")).to_have_count(0)
    answer_question(victim)
    stopped_at = step_of(victim)

    # Carrying on on another device: a personal address to write down, shown once.
    victim.get_by_role("link", name="Carry on another time or on another device").click()
    expect(victim).to_have_url(re.compile(r"/survey/another-device$"))
    _is_a_victim_page(victim)
    axe.check(victim, "survey:another-device")
    click_button(victim, "Show my address")
    address = victim.locator("#personal-address").inner_text().strip()
    assert re.fullmatch(re.escape(server.url) + r"/s/[0-9A-Za-z]{17}", address), address
    _is_a_victim_page(victim)
    axe.check(victim, "survey:another-device-address")

    # The victim's laptop: the address opens the survey where they stopped; they send it there.
    laptop = new_browser_context(viewport=DESKTOP).new_page()
    laptop.goto(address)
    expect(laptop).to_have_url(re.compile(r"/survey/page/"))
    assert step_of(laptop) == stopped_at
    _answer_some_and_send(laptop, questions=2)
    assert _responses(db) == [False]

    # The code worked once: on another device it is refused, with the same page as a wrong one.
    again = new_browser_context().new_page()
    again.goto("/code")
    _type_code(again, code)
    expect(again).to_have_url(re.compile(r"/code$"))
    expect(again.locator(".govuk-error-summary")).to_contain_text("it has been used")
    assert _responses(db) == [False]


def test_an_assisted_completion_ends_with_answer_on_my_own_and_a_code_to_carry_on(
    new_browser_context: ContextFactory, db: Session, axe: AxeChecker
) -> None:
    _held_invitation(db)
    worker = _worker(new_browser_context, db, axe)
    _look_up(worker, CASE_REF)

    # Only at the victim's request: the request must be ticked.
    worker.get_by_text("The person asked you to help them answer").click()
    click_button(worker, "Help them answer now")
    expect(worker.locator(".govuk-error-summary")).to_contain_text("asked you to help them")
    axe.check(worker, "support:assisted-error")
    worker.get_by_label(re.compile("asked me to help them answer")).check()
    click_button(worker, "Help them answer now")

    # The start page: the worker sees the answers, nobody else does, they can answer alone.
    expect(worker).to_have_url(re.compile(r"/survey/assisted$"))
    main = worker.locator("main")
    expect(main).to_contain_text("They will see your answers")
    expect(main).to_contain_text("Nobody else will see them")
    expect(main).to_contain_text("You can answer on your own instead")
    _is_a_victim_page(worker)
    expect(worker.get_by_role("button", name="Answer on my own")).to_be_visible()
    # No personal address on the worker's device.
    expect(worker.get_by_role("link", name=re.compile("another device"))).to_have_count(0)
    axe.check(worker, "survey:assisted-start")
    worker.get_by_role("button", name="Continue").click()

    # The usual pages, each with "Answer on my own"; one answer given together.
    seen: list[str] = []

    def offers_answering_alone(on: Page, name: str) -> None:
        expect(on.get_by_role("button", name="Answer on my own")).to_be_visible()
        seen.append(name)

    go_through_start(worker, on_page=offers_answering_alone)
    assert seen == ["survey:start", "survey:leaving-quickly", "survey:safety"], seen
    first = step_of(worker)
    expect(worker.get_by_role("button", name="Answer on my own")).to_be_visible()
    asked = worker.locator("main h1").first.inner_text().strip()
    answer_question(worker)
    assert step_of(worker) != first
    axe.check(worker, "survey:assisted-question")

    # "Answer on my own": the worker's session ends, and a fresh code is shown.
    click_button(worker, "Answer on my own")
    expect(worker.get_by_role("heading", level=1)).to_have_text("Your code to answer on your own")
    own = worker.locator("#own-code").inner_text().strip()
    assert CODE.match(own), own
    _is_a_victim_page(worker)
    axe.check(worker, "survey:own-code")
    worker.goto("/survey/start")
    expect(worker.get_by_role("button", name="Answer on my own")).to_have_count(0)
    expect(worker.get_by_role("button", name="Start now")).to_have_count(0)

    # The victim carries on alone on their own phone, and sends.
    victim = new_browser_context().new_page()
    victim.goto("/code")
    _type_code(victim, own)
    # Where they left off: the answer given together is kept, and shown only as "Answered".
    expect(victim).to_have_url(re.compile(r"/survey/page/"))
    assert step_of(victim) not in (first, "/code")
    _is_a_victim_page(victim)
    expect(victim.get_by_role("button", name="Answer on my own")).to_have_count(0)
    answer_question(victim)
    victim.goto("/survey/check")
    row = victim.locator(".govuk-summary-list__row").filter(has_text=asked)
    expect(row.locator(".govuk-summary-list__value")).to_have_text("Answered")
    click_button(victim, "Send your answers")
    expect(victim).to_have_url(re.compile(r"/survey/complete$"))
    # Sent on the victim's own, but it holds an answer given with help: an assisted response.
    assert _responses(db) == [True]
