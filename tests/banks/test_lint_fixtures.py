"""Every validation error and lint rule, each shown by a small fixture bank with its message.

Each file in tests/banks/fixtures/ names the problems it must produce in `# expect:` lines, as
`banks check` prints them after the file name. The bank-wide "metric not fed" errors every small
fixture has are left out of the comparison; they have tests of their own. A folder there is
checked as a whole, as `banks check question_banks/` does, for the rules across banks: its
files' `# expect:` lines are compared with what is printed after the folder's name.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from app.banks.files import check_paths

FIXTURES = Path(__file__).parent / "fixtures"
INCIDENTAL_RULES = {"metric_not_fed", "right_missing_touchpoint"}


def _expected(path: Path) -> list[str]:
    return [
        line.removeprefix("# expect: ").rstrip("\n")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.startswith("# expect: ")
    ]


def _printed(path: Path, *, keep_rules: set[str]) -> list[str]:
    result = check_paths([path])
    prefix = f"{path}:"
    return [
        problem.format().removeprefix(prefix)
        for problem in result.problems
        if problem.rule not in INCIDENTAL_RULES or problem.rule in keep_rules
    ]


FIXTURE_FILES = sorted(FIXTURES.glob("*.yaml"))
FIXTURE_FOLDERS = sorted(path for path in FIXTURES.iterdir() if path.is_dir())


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=[path.stem for path in FIXTURE_FILES])
def test_fixture_bank_gives_its_precise_messages(path: Path) -> None:
    expected = _expected(path)
    keep = {rule for rule in INCIDENTAL_RULES if path.stem.startswith(rule)}
    assert _printed(path, keep_rules=keep) == expected


@pytest.mark.parametrize("folder", FIXTURE_FOLDERS, ids=[path.name for path in FIXTURE_FOLDERS])
def test_fixture_folder_gives_its_precise_messages(folder: Path) -> None:
    expected = [
        f"{path.name}:{line}" for path in sorted(folder.glob("*.yaml")) for line in _expected(path)
    ]
    result = check_paths([folder])
    printed = [
        problem.format().removeprefix(f"{folder}/")
        for problem in result.problems
        if problem.rule not in INCIDENTAL_RULES
    ]
    assert printed == expected


def test_every_rule_has_a_fixture() -> None:
    from app.banks.lint import RULES

    covered: set[str] = set()
    for path in [*FIXTURE_FILES, *FIXTURE_FOLDERS]:
        covered |= {problem.rule for problem in check_paths([path]).problems}
    # schema errors are many fixtures; the rest are one or more each.
    assert set(RULES) - covered == set()
