"""Attack: range differencing with every pair of ranges that isolates a hidden month, in every
spelling of a period, over 500 independent draws of record keys.

A range is answered as the sum of its canonical pieces (whole financial years, then quarters,
then months), each perturbed once, and is suppressed when any of its pieces is: so subtracting
ranges never draws fresh noise, and never lays bare the published value of a hidden month.
"""

from __future__ import annotations

import functools
import random
from datetime import date

import pytest

from app.reporting.periods import Piece, canonical_pieces
from tests.disclosure.attacker import rounded
from tests.disclosure.harness import Outcome, Target, observe_world, run
from tests.disclosure.observe import Knowledge, Query
from tests.disclosure.scenarios import RANGE_MONTHS, ranges

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

METRIC = "satisfaction.overall"


def label(month: date) -> str:
    return f"{month:%Y-%m}"


def spellings(first: date, last: date) -> list[tuple[str, str]]:
    """Ways to write the range: months, or quarters where it starts or ends on one."""
    starts = [label(first)] + (
        [f"{first.year}-Q{(first.month - 1) // 3 + 1}"] if first.month % 3 == 1 else []
    )
    ends = [label(last)] + (
        [f"{last.year}-Q{(last.month - 1) // 3 + 1}"] if last.month % 3 == 0 else []
    )
    return [(start, end) for start in starts for end in ends]


def range_queries() -> list[Query]:
    queries = [
        Query("metric", (), (), start, end)
        for i, first in enumerate(RANGE_MONTHS)
        for last in RANGE_MONTHS[i:]
        for start, end in spellings(first, last)
    ]
    whole = (label(RANGE_MONTHS[0]), label(RANGE_MONTHS[-1]))
    queries += [
        Query("metric", (unit,), (), *whole) for unit in ("month", "quarter", "financial_year")
    ]
    return queries


def range_pairs(knowledge: Knowledge) -> dict[str, dict[str, int]]:
    """For each hidden month, every pair of shown ranges whose difference is that month."""
    guesses: dict[str, dict[str, int]] = {}
    months = list(RANGE_MONTHS)
    for index, month in enumerate(months):
        name = f"{month:%B %Y}"
        found: dict[str, int] = {}
        pairs = [((months[a], month), (months[a], months[index - 1])) for a in range(index)] + [
            ((month, months[b]), (months[index + 1], months[b]))
            for b in range(index + 1, len(months))
        ]
        for (first, last), (other_first, other_last) in pairs:
            whole = knowledge.totals.get((label(first), label(last), "satisfaction.overall"))
            part = knowledge.totals.get(
                (label(other_first), label(other_last), "satisfaction.overall")
            )
            if whole and part:
                pair = (
                    f"{label(first)}..{label(last)} less {label(other_first)}..{label(other_last)}"
                )
                found[f"ranges {pair}"] = whole[0] - part[0]
        if found:
            found["average of every pair of ranges"] = rounded(sum(found.values()) / len(found))
        guesses[name] = found
    return guesses


@functools.cache
def outcome() -> tuple[Outcome, dict[str, int]]:
    world, hidden = ranges()
    draw = observe_world(world, range_queries())
    observer = draw.observer  # type: ignore[attr-defined]
    targets = {name: Target(observer.mask(people)) for name, people in hidden.items()}

    def pairs(knowledge: Knowledge) -> dict[str, dict[str, int]]:
        return {
            name: guesses for name, guesses in range_pairs(knowledge).items() if name in targets
        }

    return run(draw, targets, extra=pairs), {name: len(p) for name, p in hidden.items()}


def test_range_differencing_never_gives_a_hidden_month_away() -> None:
    """Also: the hidden months are attacked by the pieces around them (a quarter minus its
    other months, a financial year minus its quarters and months …), and no pair of ranges
    is right in more than half of the draws. One test, so the 500 draws run once per run."""
    result, truths = outcome()
    assert result.failures() == [], result.summary()
    assert {name: score.truth for name, score in result.scores.items()} == truths
    for name, score in result.scores.items():
        assert "average of every path" in score.tried, (name, result.summary()[name])
        for strategy in score.tried:
            if strategy.startswith("ranges "):
                assert score.right[strategy] / score.tried[strategy] <= 0.5


def test_a_hidden_month_is_never_a_piece_of_a_shown_range() -> None:
    """A range whose pieces include a hidden month alone is suppressed, in every spelling: the
    pairs of ranges that do isolate a hidden month take it from inside a whole quarter or year,
    a piece perturbed on its own, so their difference carries the noise of three pieces."""
    world, hidden = ranges()
    draw = observe_world(world, range_queries())
    for seed in range(20):
        knowledge = draw(random.Random(seed))
        for name in hidden:
            month = next(m for m in RANGE_MONTHS if f"{m:%B %Y}" == name)
            for i, first in enumerate(RANGE_MONTHS):
                for last in RANGE_MONTHS[i:]:
                    pieces = canonical_pieces(first, last)
                    if Piece(month, month, "month") in pieces:
                        assert knowledge.totals[(label(first), label(last), METRIC)] is None
