"""The metric registry: every figure the service publishes, in one place.

A metric's id is also the *measure* a question is tagged with (`measures: [satisfaction.overall]`).
Rate = answers with a positive code ÷ answers whose code is neither skipped (None) nor excluded.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.crime_groups import specialist_groups
from app.enums import CRIME_GROUPS, TOUCHPOINTS

ALL_CRIME_GROUPS: frozenset[str] = frozenset(CRIME_GROUPS)
ALL_TOUCHPOINTS: frozenset[str] = frozenset(TOUCHPOINTS)
# The groups marked `contact: specialist` in question_banks/crime_groups.yaml (never by slug).
SPECIALIST_GROUPS: frozenset[str] = specialist_groups()


@dataclass(frozen=True)
class Metric:
    id: str  # == the measure questions are tagged with
    title: str
    description: str
    positive_codes: frozenset[str]
    excluded_codes: frozenset[str]  # skipped (None) is always excluded too
    crime_groups: frozenset[str] = ALL_CRIME_GROUPS
    touchpoints: frozenset[str] = ALL_TOUCHPOINTS
    lower_is_better: bool = False
    # The standard answer codes, in order, that every question feeding this metric offers
    # (reserved codes may be added): the same scale in every bank keeps figures comparable.
    standard_codes: tuple[str, ...] = ()


SATISFACTION_SCALE = (
    "completely_satisfied",
    "very_satisfied",
    "fairly_satisfied",
    "neither",
    "fairly_dissatisfied",
    "very_dissatisfied",
    "completely_dissatisfied",
)
AGREEMENT_SCALE = ("strongly_agree", "agree", "neither", "disagree", "strongly_disagree")
YES_NO = ("yes", "no")
SATISFIED = frozenset({"completely_satisfied", "very_satisfied", "fairly_satisfied"})
AGREE = frozenset({"strongly_agree", "agree"})
YES = frozenset({"yes"})
NOT_AN_ANSWER = frozenset({"dont_know", "prefer_not_to_say", "not_applicable"})

# The Victims' Code 2020: right number → title.
RIGHT_TITLES: dict[int, str] = {
    1: "To be able to understand and to be understood",
    2: "To have the details of the crime recorded without unjustified delay",
    3: "To be provided with information when reporting the crime",
    4: "To be referred to services that support victims and have services and support "
    "tailored to your needs",
    5: "To be provided with information about compensation",
    6: "To be provided with information about the investigation and prosecution",
    7: "To make a Victim Personal Statement",
    8: "To be given information about the trial, trial process and your role as a witness",
    9: "To be given information about the outcome of the case and any appeals",
    10: "To be paid expenses and have property returned",
    11: "To be given information about the offender following a conviction",
    12: "To make a complaint about your rights not being met",
}

# The product brief's table: at each touchpoint, the rights asked about.
RIGHTS_BY_TOUCHPOINT: dict[str, frozenset[int]] = {
    "reporting": frozenset({1, 2, 3, 4, 5, 7, 12}),
    "investigation": frozenset({1, 4, 5, 6, 7, 10, 12}),
    "outcome": frozenset({1, 6, 7, 8, 10, 12}),
    "court": frozenset({1, 8, 10, 12}),
    "sentence": frozenset({1, 7, 9, 11, 12}),
}
# Rights asked at a touchpoint only behind a show_if: 8 at outcome only if someone was charged,
# 11 at sentence only when the upload marks vcs_eligible (never ask about a trial or an
# offender after NFA; court and sentence rows with an NFA outcome are refused at upload).
RIGHTS_NEEDING_SHOW_IF: dict[str, frozenset[int]] = {
    "outcome": frozenset({8}),
    "sentence": frozenset({11}),
}

RIGHT_MEASURE_PREFIX = "victims_code.right_"


def right_measure(number: int) -> str:
    return f"{RIGHT_MEASURE_PREFIX}{number}"


def right_number(measure: str) -> int | None:
    """The right number of a `victims_code.right_N` measure, else None."""
    if not measure.startswith(RIGHT_MEASURE_PREFIX):
        return None
    tail = measure[len(RIGHT_MEASURE_PREFIX) :]
    return int(tail) if tail.isdigit() else None


def right_touchpoints(number: int) -> frozenset[str]:
    """The touchpoints where right `number` is asked about, per the product brief's table."""
    return frozenset(tp for tp, rights in RIGHTS_BY_TOUCHPOINT.items() if number in rights)


def _satisfaction(suffix: str, title: str, description: str) -> Metric:
    return Metric(
        id=f"satisfaction.{suffix}",
        title=title,
        description=description,
        positive_codes=SATISFIED,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=SATISFACTION_SCALE,
    )


def _justice(suffix: str, title: str, description: str, groups: frozenset[str]) -> Metric:
    return Metric(
        id=f"procedural_justice.{suffix}",
        title=title,
        description=description,
        positive_codes=AGREE,
        excluded_codes=NOT_AN_ANSWER,
        crime_groups=groups,
        standard_codes=AGREEMENT_SCALE,
    )


def _right(number: int) -> Metric:
    return Metric(
        id=right_measure(number),
        title=f"Right {number}: {RIGHT_TITLES[number]}",
        description=(
            f"Share of victims who said they received Victims' Code right {number} "
            "(answered yes), of those who answered yes or no."
        ),
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        touchpoints=right_touchpoints(number),
        standard_codes=YES_NO,
    )


METRICS: tuple[Metric, ...] = (
    _satisfaction(
        "overall",
        "Satisfaction with the whole experience",
        "Share completely, very or fairly satisfied with their whole experience of the police.",
    ),
    _satisfaction(
        "ease_of_contact",
        "Satisfaction with ease of contact",
        "Share completely, very or fairly satisfied with how easy it was to contact the police.",
    ),
    _satisfaction(
        "actions",
        "Satisfaction with actions taken",
        "Share completely, very or fairly satisfied with what the police did.",
    ),
    _satisfaction(
        "kept_informed",
        "Satisfaction with being kept informed",
        "Share completely, very or fairly satisfied with how well they were kept up to date.",
    ),
    _satisfaction(
        "treatment",
        "Satisfaction with treatment",
        "Share completely, very or fairly satisfied with how they were treated.",
    ),
    _justice(
        "voice",
        "Felt listened to",
        "Share who agreed they were listened to (procedural justice: voice).",
        ALL_CRIME_GROUPS,
    ),
    _justice(
        "respect",
        "Treated with dignity and respect",
        "Share who agreed they were treated with dignity and respect.",
        ALL_CRIME_GROUPS,
    ),
    _justice(
        "neutrality",
        "Decisions explained fairly",
        "Share who agreed that decisions were explained to them fairly.",
        ALL_CRIME_GROUPS,
    ),
    _justice(
        "trust",
        "Trust in the officers",
        "Share who agreed they could trust the officers dealing with them.",
        ALL_CRIME_GROUPS,
    ),
    _justice(
        "believed",
        "Felt believed",
        "Share who agreed that they felt believed (rape and serious sexual offences, VAWG).",
        SPECIALIST_GROUPS,
    ),
    *(_right(number) for number in range(1, 13)),
    Metric(
        id="report_again",
        title="Would report again",
        description="Share who would definitely or probably report a crime to the police again.",
        positive_codes=frozenset({"definitely", "probably"}),
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=("definitely", "probably", "probably_not", "definitely_not"),
    ),
    Metric(
        id="confidence",
        title="Confidence in the local police",
        description="Share who agreed they have confidence in their local police.",
        positive_codes=AGREE,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=AGREEMENT_SCALE,
    ),
    Metric(
        id="feel_safe",
        title="Feel safer and supported",
        description="Share who agreed they feel safer or better supported after police contact.",
        positive_codes=AGREE,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=AGREEMENT_SCALE,
    ),
    Metric(
        id="retraumatisation",
        title="Process made things worse",
        description="Share who said dealing with the police made them feel worse (a lot or a "
        "little). Lower is better.",
        positive_codes=frozenset({"yes_a_lot", "yes_a_little"}),
        excluded_codes=NOT_AN_ANSWER,
        lower_is_better=True,
        standard_codes=("yes_a_lot", "yes_a_little", "no"),
    ),
    Metric(
        id="attrition",
        title="Thought about stepping back",
        description="Share who have thought about stepping back from the case. Lower is better.",
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        touchpoints=frozenset({"investigation", "outcome", "court"}),
        lower_is_better=True,
    ),
    Metric(
        id="specialist_support",
        title="Offered specialist support",
        description="Share who were offered a referral to an independent sexual or domestic "
        "violence adviser (ISVA or IDVA).",
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        crime_groups=SPECIALIST_GROUPS,
    ),
    Metric(
        id="kept_informed_bail",
        title="Told about bail and conditions",
        description="Share who were kept informed about bail and any conditions on the suspect.",
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        crime_groups=SPECIALIST_GROUPS,
        touchpoints=frozenset({"investigation", "outcome", "court"}),
    ),
    Metric(
        id="choice_of_officer",
        title="Offered a choice of officer",
        description="Share who were offered a choice, for example of the officer's sex, "
        "where that was possible.",
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        crime_groups=SPECIALIST_GROUPS,
    ),
)

_BY_ID: dict[str, Metric] = {metric.id: metric for metric in METRICS}


def get_metric(metric_id: str) -> Metric | None:
    return _BY_ID.get(metric_id)


def metrics_for(crime_group: str) -> tuple[Metric, ...]:
    """The metrics that apply to a crime group's bank, in registry order."""
    return tuple(metric for metric in METRICS if crime_group in metric.crime_groups)
