"""The partner guide names every measure and every checker rule, and its waiver example works."""

from __future__ import annotations

import re

from app.banks.lint import RULES, check_document
from app.banks.metrics import METRICS
from app.banks.wording import RULES_WAIVABLE
from tests.banks.conftest import REPO

GUIDE = (REPO / "docs" / "question-banks.md").read_text(encoding="utf-8")


def test_guide_lists_every_measure() -> None:
    missing = [
        metric.id
        for metric in METRICS
        if f"`{metric.id}`" not in GUIDE and not metric.id.startswith("victims_code.right_")
    ]
    assert missing == []
    assert "`victims_code.right_1` … `victims_code.right_12`" in GUIDE


def test_guide_explains_every_rule() -> None:
    rules = set(RULES) - {"schema"}
    assert [rule for rule in sorted(rules) if f"(`{rule}`)" not in GUIDE] == []
    for rule in RULES_WAIVABLE:
        assert f"`{rule}`" in GUIDE


def test_guide_waiver_example_is_accepted() -> None:
    match = re.search(r"  text: (Were you offered medical care[^\n]*)", GUIDE)
    assert match is not None
    bank = {
        "slug": "general",
        "title": "T",
        "questions": [
            {
                "id": "medical_support_offered",
                "type": "text",
                "text": match.group(1),
                "waivers": [{"rule": "asks_what_happened", "reason": "Asks about care offered."}],
            }
        ],
    }
    _document, problems = check_document(bank)
    assert [p for p in problems if p.question_id == "medical_support_offered"] == []
    without = {**bank, "questions": [{**bank["questions"][0], "waivers": []}]}
    _document, problems = check_document(without)
    assert [p.rule for p in problems if p.question_id == "medical_support_offered"] == [
        "asks_what_happened"
    ]
