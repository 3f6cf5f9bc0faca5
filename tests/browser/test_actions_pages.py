"""The action log's staff pages in the browser: publish, read with effects, change, and an
error summary, each checked with axe."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.enums import Role
from tests.browser.conftest import AxeChecker
from tests.browser.staff import sign_in_as_new_user


def test_the_action_log_and_its_forms_are_accessible(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    sign_in_as_new_user(page, db, Role.approver)
    page.goto("/staff/actions")
    axe.check(page, "staff:actions-empty")

    page.get_by_label("What was done").fill("Officers now call every two weeks.")
    page.get_by_label("The finding that prompted it (optional)").fill("Updates were rare.")
    page.get_by_label("In progress").check()
    page.locator("#rights-6").check()
    page.get_by_text("Metrics it answers (optional)").click()
    page.get_by_label("Satisfaction with the whole experience").check()
    page.get_by_label("Before: from").fill("2026-07")
    page.get_by_label("After: from").fill("2026-10")
    page.get_by_role("button", name="Publish").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text("The action is published")
    expect(page.locator("main")).to_contain_text("Officers now call every two weeks.")
    expect(page.get_by_role("table")).to_contain_text("Satisfaction with the whole experience")
    axe.check(page, "staff:actions-log")

    page.get_by_role("link", name=re.compile("^Change")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change an action")
    axe.check(page, "staff:actions-change")
    page.get_by_label("Owner (optional)").fill("jo@example.org")
    page.get_by_role("button", name="Save changes").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Name a team or role")
    axe.check(page, "staff:actions-change-error")
