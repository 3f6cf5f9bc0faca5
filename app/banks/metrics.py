"""The metric registry: every figure the service publishes, in one place.

A metric's id is also the *measure* a question is tagged with (`measures: [satisfaction.overall]`).
Rate = answers with a positive code ÷ answers whose code is neither skipped (None) nor excluded.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.banks.aspects import ASPECTS, INFORMATION_RIGHTS, Aspect
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
    # A right's aspect (`victims_code.right_N.<aspect>`): its right, and the agency that
    # delivers it at each touchpoint it is asked at.
    right: int | None = None
    agencies: Mapping[str, str] = field(default_factory=dict)
    # Touchpoints where a question feeding it needs a show_if (context or earlier answer),
    # with the reason the lint gives.
    needs_show_if: Mapping[str, str] = field(default_factory=dict)
    # Fed by the board's priorities: asked at every stage it applies to (`repeat: true`).
    board: bool = False
    # What the figure can be compared with, and what to bear in mind when reading it.
    comparable_with: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()


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
RIGHT_MEASURE_PREFIX = "victims_code.right_"

# Comparability and caveats every reader of a figure should see (docs/question-banks.md).
HOME_OFFICE_DOMAINS = "Home Office victim satisfaction survey domains (question wording differs)"
CSEW = "Crime Survey for England and Wales (same question wording; a household sample)"
MODE_CAVEAT = (
    "Online, self-completed a few days after a stage: not comparable with past telephone "
    "surveys, which asked weeks later and drew higher satisfaction."
)
RIGHT_CAVEAT = (
    "Victim-reported: people may not remember or recognise what they were offered, and the "
    "force's self-assessment counts from its own records."
)


def right_measure(number: int) -> str:
    return f"{RIGHT_MEASURE_PREFIX}{number}"


def right_number(measure: str) -> int | None:
    """The right number of a `victims_code.right_N` or `victims_code.right_N.<aspect>`
    measure, else None."""
    if not measure.startswith(RIGHT_MEASURE_PREFIX):
        return None
    tail = measure[len(RIGHT_MEASURE_PREFIX) :].split(".", 1)[0]
    return int(tail) if tail.isdigit() else None


def is_right_rate(measure: str) -> bool:
    """A right's own figure (`victims_code.right_N`), derived from its aspects."""
    return right_number(measure) is not None and "." not in measure[len(RIGHT_MEASURE_PREFIX) :]


def right_touchpoints(number: int) -> frozenset[str]:
    """The touchpoints where right `number` is asked about, per the product brief's table."""
    return frozenset(tp for tp, rights in RIGHTS_BY_TOUCHPOINT.items() if number in rights)


def _satisfaction(suffix: str, title: str, description: str, *, board: bool = False) -> Metric:
    return Metric(
        id=f"satisfaction.{suffix}",
        title=title,
        description=description,
        positive_codes=SATISFIED,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=SATISFACTION_SCALE,
        board=board,
        comparable_with=(HOME_OFFICE_DOMAINS,),
        caveats=(MODE_CAVEAT,),
    )


def _justice(suffix: str, title: str, description: str, *, board: bool = False) -> Metric:
    return Metric(
        id=f"procedural_justice.{suffix}",
        title=title,
        description=description,
        positive_codes=AGREE,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=AGREEMENT_SCALE,
        board=board,
    )


def _specialist_yes(metric_id: str, title: str, description: str, **extra: object) -> Metric:
    """A yes/no measure of the specialist banks only."""
    return Metric(
        id=metric_id,
        title=title,
        description=description,
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        crime_groups=SPECIALIST_GROUPS,
        **extra,  # type: ignore[arg-type]
    )


def _right(number: int) -> Metric:
    return Metric(
        id=right_measure(number),
        title=f"Right {number}: {RIGHT_TITLES[number]}",
        description=(
            f"Share of victims who received Victims' Code right {number}: of those who answered "
            "at least one of its aspects at a stage, those who received every aspect they "
            "answered"
            + (" (don't know counts as not received)." if number in INFORMATION_RIGHTS else ".")
        ),
        positive_codes=YES,
        excluded_codes=_not_an_answer(number),
        touchpoints=right_touchpoints(number),
        standard_codes=YES_NO,
        right=number,
        caveats=(RIGHT_CAVEAT,),
    )


def _not_an_answer(right: int) -> frozenset[str]:
    """For an information right, don't know counts as not received (it is in the base)."""
    return NOT_AN_ANSWER - {"dont_know"} if right in INFORMATION_RIGHTS else NOT_AN_ANSWER


def _aspect(aspect: Aspect) -> Metric:
    return Metric(
        id=aspect.id,
        title=f"Right {aspect.right}: {aspect.title}",
        description=aspect.description,
        positive_codes=YES,
        excluded_codes=_not_an_answer(aspect.right),
        touchpoints=aspect.touchpoints,
        standard_codes=YES_NO,
        right=aspect.right,
        agencies=aspect.agencies,
        needs_show_if=aspect.needs_show_if,
        caveats=(RIGHT_CAVEAT,),
    )


# CSEW's confidence question and its labels ("tend to agree").
CSEW_AGREEMENT = (
    "strongly_agree",
    "tend_to_agree",
    "neither",
    "tend_to_disagree",
    "strongly_disagree",
)
SAFER_THAN_BEFORE = ("safer", "about_the_same", "less_safe")

METRICS: tuple[Metric, ...] = (
    _satisfaction(
        "overall",
        "Satisfaction with the whole experience",
        "Share completely, very or fairly satisfied with their whole experience of the police.",
        board=True,
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
    ),
    _justice(
        "respect",
        "Treated with dignity and respect",
        "Share who agreed they were treated with dignity and respect.",
    ),
    # Same id, new wording ("decisions explained fairly"): comparability with versions before
    # the retitling is broken, and the change is flagged (docs/question-banks.md).
    _justice(
        "neutrality",
        "Decisions explained fairly",
        "Share who agreed that the decisions made were explained to them fairly.",
    ),
    _justice(
        "trust",
        "Trust in the officers",
        "Share who agreed they could trust the officers dealing with them.",
        board=True,
    ),
    _justice(
        "believed",
        "Felt believed",
        "Share who agreed that they felt believed.",
    ),
    *(_right(number) for number in range(1, 13)),
    *(_aspect(aspect) for aspect in ASPECTS),
    Metric(
        id="report_again",
        title="Would report again",
        description="Share who would definitely or probably report a crime to the police again.",
        positive_codes=frozenset({"definitely", "probably"}),
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=("definitely", "probably", "probably_not", "definitely_not"),
        board=True,
        caveats=(MODE_CAVEAT,),
    ),
    Metric(
        id="confidence",
        title="Confidence in the local police",
        description="Share who strongly or tend to agree that, taking everything into account, "
        "they have confidence in the police in their area (the CSEW question).",
        positive_codes=frozenset({"strongly_agree", "tend_to_agree"}),
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=CSEW_AGREEMENT,
        board=True,
        comparable_with=(CSEW,),
        caveats=(
            MODE_CAVEAT,
            "Asked of victims after contact, not of the general public as the CSEW is.",
        ),
    ),
    Metric(
        id="feel_safe",
        title="Feel safer than before",
        description="Share who feel safer now than before they contacted the police.",
        positive_codes=frozenset({"safer"}),
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=SAFER_THAN_BEFORE,
        board=True,
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
        board=True,
    ),
    Metric(
        id="attrition",
        title="Thought about stepping back",
        description="Share who have thought about stepping back from the case. Lower is better. "
        "Actual withdrawal is reported from the force's outcome data, not asked.",
        positive_codes=YES,
        excluded_codes=NOT_AN_ANSWER,
        standard_codes=YES_NO,
        touchpoints=frozenset({"investigation", "outcome", "court"}),
        lower_is_better=True,
        board=True,
    ),
    _specialist_yes(
        "specialist_support",
        "Offered specialist support",
        "Share who were offered an independent sexual or domestic violence adviser (ISVA or "
        "IDVA), or already had one.",
    ),
    _specialist_yes(
        "kept_informed_bail",
        "Told about bail and conditions",
        "Share who were kept informed about bail and any conditions on the suspect.",
        touchpoints=frozenset({"investigation", "outcome", "court"}),
    ),
    _specialist_yes(
        "choice_of_officer",
        "Offered a choice of officer",
        "Share who were offered a choice, for example of the officer's sex, where that was "
        "possible.",
    ),
)

_BY_ID: dict[str, Metric] = {metric.id: metric for metric in METRICS}


def get_metric(metric_id: str) -> Metric | None:
    return _BY_ID.get(metric_id)


def metrics_for(crime_group: str) -> tuple[Metric, ...]:
    """The metrics that apply to a crime group's bank, in registry order."""
    return tuple(metric for metric in METRICS if crime_group in metric.crime_groups)
