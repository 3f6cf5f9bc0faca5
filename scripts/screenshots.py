"""Regenerate docs/screenshots/: every victim page, the staff sign-in, dashboard and report, a
support worker's handover pages and the assisted start page.

Run by `make screenshots`. Starts the real app the way the browser tests do (uvicorn in a thread,
Debian's Chromium through Playwright) on a throwaway SQLite database: migrated, the test bank
(with its approved Urdu translation) and the support services loaded, sixty answered surveys
for the staff pages, then walks the journey as a victim on a 360 px wide phone and as an
analyst on a 1024 px wide screen. Last, in a second throwaway instance seeded by
`victim-voice demo`, the populated dashboard, compliance view and /results (`--demo-staff`
alone shoots just those). File names are stable, so a change shows up as a diff.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

from cryptography.fernet import Fernet

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = REPO_ROOT / "docs" / "screenshots"
sys.path.insert(0, str(REPO_ROOT))


def _environment(work: Path) -> None:
    """Settings for a throwaway instance; nothing of the developer's own .env is read."""
    os.chdir(work)
    os.environ.update(
        {
            "VV_DATABASE_URL": f"sqlite:///{work / 'screens.db'}",
            "VV_ENV": "development",
            "VV_SECRET_KEYS": secrets.token_urlsafe(48),
            "VV_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "VV_HASH_KEY": secrets.token_urlsafe(48),
            "VV_OUTBOX_PATH": str(work / "outbox.jsonl"),
            "VV_QUIET_HOURS": "none",
            "VV_ORGANISATION": "Office of the Police and Crime Commissioner",
            "VV_SMS_NUMBER": "07911 123456",
            "VV_CONTACT_PHONE": "0121 496 0000",
        }
    )


def _quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _seed(session: object, period: str) -> None:
    from sqlmodel import Session

    from app.reporting.actions import publish_action
    from app.reporting.self_assessments import save_self_assessment
    from tests.browser.factories import load_support, publish_bank

    assert isinstance(session, Session)
    publish_bank(session)
    load_support(session)
    publish_action(
        session,
        text="You told us updates were too rare, so every victim now gets a named contact "
        "and an update at least every 28 days.",
        crime_group=None,
        actor="screenshots",
    )
    entries = [
        (1, "police", 95, 100),
        (6, "police", 180, 200),
        (8, "witness_care", 45, 50),
        (8, "cps", 40, 50),
        (9, "witness_care", 85, 100),
    ]
    save_self_assessment(
        session,
        period=period,
        body={
            "rights": {str(right): 0.9 for right in range(1, 13)},
            "entries": [
                {
                    "right": right,
                    "agency": agency,
                    "numerator": numerator,
                    "denominator": denominator,
                    "definition": "Cases where the right was met, of the cases audited",
                    "method": "Quarterly audit of a random sample of case records",
                    "rag": "green" if numerator / denominator >= 0.9 else "amber",
                    "narrative": "",
                }
                for right, agency, numerator, denominator in entries
            ],
        },
        actor="screenshots",
    )


# The client a support worker looks up in the screenshots (a made-up reference).
SUPPORT_CASE_REF = "CR/2026/0042"


def _compliance_view(browser: Browser, base_url: str, shots: Path, saved: list[str]) -> None:
    """The Victims' Code comparison alone, on a wide screen with the page's width limit lifted
    so every column of its table shows at once (on the page it scrolls)."""
    from app.db import session_scope
    from app.enums import Role
    from tests.browser.harness import new_context, wait_for_charts
    from tests.browser.staff import sign_in_as_new_user

    wide = new_context(browser, base_url, viewport={"width": 1600, "height": 1000}).new_page()
    with session_scope() as session:
        sign_in_as_new_user(wide, session, Role.analyst)
    wide.goto("/staff/dashboard")
    wait_for_charts(wide)
    wide.add_style_tag(
        content=".govuk-width-container{max-width:none}"
        ".govuk-grid-column-two-thirds{width:100%}.app-table-scroll{overflow:visible}"
    )
    wide.locator("#victims-code").screenshot(path=str(shots / "41-compliance-view.png"))
    saved.append("41-compliance-view.png")


def _self_assessment_page(
    browser: Browser, base_url: str, period: str, shoot: Callable[[Page, str], None]
) -> None:
    """The uploader's self-assessment page (issue 14)."""
    from app.db import session_scope
    from app.enums import Role
    from tests.browser.harness import DESKTOP, new_context
    from tests.browser.staff import sign_in_as_new_user

    uploader = new_context(browser, base_url, viewport=DESKTOP).new_page()
    with session_scope() as session:
        sign_in_as_new_user(uploader, session, Role.uploader)
    uploader.goto(f"/staff/self-assessment?period={period}")
    shoot(uploader, "40-self-assessment")


def _support_pages(browser: Browser, base_url: str, shoot: Callable[[Page, str], None]) -> None:
    """A support worker's look-up, a result and a handed-over code; the victim's /code page;
    an assisted session's start page and the code "Answer on my own" gives (issue 12).

    The invitation is made last, after the staff pages, so their figures do not count it.
    """
    from playwright.sync_api import expect

    from app.db import session_scope
    from app.enums import Role
    from tests.browser.harness import DESKTOP, PHONE, new_context
    from tests.browser.staff import sign_in_as_new_user
    from tests.invitations.factories import make_support_service_row, upload

    with session_scope() as session:
        result = upload(session, [make_support_service_row(case_ref=SUPPORT_CASE_REF)])
        assert result.accepted == 1, result.as_dict()
    worker = new_context(browser, base_url, viewport=DESKTOP).new_page()
    with session_scope() as session:
        sign_in_as_new_user(worker, session, Role.support_worker)

    def look_up() -> None:
        worker.goto("/staff/support/")
        worker.get_by_label("Crime reference").fill(SUPPORT_CASE_REF)
        worker.get_by_role("button", name="Find the survey").click()
        expect(worker.locator(".govuk-summary-card")).to_have_count(1)
        # The assisted option open, so the result shows everything a worker can do.
        worker.get_by_text("The person asked you to help them answer").click()
        worker.evaluate("() => document.activeElement && document.activeElement.blur()")

    worker.goto("/staff/support/")
    shoot(worker, "32-support-look-up")
    look_up()
    shoot(worker, "33-support-look-up-result")
    worker.get_by_label(re.compile("the person agreed to take part")).check()
    worker.get_by_role("button", name="Hand over a code").click()
    expect(worker.locator("#handover-code")).to_be_visible()
    shoot(worker, "34-support-code-handed-over")

    victim = new_context(browser, base_url, viewport=PHONE).new_page()
    victim.goto("/code")
    shoot(victim, "35-enter-your-code")

    look_up()
    worker.get_by_label(re.compile("asked me to help them answer")).check()
    worker.get_by_role("button", name="Help them answer now").click()
    expect(worker).to_have_url(re.compile(r"/survey/assisted$"))
    shoot(worker, "36-assisted-start")
    worker.get_by_role("button", name="Answer on my own").click()
    expect(worker.locator("#own-code")).to_be_visible()
    shoot(worker, "37-answer-on-my-own-code")


def _report_pdf_pages(page: Page, period: str, shots: Path, saved: list[str]) -> None:
    """The report's PDF, as the analyst downloads it, pages 1 and 2 drawn by pdftoppm."""
    import subprocess

    response = page.request.get(f"/reports/quarterly.pdf?period={period}")
    assert response.ok, response.status
    pdf = shots / "quarterly-report.pdf"
    pdf.write_bytes(response.body())
    prefix = shots / "23-quarterly-report-pdf"
    subprocess.run(  # noqa: S603 - fixed arguments, our own file
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(pdf), str(prefix)],  # noqa: S607
        check=True,
    )
    for drawn in sorted(shots.glob("23-quarterly-report-pdf-*.png")):
        name = f"23-quarterly-report-pdf-page-{int(drawn.stem.rsplit('-', 1)[1])}.png"
        drawn.replace(shots / name)
        saved.append(name)
        print(f"  {name}")


def demo_staff_pages() -> int:
    """`--demo-staff`: the dashboard, the compliance view and /results as `victim-voice demo`
    leaves them (six quarters of responses, self-assessments, actions), in a throwaway
    instance of its own; the full run calls it last, in a fresh process."""
    work = Path(tempfile.mkdtemp(prefix="vv-screenshots-demo-"))
    _environment(work)

    from playwright.sync_api import sync_playwright

    from app.db import session_scope
    from app.demo import seed_demo
    from app.enums import Role
    from app.migrate import upgrade
    from app.settings import get_settings
    from tests.browser.harness import (
        DESKTOP,
        check_styles_loaded,
        launch_chromium,
        live_server,
        new_context,
        wait_for_charts,
    )
    from tests.browser.staff import sign_in_as_new_user

    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    for line in seed_demo():
        if line.startswith(("demo history", "self-assessments", "actions")):
            print(f"  {line}")
    shots = Path(tempfile.mkdtemp(prefix="vv-screenshots-"))
    saved: list[str] = []
    with live_server() as server, sync_playwright() as driver:
        browser = launch_chromium(driver)
        desk = new_context(browser, server.url, viewport=DESKTOP).new_page()
        with session_scope() as session:
            sign_in_as_new_user(desk, session, Role.analyst)
        desk.goto("/staff/dashboard")
        wait_for_charts(desk)
        check_styles_loaded(desk)
        desk.screenshot(path=str(shots / "22-dashboard.png"), full_page=True)
        saved.append("22-dashboard.png")
        _compliance_view(browser, server.url, shots, saved)
        public = new_context(browser, server.url, viewport=DESKTOP).new_page()
        public.goto("/results")  # no sign-in: the closed quarters, frozen as they close
        check_styles_loaded(public)
        # The page runs to every closed quarter; its top shows the newest and how to read it.
        public.screenshot(
            path=str(shots / "42-results.png"),
            full_page=True,
            clip={"x": 0, "y": 0, "width": 1024, "height": 2200},
        )
        saved.append("42-results.png")
        browser.close()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name in saved:
        (shots / name).replace(OUT_DIR / name)
        print(f"  {name} (demo data)")
    return 0


def main() -> int:
    if "--demo-staff" in sys.argv[1:]:
        return demo_staff_pages()
    # `--only-report`: shoot the quarterly report page and its PDF pages only, leaving the other
    # screenshots as they are (the whole run takes minutes).
    only_report = "--only-report" in sys.argv[1:]
    work = Path(tempfile.mkdtemp(prefix="vv-screenshots-"))
    _environment(work)

    from playwright.sync_api import expect, sync_playwright

    from app import i18n
    from app.banks.localize import iter_questions
    from app.banks.yaml_files import read_yaml
    from app.db import session_scope
    from app.enums import Role
    from app.migrate import upgrade
    from app.settings import get_settings
    from app.victim_page import SAFEGUARDING_URL
    from scripts.lock_screen import lock_screen_html
    from tests.browser.factories import (
        URDU_BANK,
        create_sent_invitation,
        fill_responses,
    )
    from tests.browser.harness import (
        DESKTOP,
        PHONE,
        check_styles_loaded,
        launch_chromium,
        live_server,
        new_context,
        wait_for_charts,
    )
    from tests.browser.staff import sign_in_as_new_user
    from tests.browser.survey_steps import answer_question, click_button, goto_step, step_of

    get_settings.cache_clear()
    upgrade(get_settings().database_url)
    period = _quarter(date.today())
    with session_scope() as session:
        _seed(session, period)
    # The Urdu start page shows what an approved translation looks like; the interface's own
    # Urdu catalog is still a draft, so it is marked approved for this run only.
    i18n.INTERFACE_LANGUAGES["ur"] = "approved"

    document = read_yaml(URDU_BANK)
    types = {question["id"]: question["type"] for _section, question in iter_questions(document)}

    # Shot into a scratch folder first: a run that fails half-way leaves the old set whole.
    shots = Path(tempfile.mkdtemp(prefix="vv-screenshots-"))
    saved: list[str] = []

    def shoot(page: Page, name: str) -> None:
        check_styles_loaded(page)  # waits for the page to load, then checks it is styled
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
        saved.append(f"{name}.png")
        print(f"  {name}.png")

    with live_server() as server, sync_playwright() as driver:
        with session_scope() as session:
            fill_responses(session, server.url, 60)
        with session_scope() as session:
            english = create_sent_invitation(session)
            urdu = create_sent_invitation(session, language="ur")
            stop = create_sent_invitation(session, phone="+447700900456")
        browser = launch_chromium(driver)

        if not only_report:  # `--only-report`: the report page and its PDF only
            phone = new_context(browser, server.url, viewport=PHONE).new_page()
            phone.goto(english.path)
            shoot(phone, "01-start")
            phone.get_by_role("button", name="Start now").click()
            shoot(phone, "02-leaving-quickly")
            phone.get_by_role("button", name="Continue").click()
            shoot(phone, "03-safety")
            phone.get_by_role("button", name="Continue").click()

            wanted = {
                "scale": "04-question-scale",
                "yes_no": "05-question-yes-no",
                "single": "06-question-single",
                "multi": "07-question-multi",
                "text": "08-question-text",
            }
            for _ in range(60):
                step = step_of(phone)
                if step == "check":
                    break
                if step.startswith("s:"):
                    shoot(phone, "09-content-note")
                    click_button(phone, "Continue")
                    continue
                kind = types[step.removeprefix("q:")]
                if kind in wanted:
                    shoot(phone, wanted.pop(kind))
                if kind == "text":
                    # A comment too long to keep: the GOV.UK error summary, the answer kept.
                    phone.locator("main form textarea").fill("This is far too long. " * 100)
                    click_button(phone, "Save and continue")
                    expect(phone.locator(".govuk-error-summary")).to_be_visible()
                    shoot(phone, "10-error-summary")
                    # A phrase of danger typed: the help panel, shown by the browser alone.
                    goto_step(phone, step)
                    phone.locator("main form textarea").fill("I am scared. He said he will kill me")
                    expect(phone.locator("#risk-help")).to_be_visible()
                    shoot(phone, "30-risk-panel")
                answer_question(phone)
            shoot(phone, "11-check-answers")
            click_button(phone, "Send your answers")
            shoot(phone, "12-confirmation")
            phone.get_by_role("link", name="Withdraw your answers").click()
            shoot(phone, "13-withdraw")
            click_button(phone, "Withdraw my answers")
            shoot(phone, "14-withdrawn")
            phone.goto(english.path)
            shoot(phone, "15-link-ended-410")
            phone.goto("/no-such-page")
            shoot(phone, "16-page-not-found-404")
            phone.goto("/survey/start")
            shoot(phone, "17-open-your-link-again")

            urdu_page = new_context(browser, server.url, viewport=PHONE).new_page()
            urdu_page.goto(urdu.path)
            shoot(urdu_page, "18-start-urdu")
            goto_step(urdu_page, "q:sat_ease_of_contact")
            shoot(urdu_page, "19-question-urdu")

            stop_page = new_context(browser, server.url, viewport=PHONE).new_page()
            stop_page.goto(f"{stop.path}/stop")
            shoot(stop_page, "20-stop-messages")

            home = new_context(browser, server.url, viewport=PHONE).new_page()
            home.goto("/")
            shoot(home, "24-genuine-message")
            home.goto(SAFEGUARDING_URL)
            shoot(home, "31-safeguarding-statement")
            lock = browser.new_page(viewport=PHONE)  # type: ignore[arg-type]
            lock.set_content(lock_screen_html())
            lock.screenshot(path=str(shots / "25-sms-lock-screen.png"), full_page=True)
            saved.append("25-sms-lock-screen.png")

        desk = new_context(browser, server.url, viewport=DESKTOP).new_page()

        def sign_in_page(page: Page, name: str) -> None:
            if name == "staff:login":
                shoot(page, "21-staff-sign-in")

        with session_scope() as session:
            # The user is committed at once, so the sign-in requests never wait on this session.
            sign_in_as_new_user(desk, session, Role.analyst, on_each_page=sign_in_page)
        if not only_report:
            # The dashboard and compliance view are shot from the demo's data (--demo-staff).
            _self_assessment_page(browser, server.url, period, shoot)
        desk.goto(f"/reports/quarterly?period={period}")
        wait_for_charts(desk)
        shoot(desk, "23-quarterly-report")
        _report_pdf_pages(desk, period, shots, saved)
        if not only_report:
            _support_pages(browser, server.url, shoot)
        browser.close()

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for old in OUT_DIR.glob("*.png"):
        if not only_report:
            old.unlink()
    for name in saved:
        (shots / name).replace(OUT_DIR / name)
    print(f"{len(saved)} screenshots in {OUT_DIR.relative_to(REPO_ROOT)}/")
    if not only_report:
        # Our own script again, by its own path: a fresh process with a settings of its own.
        subprocess.run([sys.executable, __file__, "--demo-staff"], check=True)  # noqa: S603
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
