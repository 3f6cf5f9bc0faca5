"""The measure rules of a bank: each measure is in the metric registry, applies to the bank's
crime group and touchpoints, is fed once, and offers the measure's answers. The Victims' Code
rules (aspects, headlines, repeat) are in right_rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.banks import metrics as registry
from app.banks.problems import BANK, Collector
from app.banks.right_rules import bare_right_problem, lint_aspect_at, lint_rights, ordered
from app.banks.schema import RESERVED_CODES, BankDocument, Question


@dataclass
class _Tally:
    """What the questions seen so far feed."""

    fed_at: dict[tuple[str, str], str] = field(default_factory=dict)  # → first question id
    fed: set[str] = field(default_factory=set)


def lint_measures(out: Collector, document: BankDocument) -> None:
    crime_group = str(document.crime_group)
    tally = _Tally()
    for _section, question in document.all_questions():
        for measure in question.measures:
            _lint_measure(out, question, measure, crime_group, tally)
    _lint_coverage(out, crime_group, tally)
    lint_rights(out, document)


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
    if registry.is_right_rate(measure):
        bare_right_problem(out, question, measure)
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
    for touchpoint in question.asked_at():
        if metric.right is not None:
            lint_aspect_at(out, question, metric, touchpoint)
        elif touchpoint not in metric.touchpoints:
            out.add(
                question.id,
                "measure_touchpoint",
                f"measure '{measure}' is not asked at {touchpoint} "
                f"(only at {ordered(metric.touchpoints)})",
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
    """Every metric of the crime group is fed. A right's figure comes from its aspects and
    each aspect is optional detail: right_rules checks each right at each of its touchpoints."""
    for metric in registry.metrics_for(crime_group):
        if metric.right is None and metric.id not in tally.fed:
            out.add(
                BANK,
                "metric_not_fed",
                f"no question feeds metric '{metric.id}', which applies to {crime_group} banks",
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
