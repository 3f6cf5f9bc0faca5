"""Browser tests: the real app under uvicorn, driven in Debian's headless Chromium.

They run once per CI run, on SQLite: skipped when VV_SKIP_BROWSER or VV_TEST_DATABASE_URL is
set, and when /usr/bin/chromium is missing — except under CI, where a missing browser fails
loudly rather than silently skipping the only end-to-end checks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlmodel import Session

from tests.browser.factories import SentLink, create_sent_invitation, load_support, publish_bank
from tests.browser.harness import (
    AXE_SCRIPT,
    CHROMIUM,
    AxeFinding,
    AxeLog,
    LiveServer,
    blocking,
    describe_violations,
    launch_chromium,
    new_context,
    run_axe,
)


def _why_skip() -> str | None:
    if os.environ.get("VV_SKIP_BROWSER"):
        return "VV_SKIP_BROWSER is set"
    if os.environ.get("VV_TEST_DATABASE_URL"):
        return "browser tests run once per CI run, on SQLite"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", autouse=True)
def _browser_available() -> None:
    reason = _why_skip()
    if reason:
        pytest.skip(reason)
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + " — a CI run must not skip the browser tests")
        pytest.skip(message)
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `npm install` (make install)")


@pytest.fixture(scope="module")
def server(_test_environment: None) -> Iterator[LiveServer]:
    """The app on a free local port, with VV_BASE_URL pointing at it (restored afterwards)."""
    live = LiveServer().start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = launch_chromium(playwright_driver)
    yield chromium
    chromium.close()


ContextFactory = Callable[..., BrowserContext]


@pytest.fixture
def new_browser_context(browser: Browser, server: LiveServer) -> Iterator[ContextFactory]:
    """Makes fresh browser profiles (a second device, JavaScript off ...), closed afterwards."""
    made: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = new_context(browser, server.url, **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(new_browser_context: ContextFactory) -> Page:
    """A phone-sized page with JavaScript on."""
    return new_browser_context().new_page()


@pytest.fixture
def nojs_page(new_browser_context: ContextFactory) -> Page:
    """A phone-sized page with JavaScript off."""
    return new_browser_context(javascript=False).new_page()


_axe_log = AxeLog()


class AxeChecker:
    """Runs axe-core on each distinct page once and fails the test with every finding at once,
    so one page's violation does not hide the rest of the journey."""

    def __init__(self) -> None:
        self.findings: list[AxeFinding] = []

    def check(self, page: Page, name: str) -> None:
        if name in _axe_log.checked:
            return
        violations = blocking(run_axe(page))
        _axe_log.checked.append(name)
        if violations:
            finding = AxeFinding(page=name, url=page.url, violations=violations)
            self.findings.append(finding)
            _axe_log.findings.append(finding)

    def when(self, javascript: bool) -> Callable[[Page, str], None]:
        """`check`, or nothing with JavaScript off (axe-core runs in the page's JavaScript)."""

        def check(page: Page, name: str) -> None:
            if javascript:
                self.check(page, name)

        return check

    def assert_clean(self) -> None:
        if self.findings:
            findings, self.findings = self.findings, []
            pytest.fail(
                "\n\n".join(describe_violations(f.page, f.url, f.violations) for f in findings),
                pytrace=False,
            )


@pytest.fixture
def axe() -> Iterator[AxeChecker]:
    checker = AxeChecker()
    yield checker
    checker.assert_clean()


@pytest.fixture
def link(db: Session) -> Iterator[SentLink]:
    """The test bank published, support services loaded, a link sent for `reporting`."""
    publish_bank(db)
    load_support(db)
    sent = create_sent_invitation(db)
    db.commit()
    yield sent


def pytest_sessionfinish(session: pytest.Session) -> None:
    """VV_AXE_REPORT=path writes every checked page and finding as JSON (for reviews)."""
    target = os.environ.get("VV_AXE_REPORT")
    if target and _axe_log.checked:
        worker = os.environ.get("PYTEST_XDIST_WORKER", "")
        path = Path(target)
        if worker:
            path = path.with_name(f"{path.stem}-{worker}{path.suffix}")
        _axe_log.write(path)
