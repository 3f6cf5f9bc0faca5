"""Signing a staff member in through the real pages, in the browser."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.enums import Role
from tests.auth_helpers import PASSWORD, create_staff_user


def sign_in_as_new_user(page: Page, db: Session, *roles: Role, on_each_page: object = None) -> str:
    """Create a user holding `roles`, walk sign-in and second-factor set-up; their email.

    `on_each_page(page, name)` is called on each sign-in page as it shows (for axe).
    """
    user = create_staff_user(db, *roles)
    page.goto("/staff/login")
    if callable(on_each_page):
        on_each_page(page, "staff:login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/staff/2fa/setup"))
    if callable(on_each_page):
        on_each_page(page, "staff:2fa-setup")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    return user.email
