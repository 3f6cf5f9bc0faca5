"""/api/v1/docs in the browser: Swagger UI from our own origin renders every operation under the
real Content-Security-Policy, loads nothing from elsewhere, and axe finds nothing serious."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import AxeChecker, ContextFactory
from tests.browser.harness import DESKTOP, other_sites


def test_api_docs_render_under_the_real_csp(new_browser_context: ContextFactory) -> None:
    context = new_browser_context(bypass_csp=False, viewport=DESKTOP)
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda m: blocked.append(m.text) if "Content Security" in m.text else None)
    page.goto("/docs")  # redirects
    assert page.url.endswith("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/aggregates/{metric_id}" in path for path in paths)
    assert any("/api/v1/invitation-batches" in path for path in paths)
    # The bearer key scheme is offered ("Authorize").
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()
    assert blocked == []
    assert other_sites(context) == []


def test_api_docs_are_accessible(new_browser_context: ContextFactory, axe: AxeChecker) -> None:
    page = new_browser_context(viewport=DESKTOP).new_page()
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15000)
    # One operation open, as a reader would: its parameters and error responses are shown.
    page.locator(".opblock-summary-control").first.click(no_wait_after=True)
    expect(page.locator(".responses-wrapper").first).to_be_visible()
    axe.check(page, "api-docs")
