"""The public results page in Chromium under the real CSP: accessible (axe-core), readable
without JavaScript, with its open data one link away."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from app import clock
from app.reporting.actions import publish_action
from tests.browser.conftest import AxeChecker, ContextFactory
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def closed_quarter(answers: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The answers, on 2 December 2026: 2026-Q1 has closed."""
    monkeypatch.setattr(clock, "now", lambda: NOW)


@pytest.fixture
def answers(db: Session) -> None:
    """2026-Q1: 40 general answers, 3 rasso ones; an action."""
    general = create_bank_version(db, small_bank("general"))
    rasso = create_bank_version(db, small_bank("rasso"), slug="rasso")
    for index in range(40):
        code = "very_satisfied" if index < 30 else "neither"
        submit_response(db, general, {"sat_overall": code}, month=date(2026, 2, 1), commit=False)
    for _ in range(3):
        submit_response(
            db, rasso, {"sat_overall": "neither"}, crime_group="rasso", month=date(2026, 2, 1)
        )
    publish_action(db, text="Officers now call back within two days.", crime_group=None, actor="t")
    db.commit()


def test_results_page_is_accessible(page: Page, axe: AxeChecker, closed_quarter: None) -> None:
    page.goto("/results")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: what people told us")
    expect(page.get_by_role("heading", name="Quarter 2026-Q1")).to_be_visible()
    table = page.get_by_role("table", name="Satisfaction with the whole experience")
    expect(table.get_by_role("row", name="Rape and serious sexual offences")).to_contain_text(
        "Too few answers"
    )
    expect(table.get_by_role("row", name="General crime")).to_contain_text("%")
    expect(page.get_by_text("Officers now call back within two days.")).to_be_visible()
    axe.check(page, "public/results")


def test_results_page_works_without_javascript_and_under_the_csp(
    new_browser_context: ContextFactory, closed_quarter: None
) -> None:
    page = new_browser_context(javascript=False).new_page()
    page.goto("/results")
    expect(page.get_by_role("heading", name="Quarter 2026-Q1")).to_be_visible()
    expect(page.locator("footer").get_by_role("link", name="Privacy notice")).to_be_visible()
    strict = new_browser_context(bypass_csp=False).new_page()
    refused: list[str] = []
    strict.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    strict.goto("/results")
    expect(strict.get_by_role("heading", name="Quarter 2026-Q1")).to_be_visible()
    assert refused == []


def test_results_open_data_links(page: Page, closed_quarter: None) -> None:
    page.goto("/results")
    href = page.get_by_role("link", name="Results as JSON").get_attribute("href")
    assert href is not None
    body = page.request.get(href).json()
    assert [quarter["quarter"] for quarter in body["quarters"]] == ["2026-Q1"]
    csv = page.get_by_role("link", name="Results as a spreadsheet (CSV)").get_attribute("href")
    assert csv is not None
    header = b"\xef\xbb\xbfmetric,period_from,period_to,filters,crime_group"
    assert page.request.get(csv).body().startswith(header)


def test_partner_figures_page_is_accessible(
    page: Page, db: Session, axe: AxeChecker, answers: None
) -> None:
    from app.enums import Role
    from tests.browser.staff import sign_in_as_new_user

    sign_in_as_new_user(page, db, Role.admin)  # an admin edits every bank: every group shows
    page.goto("/staff/partner-figures")  # today's quarter and the three before it
    expect(page.get_by_role("heading", level=1)).to_have_text("Figures for your crime groups")
    expect(page.get_by_role("heading", name="General crime")).to_be_visible()
    axe.check(page, "staff/partner-figures")
