"""Staff pages in the browser: sign-in with the second factor, dashboard and quarterly report."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.enums import Role
from tests.browser.conftest import AxeChecker
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
