"""A Victims' Code right's own answer, derived per response from the aspects it answered.

Questions tag a right's aspects (`victims_code.right_6.decision_told`), never the bare right;
older published versions may still tag the bare `victims_code.right_N`, which then counts as
one aspect. The right's figure `victims_code.right_N` is the share of respondents who answered
at least one of its aspects at that touchpoint and received every aspect they answered
(DESIGN13 rule 1, ../shared/docs/product.md):

- an answer counts when it is not skipped and not one of the right's excluded codes: for an
  information right (app.banks.aspects.INFORMATION_RIGHTS) "don't know" counts, as not
  received; for any other right it is ignored, as if not answered;
- nothing counted → no derived answer (the response is not in the right's n);
- otherwise "no" when any counted answer is neither yes nor don't know, else "dont_know" when
  any is don't know (not received, shown as its own share), else "yes".

The rollups store the derived answer as one more answer of the response, under the question id
`victims_code.right_N` (never a bank question id: ids are snake case without dots), so record
keys, key sums and withdrawal apply to it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.banks.metrics import get_metric, right_measure, right_number

DONT_KNOW = "dont_know"
RECEIVED = "yes"
NOT_RECEIVED = "no"


def derived_code(right: int, codes: Iterable[str | None]) -> str | None:
    """The right's answer from the codes a response gave to its aspects (at one touchpoint)."""
    metric = get_metric(right_measure(right))
    assert metric is not None
    counted = [code for code in codes if code and code not in metric.excluded_codes]
    if not counted:
        return None
    if any(code not in metric.positive_codes and code != DONT_KNOW for code in counted):
        return NOT_RECEIVED
    if DONT_KNOW in counted:
        return DONT_KNOW
    return RECEIVED


def right_questions(
    feeds: Mapping[str, Iterable[tuple[str, str]]],
) -> dict[tuple[str, str], frozenset[int]]:
    """(question id, touchpoint) → the rights it feeds there, from a version's measure feeds
    (app.reporting.feeds.measure_feeds): aspects and bare right tags alike."""
    found: dict[tuple[str, str], set[int]] = {}
    for measure, pairs in feeds.items():
        number = right_number(measure)
        if number is None:
            continue
        for pair in pairs:
            found.setdefault(pair, set()).add(number)
    return {pair: frozenset(rights) for pair, rights in found.items()}


def derived_answers(
    questions: Mapping[tuple[str, str], frozenset[int]],
    touchpoint: str,
    answers: Iterable[tuple[str, str | None]],
) -> dict[str, str]:
    """Right measure → derived code, for one response's (question id, code) answers at
    `touchpoint`; rights it answered nothing countable about are left out."""
    codes: dict[int, list[str | None]] = {}
    for question_id, code in answers:
        for right in questions.get((question_id, touchpoint), ()):
            codes.setdefault(right, []).append(code)
    derived = {right_measure(right): derived_code(right, given) for right, given in codes.items()}
    return {measure: code for measure, code in sorted(derived.items()) if code is not None}
