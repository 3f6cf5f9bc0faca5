"""A RASSO victim invited after a no-further-action decision, through the real upload and
dispatch, in Chromium: never asked about a charge, a trial or the offender; every title neutral
and every address opaque; axe-core on each distinct page (issue 11)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect
from sqlmodel import Session

from app.banks.signoff import sign_off_shipped_for_demo
from app.db import utcnow
from app.invitations.dispatch import dispatch_once
from tests.browser.conftest import AxeChecker
from tests.browser.factories import load_support, publish_bank
from tests.browser.harness import LiveServer
from tests.browser.survey_steps import go_through_start, walk_to_check
from tests.factories import token_in
from tests.invitations.factories import RecordingSender, make_specialist_row, upload

BANKS = Path(__file__).resolve().parents[2] / "question_banks"
# Words that would tell whoever sees the screen or the history what this is about.
TELLING = re.compile(
    r"police|commissioner|crime|victim|offence|rape|sexual|abuse|violence|rasso|vawg", re.I
)
# What a victim whose case ended NFA must never be asked about (a hint may still explain, say,
# the right to review a decision not to charge).
NOT_AFTER_NFA = re.compile(r"charged|trial|court|offender|sentenc|verdict", re.I)
NEVER_AFTER_NFA = {
    "outcome_charged",
    "right_8_outcome",
    "right_8_court",
    "right_11_contact_scheme",
    "rasso_pre_recorded",
}


def test_a_rasso_victim_after_nfa_is_never_asked_about_a_charge_and_nothing_tells(
    page: Page, db: Session, axe: AxeChecker, server: LiveServer, settings_override: Any
) -> None:
    settings_override(VV_SPECIALIST_DIRECT_CONTACT="on", VV_QUIET_HOURS="none")
    publish_bank(db, BANKS / "rasso.yaml")
    sign_off_shipped_for_demo(db)  # the new questions await partner review: shown once signed
    load_support(db)
    db.commit()
    # Home Office outcome 15 (evidential difficulties): no further action. Specialist groups
    # wait 21 days after NFA, so the decision was a month ago.
    decided = (utcnow().date() - timedelta(days=30)).isoformat()
    row = make_specialist_row(touchpoint="outcome", outcome="15", touchpoint_date=decided)
    result = upload(db, [row])
    assert result.accepted == 1, result.as_dict()
    sender = RecordingSender()
    assert dispatch_once(sender=sender).sent == 1
    body = sender.sent[0].body
    assert not TELLING.search(body), "the SMS names what it is about"
    token = token_in(body, server.url)

    titles: list[str] = []
    addresses: list[str] = []
    asked: list[str] = []

    def seen(on: Page, name: str) -> None:
        titles.append(on.title())
        addresses.append(on.url)
        axe.check(on, name)

    places: list[tuple[int, int]] = []

    def on_question(on: Page, step: str) -> None:
        asked.append(on.locator("main h1").first.inner_text())
        # The title says "Question N" only; "of M" is on the page (the caption), never in the
        # history, since a total differs between the banks.
        title = re.fullmatch(r"Question (\d+) – Your views", on.title())
        assert title, on.title()
        caption = re.fullmatch(
            r"Question (\d+) of (\d+)", on.locator("main .govuk-caption-l").first.inner_text()
        )
        assert caption and caption[1] == title[1], on.title()
        places.append((int(caption[1]), int(caption[2])))
        seen(on, f"rasso:{step}")

    page.goto(f"/s/{token}")
    go_through_start(page, on_page=lambda on, name: seen(on, f"rasso:{name}"))
    steps = walk_to_check(
        page, on_question=on_question, on_section=lambda on, step: seen(on, f"rasso:{step}")
    )
    assert "q:right_6_decision_told" in steps  # the decision itself is asked about
    assert not {step.removeprefix("q:") for step in steps} & NEVER_AFTER_NFA
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    seen(page, "rasso:check")

    assert asked, "no question was asked"
    for text in asked:
        assert not NOT_AFTER_NFA.search(text), f"asked after NFA: {text[:200]}"
    # "Question N of M" (caption): N counts the questions shown, with no gap for those routed out;
    # M is one total for the whole journey, at least every question asked.
    assert [number for number, _total in places] == list(range(1, len(places) + 1))
    assert len({total for _number, total in places}) == 1
    assert places[0][1] >= len(places)
    for title in titles:
        assert title.endswith("Your views"), title
        assert not TELLING.search(title), title
    for address in addresses:
        path = address.removeprefix(server.url)
        assert re.fullmatch(r"/survey/[a-z-]+(/[A-Za-z0-9_-]+)?", path), path
        assert not TELLING.search(path) and token not in path, path
