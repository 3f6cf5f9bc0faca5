"""Approving a bank change in the browser: the review page is accessible and publishes what it
showed."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.banks import service
from app.banks.versions import create_draft, submit_draft
from app.enums import Role
from tests.browser.conftest import AxeChecker
from tests.browser.factories import publish_bank
from tests.browser.staff import sign_in_as_new_user


def test_an_approver_reviews_and_publishes_a_partners_change(
    page: Page, db: Session, axe: AxeChecker
) -> None:
    published = publish_bank(db)
    slug = published.document["slug"]
    document = dict(published.document)
    document["title"] = "Your experience with the police, reworded"
    # A partner's draft, written by someone else (user 999).
    draft, _warnings = create_draft(
        db, slug, document, change_note="A partner's wording", actor="user:999"
    )
    submit_draft(db, slug, draft.version, actor="user:999")
    version = draft.version
    db.commit()

    sign_in_as_new_user(page, db, Role.approver)
    db.rollback()  # end the test's reads: SQLite's write lock is taken at BEGIN
    page.goto(f"/staff/banks/{slug}")
    page.get_by_role("link", name=re.compile("Review and approve")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Review version {version} before you publish it"
    )
    axe.check(page, "staff:bank-review")
    page.get_by_text("The whole bank, as it will be published").click()
    expect(page.locator("#reviewed-text")).to_contain_text("reworded")
    page.get_by_role("button", name="Approve and publish").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Version {version} is published"
    )
    db.expire_all()
    latest = service.latest_published(db, slug)
    assert latest is not None and latest.version == version
    db.rollback()
