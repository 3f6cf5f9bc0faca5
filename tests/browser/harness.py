"""The pieces the browser tests and scripts/screenshots.py share: the real app served by
uvicorn in a thread, Debian's Chromium driven by Playwright, and axe-core checks."""

from __future__ import annotations

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE_SCRIPT = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"

# Quiet, offline Chromium: no sandbox inside containers, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1024, "height": 768}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")


class LiveServer:
    """The app under uvicorn on 127.0.0.1 and a free port, in a daemon thread.

    VV_BASE_URL is pointed at the server before the app is created, because survey links are
    built from it; the previous value comes back on stop().
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # uvicorn sets no TCP_NODELAY on a socket handed to it; without it, Nagle's algorithm
        # and delayed ACKs add 40 ms to every keep-alive request (accepted sockets inherit it).
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._saved_base_url = os.environ.get("VV_BASE_URL")
        self._thread: threading.Thread | None = None
        self._server: Any = None

    def start(self) -> LiveServer:
        import uvicorn

        from app.main import create_app
        from app.settings import get_settings

        os.environ["VV_BASE_URL"] = self.url
        get_settings.cache_clear()
        config = uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        from app.settings import get_settings

        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._socket.close()
        if self._saved_base_url is None:
            os.environ.pop("VV_BASE_URL", None)
        else:
            os.environ["VV_BASE_URL"] = self._saved_base_url
        get_settings.cache_clear()


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, never a downloaded browser build."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )


def new_context(
    browser: Browser,
    base_url: str,
    *,
    javascript: bool = True,
    viewport: dict[str, int] | None = None,
    bypass_csp: bool = True,
) -> BrowserContext:
    """A fresh browser profile (its own cookies): a phone by default.

    bypass_csp lets axe-core be injected as a script tag; a context without it checks that
    the pages themselves run under the real Content-Security-Policy.
    """
    context = browser.new_context(
        base_url=base_url,
        viewport=viewport or PHONE,  # type: ignore[arg-type]
        java_script_enabled=javascript,
        bypass_csp=bypass_csp,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(5000)
    stub_other_sites(context, base_url)
    return context


# A stand-in for wherever "Exit this page" leads (the tests run offline).
ELSEWHERE_HTML = (
    '<!DOCTYPE html><html lang="en"><head><title>Weather</title></head>'
    "<body><h1>Weather</h1></body></html>"
)


def stub_other_sites(context: BrowserContext, base_url: str) -> list[str]:
    """Answer every request for another site with a stub page, and remember it.

    The pages must load nothing from another site, so `context.other_sites` lists each such
    request for the tests to check; the only one expected is the exit destination.
    """
    requested: list[str] = []
    own = re.compile("^" + re.escape(base_url.rstrip("/")) + "(/|$)")

    def answer(route: Route) -> None:
        requested.append(route.request.url)
        route.fulfill(status=200, content_type="text/html", body=ELSEWHERE_HTML)

    context.route(lambda url: own.match(url) is None and not url.startswith("data:"), answer)
    context.other_sites = requested  # type: ignore[attr-defined]
    return requested


def other_sites(context: BrowserContext) -> list[str]:
    return list(getattr(context, "other_sites", []))


@dataclass
class AxeFinding:
    page: str
    url: str
    violations: list[dict[str, Any]]


class StylesMissing(AssertionError):
    """The page's stylesheet did not load: axe would report the unstyled page's problems."""


def check_styles_loaded(page: Page) -> None:
    """Wait for the page to finish loading, then make sure its stylesheet is in force."""
    page.wait_for_load_state("load")
    try:
        page.wait_for_function(
            """() => [...document.styleSheets].some(
                (sheet) => sheet.href && sheet.href.endsWith('/static/css/app.css')
                           && sheet.cssRules.length > 100)""",
            timeout=3000,
        )
    except PlaywrightTimeoutError as error:
        raise StylesMissing(
            f"/static/css/app.css did not load on {page.url}: build the assets (make assets) "
            "and do not rebuild them while the browser tests run"
        ) from error


def run_axe(page: Page) -> list[dict[str, Any]]:
    """Every WCAG 2.x A/AA violation axe-core finds on the page as it is now."""
    check_styles_loaded(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    result: dict[str, Any] = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return {violations: r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 200),
                                          summary: n.failureSummary}))}))};
        }""",
        AXE_TAGS,
    )
    return list(result["violations"])


def blocking(violations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]


def describe_violations(name: str, url: str, violations: list[dict[str, Any]]) -> str:
    """A readable report: rule, impact, help and each failing element."""
    lines = [f"axe-core: {len(violations)} serious/critical violation(s) on {name} ({url})"]
    for violation in violations:
        lines.append(f"- [{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"  at {' '.join(map(str, node['target']))}: {node['html']}")
            if node.get("summary"):
                for summary_line in str(node["summary"]).splitlines():
                    lines.append(f"      {summary_line}")
    return "\n".join(lines)


@dataclass
class AxeLog:
    """What axe found, page by page, written out for the run's summary."""

    checked: list[str] = field(default_factory=list)
    findings: list[AxeFinding] = field(default_factory=list)

    def write(self, path: Path) -> None:
        path.write_text(
            json.dumps(
                {
                    "checked": self.checked,
                    "findings": [finding.__dict__ for finding in self.findings],
                },
                indent=2,
            )
        )


@contextmanager
def live_server() -> Iterator[LiveServer]:
    server = LiveServer().start()
    try:
        yield server
    finally:
        server.stop()


def wait_for_charts(page: Page) -> None:
    """Charts draw after the page loads (vega-embed): wait until each has drawn, so axe and
    screenshots see the page a person sees."""
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-chart-spec]')]
                 .every(el => el.querySelector('svg, canvas'))""",
        timeout=10000,
    )
