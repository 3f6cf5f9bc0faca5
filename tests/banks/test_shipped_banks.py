"""The shipped banks in question_banks/ pass the check and cover what the product promises."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.banks.files import check_paths
from app.banks.metrics import RIGHTS_BY_TOUCHPOINT, metrics_for, right_measure
from app.banks.models import BankVersion, SupportService
from app.banks.schema import BankDocument, parse_document
from app.banks.yaml_files import read_yaml
from app.cli import app as cli
from app.enums import TOUCHPOINTS
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
    missing = [metric.id for metric in metrics_for(slug) if metric.id not in fed]
    assert missing == []


@pytest.mark.parametrize("slug", SHIPPED)
def test_bank_asks_each_right_at_exactly_the_touchpoints_of_the_table(slug: str) -> None:
    document = _document(slug)
    asked: dict[str, set[str]] = {}
    for _section, question in document.all_questions():
        for measure in question.measures:
            if measure.startswith("victims_code.right_"):
                asked.setdefault(measure, set()).update(question.asked_at())
    expected = {
        right_measure(right): {tp for tp, rights in RIGHTS_BY_TOUCHPOINT.items() if right in rights}
        for right in range(1, 13)
    }
    assert asked == expected


@pytest.mark.parametrize("slug", SHIPPED)
def test_rights_8_at_outcome_and_11_at_court_only_behind_show_if(slug: str) -> None:
    document = _document(slug)
    for _section, question in document.all_questions():
        asked = question.asked_at()
        if right_measure(8) in question.measures and "outcome" in asked:
            assert question.show_if is not None, question.id
        if right_measure(11) in question.measures:
            assert question.show_if is not None, question.id


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
