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

A right several agencies deliver has a part per agency (app.reporting.victims_code_parts).
Where one agency delivers every aspect of the right asked at a touchpoint, the right's derived
answer there is that agency's. Where two or more share a touchpoint (today right 8 at court:
witness care's `court_info` and `trial_date_promptly`, the CPS's `cps_met`), each agency gets
its own derived answer there, by the same rule over only the aspects it delivers, stored under
`victims_code.right_N.<agency>` (a part id: never a measure a bank can tag, since the metric
registry does not know it and no aspect is named after an agency). Only those touchpoints get
part rows: elsewhere they would copy the right's own rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from app.banks.aspects import AGENCIES, ASPECTS, aspects_of, get_aspect
from app.banks.metrics import get_metric, right_measure, right_number

# A part id must never be an aspect's id too: it would count one answer under two meanings.
assert not {aspect.name for aspect in ASPECTS} & set(AGENCIES)

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


def part_measure(right: int, agency: str) -> str:
    """The id under which an agency's own answer about a right is counted (a part id)."""
    return f"{right_measure(right)}.{agency}"


@cache  # read for every part answer of every submit; the ids are few
def part_of(measure: str) -> tuple[int, str] | None:
    """(right, agency) of a part id `victims_code.right_N.<agency>`, else None."""
    right = right_number(measure)
    if right is None:
        return None
    agency = measure[len(right_measure(right)) + 1 :]
    if agency not in AGENCIES or measure != part_measure(right, agency):
        return None
    return right, agency


def shared_touchpoints(right: int) -> dict[str, tuple[str, ...]]:
    """Touchpoint → the agencies (AGENCIES order) delivering aspects of the right there, for the
    touchpoints where two or more do: the only ones counted per agency."""
    at: dict[str, set[str]] = {}
    for aspect in aspects_of(right):
        for touchpoint, agency in aspect.agencies.items():
            at.setdefault(touchpoint, set()).add(agency)
    return {
        touchpoint: tuple(agency for agency in AGENCIES if agency in agencies)
        for touchpoint, agencies in at.items()
        if len(agencies) > 1
    }


def part_questions(
    feeds: Mapping[str, Iterable[tuple[str, str]]],
) -> dict[tuple[str, str], frozenset[str]]:
    """(question id, touchpoint) → the part ids it feeds there: a question tagged with an aspect
    feeds its agency's part at a touchpoint that agency shares with another. A bare right tag
    names no agency, so it feeds no part."""
    found: dict[tuple[str, str], set[str]] = {}
    for measure, pairs in feeds.items():
        aspect = get_aspect(measure)
        if aspect is None:
            continue
        shared = shared_touchpoints(aspect.right)
        for question_id, touchpoint in pairs:
            agency = aspect.agencies.get(touchpoint)
            if agency is not None and touchpoint in shared:
                found.setdefault((question_id, touchpoint), set()).add(
                    part_measure(aspect.right, agency)
                )
    return {pair: frozenset(parts) for pair, parts in found.items()}


def derived_parts(
    questions: Mapping[tuple[str, str], frozenset[str]],
    touchpoint: str,
    answers: Iterable[tuple[str, str | None]],
) -> dict[str, str]:
    """Part id → the agency's derived code, for one response's answers at `touchpoint` (the
    right's rule over that agency's aspects only); parts it answered nothing countable about
    are left out."""
    codes: dict[str, list[str | None]] = {}
    for question_id, code in answers:
        for part in questions.get((question_id, touchpoint), ()):
            codes.setdefault(part, []).append(code)
    derived: dict[str, str] = {}
    for part, given in sorted(codes.items()):
        named = part_of(part)
        assert named is not None
        code = derived_code(named[0], given)
        if code is not None:
            derived[part] = code
    return derived
