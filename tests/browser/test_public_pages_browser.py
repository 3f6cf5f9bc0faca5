"""Public and error pages in the browser: accessible, working under the real CSP, with and
without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import AxeChecker, ContextFactory

PUBLIC_PAGES = [
    ("/", "Messages from Your views"),
    ("/accessibility", "Accessibility statement for Your views"),
    ("/privacy", "Privacy notice"),
    ("/cookies", "Cookies"),
]


@pytest.mark.parametrize(("path", "heading"), PUBLIC_PAGES)
def test_public_page_is_accessible(page: Page, axe: AxeChecker, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    axe.check(page, f"public{path}")


def test_footer_links_reach_each_public_page_by_keyboard(page: Page) -> None:
    page.goto("/accessibility")
    footer = page.locator("footer")
    for path, heading in PUBLIC_PAGES:
        if path == "/":
            continue  # reached from the header and the messages, not the footer
        link = footer.get_by_role("link", name=heading.split(" for ")[0])
        link.focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def test_not_found_page_is_accessible(page: Page, axe: AxeChecker) -> None:
    response = page.goto("/no-such-page")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    axe.check(page, "error:404")


def test_pages_run_under_the_real_content_security_policy(
    new_browser_context: ContextFactory,
) -> None:
    """Without bypass_csp: the inline script's nonce works and nothing is refused."""
    context = new_browser_context(bypass_csp=False)
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    for path, _heading in PUBLIC_PAGES:
        page.goto(path)
        # The GOV.UK template's inline script marks the body once it is allowed to run.
        expect(page.locator("body")).to_have_class(re.compile("govuk-frontend-supported"))
    page.goto("/no-such-page")
    assert refused == []


def test_public_pages_work_without_javascript(nojs_page: Page) -> None:
    for path, heading in PUBLIC_PAGES:
        nojs_page.goto(path)
        expect(nojs_page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(
            nojs_page.locator("footer").get_by_role("link", name="Privacy notice")
        ).to_be_visible()
