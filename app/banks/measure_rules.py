"""The measure rules of a bank: each measure is in the metric registry, applies to the bank's
crime group and touchpoints, is fed once, and the Victims' Code rights are asked where the
Code table applies them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from app.banks import metrics as registry
from app.banks.problems import BANK, Collector
from app.banks.schema import RESERVED_CODES, BankDocument, Question
from app.enums import TOUCHPOINTS

RIGHT_SHOW_IF_REASONS = {
    ("outcome", 8): "ask it only if someone was charged",
    ("sentence", 11): "ask it only when the upload marks vcs_eligible",
}


@dataclass
class _Tally:
    """What the questions seen so far feed."""

    fed_at: dict[tuple[str, str], str] = field(default_factory=dict)  # → first question id
    fed: set[str] = field(default_factory=set)
    right_touchpoints: dict[int, set[str]] = field(default_factory=dict)


def lint_measures(out: Collector, document: BankDocument) -> None:
    crime_group = str(document.crime_group)
    tally = _Tally()
    for _section, question in document.all_questions():
        for measure in question.measures:
            _lint_measure(out, question, measure, crime_group, tally)
    _lint_coverage(out, crime_group, tally)


def _lint_measure(
    out: Collector, question: Question, measure: str, crime_group: str, tally: _Tally
) -> None:
    metric = registry.get_metric(measure)
    if metric is None:
        out.add(
            question.id,
            "unknown_measure",
            f"unknown measure '{measure}' (see the metric list in docs/question-banks.md)",
        )
        return
    tally.fed.add(measure)
    if crime_group not in metric.crime_groups:
        out.add(
            question.id,
            "measure_crime_group",
            f"measure '{measure}' does not apply to {crime_group} banks "
            f"(only {', '.join(sorted(metric.crime_groups))})",
        )
    _lint_measure_options(out, question, metric)
    right = registry.right_number(measure)
    for touchpoint in question.asked_at():
        if right is not None:
            _lint_right_at(out, question, right, touchpoint)
            tally.right_touchpoints.setdefault(right, set()).add(touchpoint)
        elif touchpoint not in metric.touchpoints:
            out.add(
                question.id,
                "measure_touchpoint",
                f"measure '{measure}' is not asked at {touchpoint} "
                f"(only at {_ordered(metric.touchpoints)})",
            )
        _lint_fed_once(out, question, measure, touchpoint, tally)


def _lint_fed_once(
    out: Collector, question: Question, measure: str, touchpoint: str, tally: _Tally
) -> None:
    first = tally.fed_at.get((measure, touchpoint))
    if first is not None:
        out.add(
            question.id,
            "measure_twice",
            f"measure '{measure}' at {touchpoint} is already fed by question "
            f"'{first}': a response must count once in a metric",
        )
    else:
        tally.fed_at[(measure, touchpoint)] = question.id


def _lint_coverage(out: Collector, crime_group: str, tally: _Tally) -> None:
    """Every metric of the crime group is fed, and each right at every touchpoint it applies."""
    for metric in registry.metrics_for(crime_group):
        if metric.id not in tally.fed:
            out.add(
                BANK,
                "metric_not_fed",
                f"no question feeds metric '{metric.id}', which applies to {crime_group} banks",
            )
    for right, seen in sorted(tally.right_touchpoints.items()):
        missing = registry.right_touchpoints(right) - seen
        if missing:
            out.add(
                BANK,
                "right_missing_touchpoint",
                f"{registry.right_measure(right)} is not asked at {_ordered(missing)}, where the "
                "Victims' Code table says it applies",
                "warning",
            )


def _ordered(touchpoints: Iterable[str]) -> str:
    return ", ".join(sorted(touchpoints, key=TOUCHPOINTS.index))


def _lint_right_at(out: Collector, question: Question, right: int, touchpoint: str) -> None:
    if right not in registry.RIGHTS_BY_TOUCHPOINT[touchpoint]:
        out.add(
            question.id,
            "right_touchpoint",
            f"victims_code.right_{right} is asked at {touchpoint}, where the Victims' Code table "
            f"does not apply right {right} (it applies at "
            f"{_ordered(registry.right_touchpoints(right))})",
        )
    elif right in registry.RIGHTS_NEEDING_SHOW_IF.get(touchpoint, frozenset()) and (
        question.show_if is None
    ):
        reason = RIGHT_SHOW_IF_REASONS[(touchpoint, right)]
        out.add(
            question.id,
            "right_needs_show_if",
            f"victims_code.right_{right} at {touchpoint} needs a show_if ({reason})",
        )
    elif (
        (touchpoint, right) == ("sentence", 11)
        and question.show_if is not None
        and (question.show_if.context != "vcs_eligible")
    ):
        out.add(
            question.id,
            "right_needs_show_if",
            "victims_code.right_11 at sentence needs show_if {context: vcs_eligible, in: [true]}",
        )


def _lint_measure_options(out: Collector, question: Question, metric: registry.Metric) -> None:
    if question.type == "text":
        out.add(
            question.id,
            "measure_options",
            f"a text question cannot feed measure '{metric.id}': it needs answers with codes",
        )
        return
    if question.type == "multi":
        out.add(
            question.id,
            "measure_options",
            f"a multi question cannot feed measure '{metric.id}': a response must give it "
            "one answer",
        )
        return
    codes = {option.code for option in question.options or []}
    if codes & metric.positive_codes:
        _lint_standard_codes(out, question, metric)
    else:
        out.add(
            question.id,
            "measure_options",
            f"measure '{metric.id}' counts the answers {', '.join(sorted(metric.positive_codes))}"
            ", but this question offers none of them",
        )


def _lint_standard_codes(out: Collector, question: Question, metric: registry.Metric) -> None:
    if not metric.standard_codes:
        return
    answers = tuple(
        option.code for option in question.options or [] if option.code not in RESERVED_CODES
    )
    if answers != metric.standard_codes:
        out.add(
            question.id,
            "standard_options",
            f"measure '{metric.id}' uses the standard answers {', '.join(metric.standard_codes)}"
            " in this order (dont_know, not_applicable or prefer_not_to_say may be added), so "
            "that figures compare across banks",
            "warning",
        )
