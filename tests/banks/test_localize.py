"""What a victim is shown of a bank: question shape, touchpoint and show_if, language fallback."""

from __future__ import annotations

from typing import Any

from app.banks.context import StageContext
from app.banks.localize import approved_languages, bank_text, questions_for, section_info
from app.banks.schema import normalize, parse_document
from tests.banks.conftest import find_question


def _stored(document: dict[str, Any]) -> dict[str, Any]:
    """As the database holds it: validated and normalised."""
    return normalize(parse_document(document))


def test_question_shape_matches_the_contract(document: dict[str, Any]) -> None:
    questions = questions_for(_stored(document), "outcome", "en")
    charged = next(q for q in questions if q["id"] == "right_8_trial_info_outcome")
    assert charged == {
        "id": "right_8_trial_info_outcome",
        "type": "yes_no",
        "text": "Were you told about the trial and what to expect as a witness?",
        "hint": None,
        "options": [
            {"code": "yes", "label": "Yes"},
            {"code": "no", "label": "No"},
            {"code": "dont_know", "label": "Don't know"},
            {"code": "not_applicable", "label": "Does not apply to me"},
        ],
        "skippable": True,
        "section": "rights",
        "show_if": {"question": "someone_charged", "in": ["yes"]},
    }


def test_only_the_touchpoints_questions_in_bank_order(document: dict[str, Any]) -> None:
    stored = _stored(document)
    reporting = [q["id"] for q in questions_for(stored, "reporting", "en")]
    court = [q["id"] for q in questions_for(stored, "court", "en")]
    assert reporting[:3] == ["sat_ease_of_contact", "sat_actions", "sat_treatment"]
    assert "sat_ease_of_contact" not in court
    assert "stepping_back" not in reporting  # attrition is never asked at reporting
    # Never ask about a trial after NFA: right 8 at outcome only follows "someone charged".
    outcome = [q["id"] for q in questions_for(stored, "outcome", "en")]
    assert outcome.index("someone_charged") < outcome.index("right_8_trial_info_outcome")
    assert "right_8_trial_info" not in outcome
    # The offender (right 11) only at sentence, and only when the upload marks vcs_eligible.
    assert "right_11_offender_info" not in court
    sentence = [q["id"] for q in questions_for(stored, "sentence", "en")]
    assert "right_11_offender_info" in sentence  # a preview (no context) lists it
    routed = questions_for(
        stored, "sentence", "en", context=StageContext(outcome="charged", vcs_eligible=False)
    )
    assert "right_11_offender_info" not in [q["id"] for q in routed]
    routed = questions_for(
        stored, "sentence", "en", context=StageContext(outcome="charged", vcs_eligible=True)
    )
    assert next(q for q in routed if q["id"] == "right_11_offender_info")["show_if"] is None


def test_every_question_type_is_present(document: dict[str, Any]) -> None:
    stored = _stored(document)
    types = {
        q["type"] for tp in ("reporting", "investigation") for q in questions_for(stored, tp, "en")
    }
    assert types == {"single", "multi", "scale", "yes_no", "text"}
    text = next(q for q in questions_for(stored, "court", "en") if q["type"] == "text")
    assert text["options"] == []


def test_approved_language_is_shown(document: dict[str, Any]) -> None:
    question = questions_for(_stored(document), "reporting", "ur")[0]
    assert question["text"] == "پولیس سے رابطہ کرنا کتنا آسان تھا، آپ اس سے کتنے مطمئن تھے؟"
    assert question["options"][0]["label"] == "مکمل طور پر مطمئن"


def test_untranslated_string_in_an_approved_language_falls_back_to_english(
    document: dict[str, Any],
) -> None:
    questions = {q["id"]: q for q in questions_for(_stored(document), "reporting", "ur")}
    assert (
        questions["right_2_recorded"]["text"] == "Did the police record your report without delay?"
    )


def test_draft_language_is_never_shown(document: dict[str, Any]) -> None:
    stored = _stored(document)
    first = questions_for(stored, "reporting", "pl")[0]
    # Polish text exists for this question and its first option, but Polish is only a draft.
    assert first["text"] == "How satisfied were you with how easy it was to contact the police?"
    assert first["options"][0]["label"] == "Completely satisfied"
    assert bank_text(stored, "pl")["title"] == "Your experience with the police"
    assert "pl" not in approved_languages(stored)


def test_a_string_approved_on_its_own_is_shown_in_a_draft_language(
    document: dict[str, Any],
) -> None:
    find_question(document, "sat_actions")["text"]["pl"] = {
        "text": "Jak bardzo jesteś zadowolony z tego, co zrobiła policja?",
        "status": "approved",
    }
    find_question(document, "sat_treatment")["text"]["ur"] = {
        "text": "مسودہ",
        "status": "draft",
    }
    stored = _stored(document)
    pl = {q["id"]: q["text"] for q in questions_for(stored, "reporting", "pl")}
    ur = {q["id"]: q["text"] for q in questions_for(stored, "reporting", "ur")}
    assert pl["sat_actions"] == "Jak bardzo jesteś zadowolony z tego, co zrobiła policja?"
    assert ur["sat_treatment"] == "How satisfied were you with how the police treated you?"


def test_unknown_language_is_english(document: dict[str, Any]) -> None:
    question = questions_for(_stored(document), "reporting", "ro")[0]
    assert question["text"].startswith("How satisfied")


def test_approved_languages_always_include_english(document: dict[str, Any]) -> None:
    assert approved_languages(_stored(document)) == ["en", "ur"]
    assert approved_languages({"slug": "x", "title": "t"}) == ["en"]


def test_section_info(document: dict[str, Any]) -> None:
    stored = _stored(document)
    assert section_info(stored, "feelings", "en") == {
        "id": "feelings",
        "title": "How you feel now",
        "content_note": "The next questions ask how the process has made you feel. "
        "You can skip this section.",
        "sensitive": True,
    }
    assert section_info(stored, "contact", "ur") == {
        "id": "contact",
        "title": "پولیس سے آپ کا رابطہ",
        "content_note": None,
        "sensitive": False,
    }
    assert section_info(stored, "nowhere", "en") is None


def test_raw_file_dicts_work_too(document: dict[str, Any]) -> None:
    # A bank file as read (touchpoints omitted, show_if with "in") gives the same questions.
    assert questions_for(document, "court", "ur") == questions_for(_stored(document), "court", "ur")


def test_top_level_questions_have_no_section() -> None:
    bank = {
        "slug": "general",
        "title": "T",
        "questions": [{"id": "q", "type": "text", "text": "Anything else?"}],
    }
    assert questions_for(_stored(bank), "court", "en")[0]["section"] is None


def test_partners_preview_can_include_draft_text(document: dict[str, Any]) -> None:
    stored = _stored(document)
    first = questions_for(stored, "reporting", "pl", include_drafts=True)[0]
    assert first["text"].startswith("Jak bardzo jesteś zadowolony")
    assert first["options"][0]["label"] == "Całkowicie zadowolony"
    assert first["options"][1]["label"] == "Very satisfied"  # untranslated: English
    assert bank_text(stored, "pl", include_drafts=True)["title"] == "Twoje doświadczenia z policją"
    assert section_info(stored, "contact", "pl", include_drafts=True)["title"] == (  # type: ignore[index]
        "Twój kontakt z policją"
    )


def test_the_module_drawn_questions_not_asked_again_and_pending_review_leave_the_list() -> None:
    yes_no = [{"code": "yes", "label": "Yes"}, {"code": "no", "label": "No"}]

    def question(qid: str, **extra: Any) -> dict[str, Any]:
        return {"id": qid, "type": "yes_no", "text": f"{qid}?", "options": yes_no, **extra}

    stored = _stored(
        {
            "slug": "general",
            "title": "Bank",
            "sections": [
                {
                    "id": "core",
                    "title": "Core",
                    "questions": [
                        question("a"),
                        question("b", show_if={"question": "a", "in": ["yes"]}),
                        question("new", review="pending"),
                        question("after_new", show_if={"question": "new", "in": ["yes"]}),
                    ],
                },
                {"id": "m1", "title": "M1", "module": "one", "questions": [question("m1q")]},
                {"id": "m2", "title": "M2", "module": "two", "questions": [question("m2q")]},
            ],
        }
    )

    def ids(**values: Any) -> list[str]:
        return [q["id"] for q in questions_for(stored, "reporting", "en", **values)]

    assert ids() == ["a", "b", "m1q", "m2q"]  # pending hidden, with what it opens
    assert ids(include_pending=True) == ["a", "b", "new", "after_new", "m1q", "m2q"]
    assert ids(released={"new"}) == ["a", "b", "new", "after_new", "m1q", "m2q"]
    assert ids(context=StageContext(module="two")) == ["a", "b", "m2q"]
    assert ids(context=StageContext(module="two", not_asked=frozenset({"a"}))) == ["m2q"]
    assert ids(context=StageContext()) == ["a", "b", "m1q", "m2q"]  # no module drawn: all
