"""The rule across banks: a specialist bank has at least a third of its question ids its own."""

from __future__ import annotations

from pathlib import Path

from app.banks.bank_set_rules import specialist_problems
from app.banks.files import check_paths
from app.banks.schema import BankDocument, parse_document
from tests.banks.helpers import bank, section, yes_no

FOLDER = Path(__file__).parent / "fixtures" / "specialist_own_questions"


def _bank(slug: str, *ids: str) -> tuple[str, BankDocument]:
    return f"{slug}.yaml", parse_document(bank(section("s", *(yes_no(i) for i in ids)), slug=slug))


def test_a_third_own_passes_and_less_fails() -> None:
    general = _bank("general", "a", "b", "c", "d")
    assert specialist_problems([general, _bank("rasso", "a", "b", "own")]) == []
    (problem,) = specialist_problems([general, _bank("vawg", "a", "b", "c", "own")])
    assert (problem.file, problem.rule) == ("vawg.yaml", "specialist_own_questions")
    assert problem.message.startswith("only 1 of the 4 question ids of this vawg bank")


def test_without_the_general_bank_there_is_nothing_to_compare() -> None:
    assert specialist_problems([_bank("rasso", "a")]) == []
    assert not any(
        p.rule == "specialist_own_questions" for p in check_paths([FOLDER / "rasso.yaml"]).problems
    )


def test_banks_check_over_a_folder_applies_it() -> None:
    found = [p for p in check_paths([FOLDER]).problems if p.rule == "specialist_own_questions"]
    assert [Path(p.file).name for p in found] == ["rasso.yaml"]
