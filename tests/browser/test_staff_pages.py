"""Staff pages in the browser: sign-in with the second factor, dashboard and quarterly report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.enums import Role
from tests.browser.conftest import AxeChecker
from tests.browser.factories import fill_responses, publish_bank
from tests.browser.harness import LiveServer, wait_for_charts
from tests.browser.staff import sign_in_as_new_user


def test_staff_sign_in_pages_are_accessible(page: Page, db: Session, axe: AxeChecker) -> None:
    sign_in_as_new_user(page, db, Role.analyst, on_each_page=axe.check)
    axe.check(page, "staff:home")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_wrong_password_shows_an_accessible_error_summary(page: Page, axe: AxeChecker) -> None:
    page.goto("/staff/login")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()  # GOV.UK Frontend moves focus to the summary
    axe.check(page, "staff:login-error")


@pytest.fixture
def responses(db: Session, server: LiveServer, settings_override) -> None:  # type: ignore[no-untyped-def]
    """Enough responses for figures to show at a small minimum cell."""
    settings_override(VV_MIN_CELL="3")
    publish_bank(db)
    db.commit()
    fill_responses(db, server.url, 12)


def test_dashboard_and_quarterly_report_are_accessible(
    page: Page, db: Session, axe: AxeChecker, responses: None
) -> None:
    sign_in_as_new_user(page, db, Role.analyst)
    page.goto("/staff/dashboard")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Dashboard"))
    # Every chart has its figures in a table too.
    expect(page.locator("main table").first).to_be_visible()
    wait_for_charts(page)
    axe.check(page, "staff:dashboard")

    period = current_quarter()
    page.goto(f"/reports/quarterly?period={period}")
    expect(page).to_have_title(re.compile(f"^Quarterly report {period}"))
    wait_for_charts(page)
    axe.check(page, "staff:quarterly-report")


def current_quarter() -> str:
    today = date.today()
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


OTHER_STAFF_PAGES = [
    "/staff/banks",
    "/staff/banks/general",
    "/staff/banks/general/versions/1",
    "/staff/banks/general/drafts/new",
    "/staff/comments",
    "/staff/actions",
    "/staff/contact-requests",
]


def test_every_other_staff_page_is_accessible(
    page: Page, db: Session, axe: AxeChecker, server: LiveServer
) -> None:
    publish_bank(db)
    db.commit()
    fill_responses(db, server.url, 2)
    sign_in_as_new_user(page, db, Role.admin)
    failed = []
    for path in OTHER_STAFF_PAGES:
        response = page.goto(path)
        assert response is not None
        if response.status != 200:
            failed.append(f"{path}: {response.status}")
            continue
        axe.check(page, f"staff:{path}")
    assert failed == []


def test_second_sign_in_asks_for_the_code_accessibly(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    from tests.auth_helpers import PASSWORD, next_code

    email = sign_in_as_new_user(page, db, Role.analyst)
    page.get_by_role("button", name="Sign out").click()
    page.goto("/staff/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/2fa$"))
    axe.check(page, "staff:2fa")
    code_field = page.locator("input[name=code]")
    code_field.fill(next_code(db, email))
    db.rollback()
    code_field.press("Enter")
    expect(page).to_have_url(re.compile(r"/staff/$"))


def test_a_refused_null_character_shows_an_accessible_error_summary(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    sign_in_as_new_user(page, db, Role.analyst)
    response = page.goto("/staff/banks?period=2026%00")
    assert response is not None and response.status == 422
    expect(page).to_have_title(re.compile("^Error: There is a problem with what you sent"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("query period: must not contain a null character (U+0000)")
    axe.check(page, "staff:null-character-refused")
