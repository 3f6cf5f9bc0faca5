"""Every YAML example in the partners' guide (docs/question-banks.md) passes the checker.

The one bank-shaped example (the layout) shows a single question, so it is an excerpt too.
Fragments (a list of questions, a list of sections, a
translated text, a `translations:` block) are wrapped into a minimal bank first. Two examples
elide options on purpose ("# ... the rest of the 7-point scale", `options: ...`): those are
filled in from the guide's own "Standard answer options" table before checking. A wrapped
fragment cannot feed every measure of its crime group, ask every right at each of its
touchpoints nor hold each right's headline question (a module's example shows only the module),
so `metric_not_fed`, `right_missing_touchpoint` and `right_headline` (the completeness rules of
whole banks) are the errors ignored. The support services example is checked with the
support file's own checker.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from app.banks.lint import check_document
from app.banks.risk_words import check_risk_words_file
from app.banks.support import check_support_file
from app.banks.yaml_files import read_yaml_text
from tests.banks.conftest import REPO

GUIDE = (REPO / "docs" / "question-banks.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```yaml\n(.*?)```", GUIDE, flags=re.DOTALL)


def _standard_codes(name: str) -> list[str]:
    row = next(line for line in GUIDE.splitlines() if line.startswith(f"| {name}"))
    codes_cell = row.split("|")[3]
    return [code.strip('"') for code in re.findall(r"`([^`]+)`", codes_cell.split("(+")[0])]


def _options(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "label": code.replace("_", " ").capitalize()} for code in codes]


def _complete(question: dict[str, Any]) -> dict[str, Any]:
    """Fill in options the guide elides on purpose, from its standard answer options."""
    measures = question.get("measures", [])
    if question.get("options") == "...":
        assert measures and measures[0].startswith("victims_code."), question["id"]
        return {**question, "options": _options(_standard_codes("rights"))}
    if any(m.startswith("satisfaction.") for m in measures) and len(question["options"]) < 8:
        return {**question, "options": _options(_standard_codes("satisfaction (7 points)"))}
    return question


def _bank(data: Any) -> tuple[dict[str, Any], bool]:
    """(a bank to check, whether it was wrapped from a fragment)."""
    if isinstance(data, dict) and "slug" in data:
        sections = [
            {**s, "questions": [_complete(q) for q in s.get("questions", [])]}
            for s in data.get("sections", [])
        ]
        # The layout example shows one question of the bank ("# ... the rest"): an excerpt.
        return {**data, "sections": sections}, True
    base: dict[str, Any] = {"slug": "general", "title": "Example"}
    question = {"id": "q_example", "type": "text", "text": "Is there anything else?"}
    if isinstance(data, list) and all("questions" in item for item in data):
        return {**base, "sections": data}, True
    if isinstance(data, list):
        section = {"id": "s_example", "title": "Example", "questions": []}
        section["questions"] = [_complete(q) for q in data]
        return {**base, "sections": [section]}, True
    if set(data) == {"translations"}:
        return {**base, **data, "questions": [question]}, True
    if set(data) == {"text"}:
        languages = [lang for lang in data["text"] if lang != "en"]
        translations = {lang: {"status": "draft"} for lang in languages}
        return {**base, "translations": translations, "questions": [{**question, **data}]}, True
    # A single language entry of a translated text (indented in the guide).
    [language] = data
    text = {"en": "Were you offered help?", **data}
    wrapped = {**question, "text": text}
    return {**base, "translations": {language: {"status": "draft"}}, "questions": [wrapped]}, True


WHOLE_BANK_RULES = ("metric_not_fed", "right_missing_touchpoint", "right_headline")


def test_the_guide_has_examples() -> None:
    assert len(BLOCKS) >= 10


# Known mistakes in the guide, each failing its example until fixed (none at present).
DOC_BUGS: dict[str, str] = {}


def _params() -> list[Any]:
    params = []
    for i, block in enumerate(BLOCKS):
        marks = [
            pytest.mark.xfail(strict=True, reason=reason)
            for needle, reason in DOC_BUGS.items()
            if needle in block
        ]
        params.append(pytest.param(block, id=f"block{i}", marks=marks))
    return params


@pytest.mark.parametrize("block", _params())
def test_guide_example_is_valid(block: str, tmp_path: Path) -> None:
    data = read_yaml_text(textwrap.dedent(block))
    if isinstance(data, dict) and "services" in data:
        path = tmp_path / "support_services.yaml"
        path.write_text(block, encoding="utf-8")
        assert [p.format() for p in check_support_file(path)] == []
        return
    if isinstance(data, dict) and "languages" in data:
        path = tmp_path / "risk_words.yaml"
        path.write_text(block, encoding="utf-8")
        assert [p.format() for p in check_risk_words_file(path)] == []
        return
    bank, wrapped = _bank(data)
    _document, problems = check_document(bank, file="guide")
    errors = [p for p in problems if p.severity == "error"]
    if wrapped:
        errors = [p for p in errors if p.rule not in WHOLE_BANK_RULES]
    assert [p.format() for p in errors] == []
