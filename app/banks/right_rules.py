"""The Victims' Code rules of a bank: questions tag a right's aspects (never the bare right),
each aspect is asked only at its touchpoints and behind the show_if it needs there, each right
is asked at every touchpoint the Code table applies it, with one headline question there, and
the headline questions and the board's measures are asked again at every stage (`repeat`).

The aspect data (app/banks/aspects.py, through the metric registry) is the one source: where
an aspect is asked, and which touchpoints need a show_if and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.banks import metrics as registry
from app.banks.aspects import CHARGED_ONLY, NOT_CHARGED_ONLY, VCS_ONLY, aspects_of
from app.banks.problems import BANK, Collector
from app.banks.schema import BankDocument, Question, Section
from app.enums import OUTCOMES, TOUCHPOINTS


@dataclass(frozen=True)
class _NeededShowIf:
    """The show_if a reason asks for: a context with only these values, or an earlier answer."""

    context: str
    values: frozenset[str]
    question_allowed: bool  # an earlier answer (someone_charged) can stand for the context


NEEDED_SHOW_IF: dict[str, _NeededShowIf] = {
    CHARGED_ONLY: _NeededShowIf("outcome", frozenset({"charged"}), True),
    NOT_CHARGED_ONLY: _NeededShowIf("outcome", frozenset(OUTCOMES) - {"charged"}, True),
    VCS_ONLY: _NeededShowIf("vcs_eligible", frozenset({"true"}), False),
}


@dataclass(frozen=True)
class _Asked:
    section: Section | None
    question: Question
    measure: str


def ordered(touchpoints: Iterable[str]) -> str:
    return ", ".join(sorted(touchpoints, key=TOUCHPOINTS.index))


def bare_right_problem(out: Collector, question: Question, measure: str) -> None:
    """A right's own figure is derived from its aspects: a question tags one aspect."""
    right = registry.right_number(measure)
    assert right is not None
    names = ", ".join(aspect.id for aspect in aspects_of(right))
    out.add(
        question.id,
        "right_aspect",
        f"{measure} is the right's own figure, worked out from its aspects: tag one of its "
        f"aspects: {names}",
    )


def lint_aspect_at(
    out: Collector, question: Question, metric: registry.Metric, touchpoint: str
) -> None:
    """An aspect asked at `touchpoint`: one of its touchpoints, with the show_if it needs."""
    if touchpoint not in metric.touchpoints:
        out.add(
            question.id,
            "right_touchpoint",
            f"{metric.id} is asked at {touchpoint}, where the Victims' Code table does not "
            f"ask about it (it is asked at {ordered(metric.touchpoints)})",
        )
        return
    reason = metric.needs_show_if.get(touchpoint)
    if reason is None:
        return
    needed = NEEDED_SHOW_IF[reason]
    condition = question.show_if
    if condition is None:
        out.add(
            question.id,
            "right_needs_show_if",
            f"{metric.id} at {touchpoint} needs a show_if ({reason})",
        )
        return
    if condition.context is None:
        if needed.question_allowed:
            return  # an earlier answer (has anyone been charged?) routes it
    elif condition.context == needed.context and set(condition.in_) <= needed.values:
        return
    values = ", ".join(f'"{value}"' for value in sorted(needed.values))
    out.add(
        question.id,
        "right_needs_show_if",
        f"{metric.id} at {touchpoint} needs show_if {{context: {needed.context}, in: "
        f"[{values}]}}"
        + (" or an earlier answer" if needed.question_allowed else "")
        + f" ({reason})",
    )


def lint_rights(out: Collector, document: BankDocument) -> None:
    """Coverage, headline and repeat rules over the whole bank."""
    asked: dict[tuple[int, str], list[_Asked]] = {}
    for section, question in document.all_questions():
        for measure in question.measures:
            metric = registry.get_metric(measure)
            if metric is None:
                continue
            if metric.board and not question.repeat:
                out.add(
                    question.id,
                    "repeat_required",
                    f"'{measure}' is one of the board's measures: mark the question "
                    "`repeat: true` so it is asked at every stage",
                )
            if metric.right is None or registry.is_right_rate(measure):
                continue
            for touchpoint in question.asked_at():
                if touchpoint in metric.touchpoints:
                    asked.setdefault((metric.right, touchpoint), []).append(
                        _Asked(section, question, measure)
                    )
    _lint_coverage(out, str(document.crime_group), asked)
    not_repeated: dict[str, list[str]] = {}  # headline question id → "right_N at touchpoint"
    for (right, touchpoint), found in sorted(
        asked.items(), key=lambda item: (item[0][0], TOUCHPOINTS.index(item[0][1]))
    ):
        headline = _lint_headline(out, right, touchpoint, found)
        if headline is not None and not headline.repeat:
            where = f"{registry.right_measure(right)} at {touchpoint}"
            not_repeated.setdefault(headline.id, []).append(where)
    for question_id, places in not_repeated.items():
        out.add(
            question_id,
            "repeat_required",
            f"the headline question of {', '.join(places)} must be `repeat: true`, so the "
            "right is measured at every stage",
        )


def _lint_coverage(
    out: Collector, crime_group: str, asked: dict[tuple[int, str], list[_Asked]]
) -> None:
    for metric in registry.metrics_for(crime_group):
        if metric.right is None or not registry.is_right_rate(metric.id):
            continue
        missing = [tp for tp in metric.touchpoints if (metric.right, tp) not in asked]
        if missing:
            out.add(
                BANK,
                "right_missing_touchpoint",
                f"{metric.id} is not asked at {ordered(missing)}, where the Victims' Code table "
                "says it applies (tag a question there with one of its aspects)",
            )


def _is_core(section: Section | None) -> bool:
    return section is None or (section.module is None and not section.equality)


def _lint_headline(
    out: Collector, right: int, touchpoint: str, found: list[_Asked]
) -> Question | None:
    """Exactly one question of the right at the touchpoint is asked of everyone there: the
    headline, returned when there is exactly one."""
    core = [item for item in found if _is_core(item.section)]
    all_gated = all(
        touchpoint in aspect.needs_show_if
        for aspect in aspects_of(right)
        if touchpoint in aspect.touchpoints
    )
    # Where every aspect needs a show_if (right 8 at outcome, 11 at sentence), the headline
    # is the core question behind it; elsewhere it is the core question without one.
    headlines = core if all_gated else [item for item in core if item.question.show_if is None]
    measure = registry.right_measure(right)
    if not headlines:
        out.add(
            BANK,
            "right_headline",
            f"{measure} at {touchpoint} has no headline question: ask one of its aspects there "
            "in a section without a module" + ("" if all_gated else " and without a show_if"),
        )
        return None
    if len(headlines) > 1:
        ids = ", ".join(item.question.id for item in headlines)
        out.add(
            headlines[1].question.id,
            "right_headline",
            f"{measure} at {touchpoint} has {len(headlines)} headline questions ({ids}): keep "
            "one in the sections everyone is asked, move the others to a module",
        )
        return None
    return headlines[0].question
