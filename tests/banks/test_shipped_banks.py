"""The shipped banks in question_banks/ pass the check and cover what the product promises."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.banks.aspects import ASPECTS, NOT_CHARGED_ONLY
from app.banks.context import StageContext, route_questions
from app.banks.files import check_paths
from app.banks.metrics import (
    CSEW_AGREEMENT,
    SAFER_THAN_BEFORE,
    get_metric,
    is_right_rate,
    metrics_for,
    right_number,
)
from app.banks.models import BankVersion, SupportService
from app.banks.schema import BankDocument, Question, Section, normalize, parse_document
from app.banks.support import parse_support_file
from app.banks.yaml_files import read_yaml
from app.cli import app as cli
from app.enums import OUTCOMES, TOUCHPOINTS
from tests.banks.conftest import REPO

BANKS_DIR = REPO / "question_banks"
SHIPPED = ["general", "rasso", "vawg"]


def _bank_path(slug: str) -> Path:
    path = BANKS_DIR / f"{slug}.yaml"
    if not path.exists():
        pytest.skip(f"question_banks/{slug}.yaml is not there yet")
    return path


def _document(slug: str) -> BankDocument:
    return parse_document(read_yaml(_bank_path(slug)))


def test_shipped_banks_pass_check() -> None:
    if not any((BANKS_DIR / f"{slug}.yaml").exists() for slug in SHIPPED):
        pytest.skip("no shipped banks yet")
    result = check_paths([BANKS_DIR])
    errors = [p.format() for p in result.problems if p.severity == "error"]
    assert errors == []
    assert sorted(document.slug for _name, document in result.banks) == sorted(
        slug for slug in SHIPPED if (BANKS_DIR / f"{slug}.yaml").exists()
    )


@pytest.mark.parametrize("slug", SHIPPED)
def test_bank_has_no_warnings(slug: str) -> None:
    result = check_paths([_bank_path(slug)])
    assert [p.format() for p in result.problems] == []


@pytest.mark.parametrize("slug", SHIPPED)
def test_bank_covers_every_metric_of_its_crime_group(slug: str) -> None:
    document = _document(slug)
    assert document.crime_group == slug
    fed = {measure for _s, question in document.all_questions() for measure in question.measures}
    # A right's own rate is derived from its aspects, never fed by a question.
    missing = [
        metric.id
        for metric in metrics_for(slug)
        if metric.id not in fed and not is_right_rate(metric.id)
    ]
    assert missing == []
    assert not [measure for measure in fed if is_right_rate(measure)]


@pytest.mark.parametrize("slug", SHIPPED)
def test_bank_asks_each_aspect_at_exactly_its_touchpoints(slug: str) -> None:
    document = _document(slug)
    asked: dict[str, set[str]] = {}
    for _section, question in document.all_questions():
        for measure in question.measures:
            if right_number(measure) is not None:
                asked.setdefault(measure, set()).update(question.asked_at())
    assert asked == {aspect.id: set(aspect.touchpoints) for aspect in ASPECTS}


def _feeding(document: BankDocument, measure: str) -> list[Question]:
    return [q for _s, q in document.all_questions() if measure in q.measures]


@pytest.mark.parametrize("slug", SHIPPED)
def test_aspects_needing_a_show_if_have_the_right_one(slug: str) -> None:
    document = _document(slug)
    for aspect in ASPECTS:
        for question in _feeding(document, aspect.id):
            for touchpoint in set(question.asked_at()) & set(aspect.needs_show_if):
                assert question.show_if is not None, (question.id, touchpoint)
    (trial,) = _feeding(document, "victims_code.right_8.trial_info")
    assert trial.show_if is not None and trial.show_if.question == "outcome_charged"
    charged = next(q for _s, q in document.all_questions() if q.id == "outcome_charged")
    assert charged.known_from is not None and charged.known_from.codes["charged"] == "yes"
    assert {code for context, code in charged.known_from.codes.items() if context != "charged"} == {
        "no"
    }
    # The Victims' Right to Review only when nobody was charged (the upload's outcome).
    (review,) = _feeding(document, "victims_code.right_6.right_to_review")
    assert review.show_if is not None and review.show_if.context == "outcome"
    assert set(review.show_if.in_) == {"nfa", "out_of_court", "victim_withdrew"}
    assert review.asked_at() == ["outcome"] and NOT_CHARGED_ONLY in str(
        next(a for a in ASPECTS if a.id == "victims_code.right_6.right_to_review").needs_show_if
    )
    (scheme,) = _feeding(document, "victims_code.right_11.vcs_offered")
    assert scheme.show_if is not None and scheme.show_if.context == "vcs_eligible"
    assert scheme.show_if.in_ == ["true"]


@pytest.mark.parametrize("slug", SHIPPED)
def test_court_and_sentence_questions_do_not_ask_about_the_police(slug: str) -> None:
    """Court-stage items ask about witness care, the CPS and the court; only the board's
    measures of the police (trust, confidence, report again, feeling safe) stay."""
    document = _document(slug)
    police_measures = {"procedural_justice.trust", "confidence", "report_again", "feel_safe"}
    for section, question in document.all_questions():
        if not {"court", "sentence"} & set(question.asked_at()) or section_is_equality(section):
            continue
        if police_measures & set(question.measures) or question.id.startswith("attrition"):
            continue
        if question.asked_at() == ["reporting", "investigation", "outcome", "court", "sentence"]:
            continue  # asked at every stage about whoever the victim dealt with
        assert "police" not in _english(question.text).lower(), question.id


def section_is_equality(section: Section | None) -> bool:
    return section is not None and section.equality


def _english(value: Any) -> str:
    return value if isinstance(value, str) else str(value.get("en", "")) if value else ""


@pytest.mark.parametrize("slug", SHIPPED)
def test_board_measures_and_headline_questions_repeat(slug: str) -> None:
    document = _document(slug)
    for section, question in document.all_questions():
        board = any(
            (m := get_metric(measure)) is not None and m.board for measure in question.measures
        )
        core = section is not None and section.module is None and not section.equality
        aspect = any(right_number(measure) is not None for measure in question.measures)
        if board or (core and aspect):
            assert question.repeat, question.id
        if section is not None and section.module is not None:
            assert not question.repeat, question.id


@pytest.mark.parametrize("slug", SHIPPED)
def test_core_holds_one_headline_per_right_and_one_free_text_box_per_stage(slug: str) -> None:
    document = _document(slug)
    core = [
        (section, q)
        for section, q in document.all_questions()
        if section is not None and section.module is None and not section.equality
    ]
    for touchpoint in TOUCHPOINTS:
        here = [q for _s, q in core if touchpoint in q.asked_at()]
        rights = [right_number(m) for q in here for m in q.measures if right_number(m)]
        assert len(rights) == len(set(rights)), (touchpoint, rights)
        texts = [
            q.id
            for _s, q in document.all_questions()
            if q.type == "text" and touchpoint in q.asked_at()
        ]
        assert texts == ["comment_better"], touchpoint
        board = {m for q in here for m in q.measures if (x := get_metric(m)) and x.board}
        expected = {
            "satisfaction.overall",
            "report_again",
            "retraumatisation",
            "procedural_justice.trust",
            "confidence",
            "feel_safe",
        }
        if touchpoint in ("investigation", "outcome", "court"):
            expected.add("attrition")
        assert board == expected, touchpoint


def _seen_without_show_if(
    document: BankDocument, touchpoint: str, context: StageContext
) -> tuple[int, dict[str, int]]:
    """Questions a victim sees with no show_if at a stage: core, and each module."""
    data = normalize(document)
    where: dict[str, str | None] = {}
    questions: list[dict[str, Any]] = []
    for section in data["sections"]:
        for question in section["questions"]:
            asked = question["touchpoints"] or list(TOUCHPOINTS)
            if touchpoint in asked:
                where[question["id"]] = section["module"]
                questions.append(question)
    core = 0
    modules: dict[str, int] = {}
    for question in route_questions(questions, context):
        if question["show_if"] is not None:
            continue
        module = where[question["id"]]
        if module is None:
            core += 1
        else:
            modules[module] = modules.get(module, 0) + 1
    return core, modules


CONTEXTS = [
    StageContext(outcome=None if outcome == "not_known" else outcome, vcs_eligible=vcs)
    for outcome in OUTCOMES
    for vcs in (True, False, None)
]


@pytest.mark.parametrize("slug", SHIPPED)
@pytest.mark.parametrize("touchpoint", TOUCHPOINTS)
def test_a_victim_sees_at_most_18_questions_without_show_if(slug: str, touchpoint: str) -> None:
    document = _document(slug)
    for context in CONTEXTS:
        core, modules = _seen_without_show_if(document, touchpoint, context)
        assert modules, (touchpoint, context)  # a module to draw at every stage
        assert core + max(modules.values()) <= 18, (touchpoint, context, core, modules)


@pytest.mark.parametrize("slug", SHIPPED)
def test_banks_have_two_to_four_modules(slug: str) -> None:
    modules = {s.module for s in _document(slug).sections if s.module is not None}
    assert 2 <= len(modules) <= 4


@pytest.mark.parametrize("slug", ["rasso", "vawg"])
def test_specialist_banks_are_their_own(slug: str) -> None:
    general = _document("general")
    document = _document(slug)
    general_ids = {q.id for _s, q in general.all_questions()}
    ids = [q.id for _s, q in document.all_questions()]
    own = [qid for qid in ids if qid not in general_ids]
    assert 3 * len(own) >= len(ids), (len(own), len(ids))
    assert _english(document.title) != _english(general.title)
    assert _english(document.introduction) != _english(general.introduction)
    other = _document("vawg" if slug == "rasso" else "rasso")
    assert _english(document.title) != _english(other.title)
    assert _english(document.introduction) != _english(other.introduction)


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        (
            "rasso",
            [
                "video-recorded",
                "your phone",
                "records",
                "pre-recorded",
                "named officer",
                "sexual assault referral centre",
                "ISVA",
                "believed",
            ],
        ),
        (
            "vawg",
            [
                "no one else could hear",
                "plan to stay safe",
                "Stalking Protection Order",
                "non-molestation",
                "what you wanted to happen",
                "Who first told the police",
                "again about the same person",
                "children",
                "keeping a record",
                "IDVA",
            ],
        ),
    ],
)
def test_specialist_banks_ask_about_their_own_subjects(slug: str, words: list[str]) -> None:
    text = " ".join(
        _english(value)
        for _s, q in _document(slug).all_questions()
        for value in (q.text, q.hint, *[o.label for o in q.options or []])
    )
    for word in words:
        assert word.lower() in text.lower(), word


@pytest.mark.parametrize("slug", SHIPPED)
def test_standard_measures_use_the_standard_wording(slug: str) -> None:
    document = _document(slug)
    (confidence,) = _feeding(document, "confidence")
    assert _english(confidence.text) == (
        "Taking everything into account, I have confidence in the police in this area."
    )
    codes = [o.code for o in confidence.options or [] if o.code != "dont_know"]
    assert tuple(codes) == CSEW_AGREEMENT
    labels = {o.code: _english(o.label) for o in confidence.options or []}
    assert labels["tend_to_agree"] == "Tend to agree"
    (safe,) = _feeding(document, "feel_safe")
    assert tuple(o.code for o in safe.options or [] if o.code != "dont_know") == SAFER_THAN_BEFORE
    assert "before" in _english(safe.text)
    neutrality = next(q for _s, q in document.all_questions() if q.id == "pj_neutrality")
    assert "explained their decisions to me fairly" in _english(neutrality.text)
    assert _feeding(document, "procedural_justice.believed")


@pytest.mark.parametrize("slug", SHIPPED)
def test_attrition_reasons_split_pressure(slug: str) -> None:
    document = _document(slug)
    (attrition,) = _feeding(document, "attrition")
    reasons = next(
        q for _s, q in document.all_questions() if q.show_if and q.show_if.question == attrition.id
    )
    assert reasons.type == "multi" and reasons.show_if is not None
    assert reasons.show_if.in_ == ["yes"]
    codes = {o.code for o in reasons.options or []}
    assert {"pressure_from_person", "police_wanted_drop"} <= codes and "pressure" not in codes
    vawg_only = {"children", "money_or_housing", "immigration", "fear_for_other_person"}
    assert (vawg_only <= codes) is (slug == "vawg")
    mattered = next(q for _s, q in document.all_questions() if q.id == "mattered_most")
    assert mattered.type == "multi" and "up to three" in _english(mattered.hint).lower()


@pytest.mark.parametrize("slug", SHIPPED)
def test_equality_section_is_last_and_safe(slug: str) -> None:
    document = _document(slug)
    section = document.sections[-1]
    assert section.equality and section.content_note is not None
    assert [s for s in document.sections if s.equality] == [section]
    gate, *rest = section.questions
    assert gate.type == "yes_no" and gate.show_if is None and gate.characteristic is None
    assert gate.repeat
    assert [q.characteristic for q in rest] == ["age_band", "sex", "disability", "ethnicity"]
    for question in rest:
        # Responses are not linked across stages: each stage's figures need their own answers.
        assert question.repeat
        assert question.sensitive and question.show_if is not None
        assert question.show_if.question == gate.id and question.show_if.in_ == ["yes"]
        assert "prefer_not_to_say" in {o.code for o in question.options or []}
    age = [o.code for o in rest[0].options or []]
    assert age[0] == "age_18_to_24" and "under_18" in age
    ethnic_groups = [o.code for o in rest[3].options or []]
    assert ethnic_groups == ["asian", "black", "mixed", "white", "other", "prefer_not_to_say"]


@pytest.mark.parametrize("slug", SHIPPED)
def test_new_and_reworded_questions_await_partner_review(slug: str) -> None:
    """Every question is either word for word from the previous version or review: pending."""
    document = _document(slug)
    pending = [q.id for _s, q in document.all_questions() if q.review == "pending"]
    assert len(pending) > len(list(document.all_questions())) / 2
    assert "comment_better" in pending and "pj_neutrality" in pending


@pytest.mark.parametrize("slug", SHIPPED)
def test_bank_covers_every_touchpoint_and_free_text(slug: str) -> None:
    document = _document(slug)
    touchpoints = {tp for _s, q in document.all_questions() for tp in q.asked_at()}
    assert touchpoints == set(TOUCHPOINTS)
    assert any(q.type == "text" for _s, q in document.all_questions())


@pytest.mark.parametrize("slug", SHIPPED)
def test_urdu_and_polish_translations_ship_as_drafts(slug: str) -> None:
    document = _document(slug)
    statuses = {lang: t.status for lang, t in document.translations.items()}
    assert {"ur", "pl"} <= set(statuses)
    # Nothing is approved until a partner has reviewed it.
    assert set(statuses.values()) == {"draft"}


def test_support_services_file_passes_check() -> None:
    path = BANKS_DIR / "support_services.yaml"
    if not path.exists():
        pytest.skip("no support services file yet")
    result = check_paths([path])
    assert [p.format() for p in result.problems] == []
    assert result.support_files == [path]


def test_support_services_cover_honour_based_abuse_forced_marriage_and_childline() -> None:
    services = {s.key: s for s in parse_support_file(BANKS_DIR / "support_services.yaml")}
    assert services["childline"].crime_group is None and services["childline"].phone == "0800 1111"
    assert services["karma_nirvana"].phone == "0800 5999 247"
    assert services["forced_marriage_unit"].phone == "020 7008 0151"
    groups = {s.crime_group for s in services.values() if s.key.startswith(("karma", "forced"))}
    assert "vawg" in groups


def test_loading_the_shipped_folder_twice_publishes_each_bank_once(db: Session) -> None:
    present = [slug for slug in SHIPPED if (BANKS_DIR / f"{slug}.yaml").exists()]
    if not present:
        pytest.skip("no shipped banks yet")
    runner = CliRunner()
    first = runner.invoke(cli, ["banks", "load", str(BANKS_DIR)])
    assert first.exit_code == 0, first.output
    for slug in present:
        assert f"{slug}: published version 1" in first.output
    second = runner.invoke(cli, ["banks", "load", str(BANKS_DIR)])
    assert second.exit_code == 0, second.output
    for slug in present:
        assert f"{slug}: unchanged (version 1)" in second.output
    versions = db.exec(select(BankVersion)).all()
    assert sorted(v.status for v in versions) == ["published"] * len(present)
    if (BANKS_DIR / "support_services.yaml").exists():
        assert db.exec(select(SupportService)).first() is not None
