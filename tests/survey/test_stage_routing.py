"""The upload's outcome routes a survey silently (issue 11 point 5): nobody is asked whether
anyone was charged when the force knows, and a victim whose case ended NFA is never asked about
a trial or an offender — on the pages and through the JSON API alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.banks.signoff import sign_off_shipped_for_demo
from tests.factories import create_bank_version
from tests.survey.factories import create_invitation, token_for
from tests.survey.test_history import History, _answer_page, _form_action, _post

BANKS = Path(__file__).resolve().parents[2] / "question_banks"
# Questions about a charge, a trial or the offender in the shipped banks.
CHARGE = "outcome_charged"
TRIAL_OR_OFFENDER = {"right_8_outcome", "right_8_court", "right_11_contact_scheme"}
ASKED_TEXT = {
    CHARGE: "Was anyone charged in your case?",
    "right_8_outcome": "what will happen at the trial and your part in it",
}


def shipped(slug: str) -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((BANKS / f"{slug}.yaml").read_text())
    return document


def publish_shipped(db: Session, slug: str) -> None:
    """The shipped bank, its questions awaiting partner review signed off (as the demo does),
    so the routing is seen over every question."""
    create_bank_version(db, shipped(slug), slug=slug)
    sign_off_shipped_for_demo(db)


def listed(client: TestClient, token: str) -> list[str]:
    body = client.get(f"/api/v1/survey/{token}").json()
    return [question["id"] for question in body["questions"]]


@pytest.mark.parametrize("outcome", ["nfa", "out_of_court", "victim_withdrew"])
@pytest.mark.parametrize("crime_group", ["general", "rasso", "vawg"])
def test_json_lists_no_charge_or_trial_question_when_no_one_was_charged(
    client: TestClient, db: Session, crime_group: str, outcome: str
) -> None:
    publish_shipped(db, crime_group)
    invitation = create_invitation(db, crime_group=crime_group, outcome=outcome)
    ids = listed(client, token_for(invitation))
    assert "right_6_decision_told" in ids  # the decision itself is still asked about
    assert CHARGE not in ids and not TRIAL_OR_OFFENDER & set(ids)
    # Context never reaches the victim: no show_if names it, nothing says "outcome".
    body = client.get(f"/api/v1/survey/{token_for(invitation)}").json()
    assert outcome not in str(body)
    assert all(q["show_if"] is None or "question" in q["show_if"] for q in body["questions"])


def test_json_skips_the_charge_question_and_asks_about_the_trial_when_charged(
    client: TestClient, db: Session
) -> None:
    publish_shipped(db, "rasso")
    charged = create_invitation(db, crime_group="rasso", outcome="charged")
    ids = listed(client, token_for(charged))
    assert CHARGE not in ids and "right_8_outcome" in ids
    unknown = create_invitation(db, crime_group="rasso", outcome=None)
    ids = listed(client, token_for(unknown))
    assert ids.index(CHARGE) < ids.index("right_8_outcome")  # asked, as before


def test_an_answer_to_a_question_the_context_hides_is_refused(
    client: TestClient, db: Session
) -> None:
    publish_shipped(db, "general")
    invitation = create_invitation(db, outcome="nfa")
    response = client.put(
        f"/api/v1/survey/{token_for(invitation)}/answers",
        json={"answers": {"right_8_outcome": "yes"}},
    )
    assert response.status_code == 422


@pytest.mark.parametrize("vcs_eligible", [True, False, None])
def test_the_contact_scheme_is_asked_at_sentence_only_when_the_upload_says_it_applies(
    client: TestClient, db: Session, vcs_eligible: bool | None
) -> None:
    publish_shipped(db, "vawg")
    invitation = create_invitation(
        db, crime_group="vawg", touchpoint="sentence", outcome="charged", vcs_eligible=vcs_eligible
    )
    ids = listed(client, token_for(invitation))
    assert {"right_1_understood", "right_7_vps_read", "right_9_result"} <= set(ids)
    assert ("right_11_contact_scheme" in ids) is (vcs_eligible is True)


def test_a_rasso_victim_after_nfa_walks_every_page_without_a_charge_or_trial_question(
    client: TestClient, db: Session
) -> None:
    publish_shipped(db, "rasso")
    invitation = create_invitation(db, crime_group="rasso", outcome="nfa")
    history = History()
    html = history.load(client, "GET", f"/s/{token_for(invitation)}")
    html = _post(history, client, html, "/survey/start")
    html = history.load(client, "GET", "/survey/begin")
    pages: list[str] = []
    while history.page_now() != "/survey/check":
        assert len(pages) < 80, history.addresses
        pages.append(html)
        html = _post(history, client, html, _form_action(html), **_answer_page(html))
    pages.append(history.load(client, "GET", "/survey/check"))
    assert len(pages) > 10
    for text in ASKED_TEXT.values():
        assert not any(text in page for page in pages), text
    # The same survey for an unknown outcome does ask whether anyone was charged.
    unknown = create_invitation(db, crime_group="rasso", outcome=None)
    other = TestClient(client.app)
    first = History().load(other, "GET", f"/s/{token_for(unknown)}")
    assert first
    assert CHARGE in listed(other, token_for(unknown))
