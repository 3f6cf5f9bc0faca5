"""Attack by a tracker on a sensitive measure: one cell before and after one submission the
attacker makes, over 500 independent draws of record keys.

A sensitive measure (attrition here) also suppresses a cell of published n below twice
min_cell with too few answers one way. If that rule read the *true* counts, a cell that was
hidden before the attacker's "yes" and shown after it would tell the attacker that exactly 3
said yes after (so 2 before): the flip itself is an exact count. The attacker here knows the
published table and the service's published rule, and takes the most likely count given both
answers: it works out, for every true count, the chance of every pair of answers through the
service's own `metric_cell`, so it follows whatever rule the service applies.
"""

from __future__ import annotations

import functools
import random
from collections import defaultdict

import pytest

from app.cell_key import KEY_SPACE, distribution, perturb
from app.reporting.aggregates import MetricPiece, aggregate_metric_from, metric_cell
from app.reporting.disclosure import SENSITIVE_MEASURES, Tally
from tests.disclosure.attacker import Score
from tests.disclosure.harness import DRAWS
from tests.disclosure.observe import TODAY
from tests.disclosure.scenarios import AUG, MONTHS
from tests.disclosure.world import MemoryTallies, World

pytestmark = pytest.mark.in_memory  # no database: the PostgreSQL leg skips it

METRIC = "attrition"
MIN_CELL = 10
CELL = {"crime_group": "rasso", "touchpoint": "court"}
# What the attacker considers possible for the hidden cell: yes and no answers before its own.
YES_RANGE = range(MIN_CELL)
NO_RANGE = range(2 * MIN_CELL + 5)

Seen = tuple[int, int] | None  # a cell's published (n, positive), or None when suppressed
Answers = tuple[Seen, Seen]  # before and after the attacker's submission


def world(yes: int, no: int) -> tuple[World, World]:
    """Rasso at court in August holds `yes` + `no` answers to stepping back; general crime at
    court is large every month. The second world adds the attacker's own "yes"."""
    rng = random.Random(7)
    before = World()
    for month in MONTHS:
        for _ in range(40):
            code = "yes" if rng.random() < 0.2 else "no"
            before.add_person(touchpoint="court", month=month, answers={"stepping_back": code})
    for code in ["yes"] * yes + ["no"] * no:
        before.add_person(**CELL, month=AUG, answers={"stepping_back": code})
    after = before.copy()
    after.add_person(**CELL, month=AUG, answers={"stepping_back": "yes"})
    return before, after


def seen(world: World) -> Seen:
    """The hidden cell as the aggregates API shows it."""
    result = aggregate_metric_from(
        MemoryTallies(world),
        METRIC,
        ["crime_group", "touchpoint"],
        None,
        "2026-08",
        "2026-08",
        on=TODAY,
    )
    (cell,) = [c for c in result.cells if c.group == CELL]
    return None if cell.suppressed else (int(cell.n or 0), int(cell.positive or 0))


@functools.cache
def key_publishing(count: int, published: int) -> int:
    """A cell key under which `count` records are published as `published`."""
    return next(key for key in range(KEY_SPACE) if perturb(count, key) == published)


def shown_as(yes: int, published_yes: int, no: int, published_no: int) -> Seen:
    """What the service shows for one piece with these true and published counts."""
    piece = MetricPiece(
        Tally(yes, key_publishing(yes, published_yes)),
        Tally(no, key_publishing(no, published_no)),
    )
    cell = metric_cell({}, [piece], min_cell=MIN_CELL, sensitive=True)
    return None if cell.suppressed else (int(cell.n or 0), int(cell.positive or 0))


@functools.cache
def likelihoods() -> dict[tuple[int, int], dict[Answers, float]]:
    """(yes, no) before → the chance of every pair of answers. The no answers are the same
    records in both (one published value); the yes answers gain the attacker's record, whose
    key it never sees, so their two published values are independent."""
    table: dict[tuple[int, int], dict[Answers, float]] = {}
    for yes in YES_RANGE:
        for no in NO_RANGE:
            chances: dict[Answers, float] = defaultdict(float)
            for published_no, p_no in distribution(no).items():
                for first, p_first in distribution(yes).items():
                    shown_before = shown_as(yes, first, no, published_no)
                    for second, p_second in distribution(yes + 1).items():
                        shown_after = shown_as(yes + 1, second, no, published_no)
                        chances[(shown_before, shown_after)] += float(p_no * p_first * p_second)
            table[(yes, no)] = dict(chances)
    return table


def best_guess(answers: Answers) -> tuple[int, int]:
    """The most likely yes count before (uniform prior), and how many counts are possible."""
    posterior: dict[int, float] = defaultdict(float)
    for (yes, _), chances in likelihoods().items():
        posterior[yes] += chances.get(answers, 0.0)
    possible = [yes for yes, chance in posterior.items() if chance > 0]
    return max(possible, key=lambda yes: posterior[yes]), len(possible)


@functools.cache
def tracked(yes: int, no: int) -> Score:
    before, after = world(yes, no)
    rng = random.Random(0)
    score = Score(truth=yes)
    for _ in range(DRAWS):
        after.draw_keys(rng)  # the records of both worlds are the same objects
        guess, possible = best_guess((seen(before), seen(after)))
        score.guess("most likely count", guess)
        score.pinned += possible == 1
        score.draws += 1
    return score


def test_attrition_is_sensitive() -> None:
    assert METRIC in SENSITIVE_MEASURES


@pytest.mark.parametrize(("yes", "no"), [(2, 11), (1, 12)])
def test_a_sensitive_cell_flipping_after_one_submission_tells_no_exact_count(
    yes: int, no: int
) -> None:
    """A few of 13 said yes; the attacker adds one more. Whether the cell is hidden or shown,
    before and after, must not give the count away (with a rule on true counts, 2 of 13 was
    hidden before and shown after in every draw, and the attacker was right every time)."""
    score = tracked(yes, no)
    strategy, rate = score.worst()
    assert score.draws == DRAWS
    assert rate <= 0.5, f"{strategy} right in {rate:.0%} of draws"
    assert score.pinned == 0, f"the truth was pinned in {score.pinned} draws"
