"""Modules drawn per invitation and the repeat rule over the case-stage ledger (issue 13 point 5,
DESIGN13 rules 2 and 3): one module is drawn at import and recorded in the ledger and on the
invitation, only its questions (and the core's) are asked, and a question offered at an earlier
stage of the same case is not asked again unless it is `repeat: true`."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.banks.schema import normalize, parse_document
from app.invitations import stage_offer
from app.invitations.dispatch import dispatch_once
from app.invitations.models import CaseStage, Invitation
from app.invitations.stage_offer import OfferedQuestion, StageQuestions, make_offer
from app.survey import bank as survey_bank
from tests.factories import create_bank_version, link_token
from tests.invitations.factories import (
    RecordingSender,
    days_ago,
    make_row,
    make_support_service_row,
    upload,
)
from tests.survey.factories import create_invitation, token_for

YES_NO = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]
CORE = {"overall", "told_next", "told_how"}
MODULES = {"contact": {"named_officer"}, "property": {"property_back", "property_fast"}}


def _question(qid: str, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "type": "yes_no", "text": f"Question {qid}?", "options": YES_NO, **extra}


def modular_bank() -> dict[str, Any]:
    """A core section (one repeat question, one not, one it opens) and two modules."""
    return normalize(
        parse_document(
            {
                "slug": "general",
                "title": "Your views",
                "sections": [
                    {
                        "id": "core",
                        "title": "Core",
                        "questions": [
                            _question("overall", repeat=True),
                            _question("told_next"),
                            _question("told_how", show_if={"question": "told_next", "in": ["yes"]}),
                        ],
                    },
                    {
                        "id": "contact_section",
                        "title": "Contact",
                        "module": "contact",
                        "questions": [_question("named_officer")],
                    },
                    {
                        "id": "property_section",
                        "title": "Property",
                        "module": "property",
                        "questions": [
                            _question("property_back"),
                            _question("property_fast", repeat=True),
                        ],
                    },
                ],
            }
        )
    )


@pytest.fixture(autouse=True)
def _fresh_bank_cache() -> Any:
    survey_bank.clear_cache()
    yield
    survey_bank.clear_cache()


def listed(client: TestClient, token: str) -> set[str]:
    body = client.get(f"/api/v1/survey/{token}").json()
    return {question["id"] for question in body["questions"]}


def invitations(db: Session) -> list[Invitation]:
    found = list(db.exec(select(Invitation).order_by(col(Invitation.created_at))).all())
    db.commit()
    return found


def ledger(db: Session) -> dict[str, CaseStage]:
    found = {row.touchpoint: row for row in db.exec(select(CaseStage)).all()}
    db.commit()
    return found


def test_an_offer_asks_the_core_and_the_drawn_module_and_nothing_offered_before() -> None:
    stage = StageQuestions(
        (
            OfferedQuestion("overall", "core", None, repeat=True),
            OfferedQuestion("told_next", "core", None, repeat=False),
            OfferedQuestion(
                "told_how", "core", None, False, {"question": "told_next", "in": ["yes"]}
            ),
            OfferedQuestion("named_officer", "contact_section", "contact", repeat=False),
            OfferedQuestion("property_back", "property_section", "property", repeat=False),
            OfferedQuestion(
                "property_why", "core", None, False, {"question": "property_back", "in": ["no"]}
            ),
        )
    )
    assert stage.modules == ("contact", "property")
    first = make_offer(stage, "contact", earlier=())
    # A core question opened by another module's question goes with it.
    assert first.questions == ["overall", "told_next", "told_how", "named_officer"]
    assert first.sections == ["core", "contact_section"] and first.not_asked == []
    again = make_offer(stage, "property", earlier=first.questions)
    # told_next was offered before (not repeat): not asked, nor what it opens; overall repeats.
    assert again.questions == ["overall", "property_back", "property_why"]
    assert again.not_asked == ["told_next", "told_how"]


def test_the_module_is_drawn_with_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, ...]] = []

    def choice(options: tuple[str, ...]) -> str:
        seen.append(tuple(options))
        return options[-1]

    monkeypatch.setattr(stage_offer.secrets, "choice", choice)
    stage = StageQuestions(
        (OfferedQuestion("a", "s", "m1", False), OfferedQuestion("b", "t", "m2", False))
    )
    assert stage_offer.draw_module(stage) == "m2" and seen == [("m1", "m2")]
    assert stage_offer.draw_module(StageQuestions()) is None
    # A module whose every question the case was offered before is not drawn while another
    # still has something to ask.
    seen.clear()
    assert stage_offer.draw_module(stage, earlier=["b"]) == "m1" and seen == [("m1",)]
    assert stage_offer.draw_module(stage, earlier=["a", "b"]) == "m2"


def test_the_drawn_module_is_recorded_and_only_its_questions_are_asked(
    db: Session, client: TestClient
) -> None:
    create_bank_version(db, modular_bank())
    drawn: set[str] = set()
    for attempt in range(12):  # both modules come up (1 in 2048 that one never does)
        upload(db, [make_row(case_ref=f"CR/2026/{attempt:04d}", phone=f"+4479110000{attempt:02d}")])
    for invitation in invitations(db):
        assert invitation.module in MODULES
        drawn.add(invitation.module)
        assert invitation.not_asked == []
    assert drawn == set(MODULES)
    stages = list(db.exec(select(CaseStage)).all())
    db.commit()
    assert len(stages) == 12
    for stage in stages:
        module = "contact" if "contact_section" in stage.modules else "property"
        assert stage.modules == ["core", f"{module}_section"]
        assert set(stage.questions) == CORE | MODULES[module]
    sender = RecordingSender()
    dispatch_once(sender=sender)
    first = invitations(db)[0]
    assert first.module is not None
    assert listed(client, link_token_of(db, first)) == CORE | MODULES[first.module]


def link_token_of(db: Session, invitation: Invitation) -> str:
    row = db.get(Invitation, invitation.id)
    assert row is not None
    token = link_token(db, row)
    db.commit()
    return token


def test_a_later_stage_of_the_case_does_not_ask_again_what_was_offered_before(
    db: Session, client: TestClient, settings_override: Any
) -> None:
    settings_override(VV_STAGE_GAP_DAYS="0")
    create_bank_version(db, modular_bank())
    upload(db, [make_row(touchpoint_date=days_ago(10))])
    dispatch_once(sender=RecordingSender())
    upload(db, [make_row(touchpoint="investigation", touchpoint_date=days_ago(5))])
    stages = ledger(db)
    first, second = (
        next(i for i in invitations(db) if i.touchpoint == touchpoint)
        for touchpoint in ("reporting", "investigation")
    )
    offered_before = set(stages["reporting"].questions)
    assert {"told_next", "told_how"} <= offered_before
    assert second.not_asked is not None
    not_asked = set(second.not_asked)
    # Not repeat: not asked again, nor what it opens. Repeat: asked again.
    assert {"told_next", "told_how"} <= not_asked and "overall" not in not_asked
    assert not_asked == {q for q in offered_before if q not in {"overall", "property_fast"}} & (
        CORE | MODULES[str(second.module)]
    )
    assert (
        set(stages["investigation"].questions) == (CORE | MODULES[str(second.module)]) - not_asked
    )
    dispatch_once(sender=RecordingSender())
    asked = listed(client, link_token_of(db, second))
    assert "overall" in asked and not {"told_next", "told_how"} & asked
    assert asked == set(stages["investigation"].questions)
    assert first.module is not None


def test_a_support_service_follows_the_ledger_of_its_part_in_the_case(db: Session) -> None:
    create_bank_version(db, modular_bank())
    upload(db, [make_support_service_row(touchpoint_date=days_ago(10))])
    upload(db, [make_support_service_row(touchpoint="investigation", touchpoint_date=days_ago(5))])
    stages = ledger(db)
    later = next(i for i in invitations(db) if i.touchpoint == "investigation")
    assert later.module in MODULES and later.not_asked is not None
    assert {"told_next", "told_how"} <= set(later.not_asked)
    assert "told_next" in stages["reporting"].questions
    assert "told_next" not in stages["investigation"].questions


def test_an_invitation_made_before_modules_were_drawn_sees_every_module(
    db: Session, client: TestClient
) -> None:
    create_bank_version(db, modular_bank())
    older = create_invitation(db, touchpoint="reporting")
    assert older.module is None
    everything = CORE | MODULES["contact"] | MODULES["property"]
    assert listed(client, token_for(older)) == everything
    drawn = create_invitation(
        db, touchpoint="reporting", module="property", not_asked=["told_next"]
    )
    assert listed(client, token_for(drawn)) == {"overall"} | MODULES["property"]


def test_the_preview_names_each_sections_module(client: TestClient, db: Session) -> None:
    from app.enums import Role
    from tests.auth_helpers import signed_in_client

    create_bank_version(db, modular_bank())
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get("/staff/banks/general/versions/1?touchpoint=reporting").text
    assert "Module contact" in page and "Module property" in page
    assert "Question named_officer?" in page and "Question property_back?" in page


def test_a_question_not_offered_cannot_be_answered_by_the_api_or_the_form(
    db: Session, client: TestClient, settings_override: Any
) -> None:
    """Attack (issue 13): another module's question, or one offered at an earlier stage, is not
    part of this invitation's survey: the JSON API refuses an answer to it, so nothing is stored
    or counted for a question the victim was not asked."""
    settings_override(VV_STAGE_GAP_DAYS="0")
    create_bank_version(db, modular_bank())
    upload(db, [make_row(touchpoint_date=days_ago(10))])
    dispatch_once(sender=RecordingSender())
    upload(db, [make_row(touchpoint="investigation", touchpoint_date=days_ago(5))])
    dispatch_once(sender=RecordingSender())
    second = next(i for i in invitations(db) if i.touchpoint == "investigation")
    other = "property" if second.module == "contact" else "contact"
    token = link_token_of(db, second)
    for question_id in (*sorted(MODULES[other]), "told_next"):
        refused = client.put(
            f"/api/v1/survey/{token}/answers", json={"answers": {question_id: "yes"}}
        )
        assert refused.status_code == 422, (question_id, refused.text)
    assert client.get(f"/api/v1/survey/{token}").json()["answers"] == {}
