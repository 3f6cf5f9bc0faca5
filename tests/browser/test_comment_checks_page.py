"""The comment check page in the browser: accessible, and a release reaches analysts."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.enums import Role
from tests.browser.conftest import AxeChecker
from tests.browser.staff import sign_in_as_new_user
from tests.reporting.test_feedback_factories import create_comment, create_comments, create_response


def test_an_approver_checks_a_comment_in_another_language(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    june = date(2026, 6, 1)
    create_comments(db, 9, "Kept me informed", month=june)
    response = create_response(db, month=june)
    response.language = "pl"
    create_comment(db, "Policjant był bardzo miły, dziękuję", response=response)
    db.commit()
    sign_in_as_new_user(page, db, Role.approver)

    page.goto("/staff/comments/checks")
    expect(page.get_by_text("Policjant był bardzo miły, dziękuję")).to_be_visible()
    axe.check(page, "staff:comment-checks")
    page.get_by_role("button", name="Release to analysts (comment 1)").click()

    expect(page.get_by_text("The comment can now be read by analysts.")).to_be_visible()
    expect(page.get_by_text("There are no comments waiting for a check.")).to_be_visible()
    axe.check(page, "staff:comment-checks-done")
