"""The aspects of each Victims' Code right: what a victim is asked about it, where, and which
agency delivers it there.

Each aspect is its own metric, `victims_code.right_N.<aspect>`, fed by one yes/no question per
response. The right's own figure, `victims_code.right_N`, is derived per response from the
aspects it answered (app/reporting/right_rates.py): received when every aspect answered was
received. The touchpoints follow the rights table of the product brief; timeliness aspects
(`*_promptly`) ask about the Code's time frames.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from app.enums import TOUCHPOINTS

AGENCIES: tuple[str, ...] = ("police", "witness_care", "cps", "courts", "probation")
SEVERAL = "several"  # a right delivered by more than one agency

# Rights that are "to be provided with information": don't know counts as not received.
INFORMATION_RIGHTS: frozenset[int] = frozenset({3, 5, 6, 8, 9, 11})

# Where an aspect asked at every stage is delivered by the agency the victim meets there.
_STAGE_AGENCY: dict[str, str] = {
    "reporting": "police",
    "investigation": "police",
    "outcome": "police",
    "court": "courts",
    "sentence": "witness_care",
}

CHARGED_ONLY = "ask it only if someone was charged"
NOT_CHARGED_ONLY = "ask it only when nobody was charged"
VCS_ONLY = "ask it only when the upload marks vcs_eligible"


@dataclass(frozen=True)
class Aspect:
    right: int
    name: str
    title: str
    description: str
    agencies: Mapping[str, str]  # touchpoint → agency
    needs_show_if: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"victims_code.right_{self.right}.{self.name}"

    @property
    def touchpoints(self) -> frozenset[str]:
        return frozenset(self.agencies)


def _at(agency: str, *touchpoints: str) -> dict[str, str]:
    return {touchpoint: agency for touchpoint in touchpoints}


def _every_stage() -> dict[str, str]:
    return dict(_STAGE_AGENCY)


ASPECTS: tuple[Aspect, ...] = (
    Aspect(1, "understood", "Understood and understood by those dealing with them",
           "Could understand what they were told and be understood (an interpreter if needed).",
           _every_stage()),
    Aspect(2, "recorded_promptly", "Given a crime reference without delay",
           "Was given a crime reference number without delay after reporting.",
           _at("police", "reporting")),
    Aspect(2, "statement_support", "Supported when giving a statement",
           "Was offered support when giving their account (someone with them, breaks, a "
           "choice of how to give it).",
           _at("police", "reporting")),
    Aspect(3, "what_to_expect", "Told what to expect",
           "Was told what would happen next and what to expect from the police.",
           _at("police", "reporting")),
    Aspect(3, "restorative_justice", "Told about restorative justice",
           "Was given information about restorative justice.",
           _at("police", "reporting")),
    Aspect(4, "needs_assessment", "Asked what support they needed",
           "Was asked about their needs, to decide what support would help.",
           _at("police", "reporting")),
    Aspect(4, "referral", "Offered a referral to support services",
           "Was offered a referral to a support service.",
           _at("police", "reporting", "investigation")),
    Aspect(4, "special_measures", "Told about special measures",
           "Was told about special measures that could help them give evidence.",
           _at("police", "investigation")),
    Aspect(5, "compensation_info", "Told about compensation",
           "Was given information about compensation.",
           _at("police", "reporting", "investigation")),
    Aspect(6, "update_frequency_agreed", "Agreed how often to be updated",
           "Agreed with the police how often they would be updated.",
           _at("police", "investigation")),
    Aspect(6, "updates_kept", "Updated as agreed",
           "Was updated as often as agreed.",
           _at("police", "investigation")),
    Aspect(6, "decision_told", "Told the decision",
           "Was told the decision about their case.",
           _at("police", "outcome")),
    Aspect(6, "decision_told_promptly", "Told the decision promptly",
           "Was told the decision within the Code's time frame (a few working days).",
           _at("police", "outcome")),
    Aspect(6, "reasons_understood", "Understood the reasons for the decision",
           "Understood the reasons they were given for the decision.",
           _at("police", "outcome")),
    Aspect(6, "right_to_review", "Told about the Victims' Right to Review",
           "Was told they could ask for the decision to be reviewed.",
           _at("police", "outcome"), {"outcome": NOT_CHARGED_ONLY}),
    Aspect(7, "offered", "Offered a Victim Personal Statement",
           "Was offered the chance to make a Victim Personal Statement.",
           _at("police", "reporting", "investigation", "outcome")),
    Aspect(7, "read_as_wanted", "Statement read as they wanted",
           "Could choose whether their statement was read out in court, and by whom.",
           _at("courts", "sentence")),
    Aspect(8, "trial_info", "Told about the trial and their role",
           "Was told what would happen at the trial and their role as a witness.",
           _at("witness_care", "outcome"), {"outcome": CHARGED_ONLY}),
    Aspect(8, "court_info", "Told what to expect at court",
           "Witness care told them what to expect at court.",
           _at("witness_care", "court")),
    Aspect(8, "trial_date_promptly", "Told the trial date promptly",
           "Witness care told them the trial date soon after it was set.",
           _at("witness_care", "court")),
    Aspect(8, "cps_met", "Met by the prosecutor",
           "The prosecutor (CPS) spoke to them at court before they gave evidence.",
           _at("cps", "court")),
    Aspect(9, "outcome_told", "Told the outcome and sentence",
           "Was told the outcome of the case and the sentence.",
           _at("witness_care", "sentence")),
    Aspect(9, "outcome_told_promptly", "Told the outcome promptly",
           "Was told the outcome within the Code's time frame (a few working days).",
           _at("witness_care", "sentence")),
    Aspect(10, "property_returned", "Property returned or explained",
           "Had property returned, or was told why it was kept and for how long.",
           _at("police", "investigation", "outcome")),
    Aspect(10, "expenses", "Told how to claim expenses",
           "Was told how to claim expenses for going to court.",
           _at("cps", "court")),
    Aspect(11, "vcs_offered", "Offered the Victim Contact Scheme",
           "Was offered information about the offender through the Victim Contact Scheme.",
           _at("probation", "sentence"), {"sentence": VCS_ONLY}),
    Aspect(12, "complaint_info", "Knew how to complain",
           "Knew how to complain if their rights were not met.",
           _every_stage()),
)  # fmt: skip

_BY_ID: dict[str, Aspect] = {aspect.id: aspect for aspect in ASPECTS}


def get_aspect(measure: str) -> Aspect | None:
    return _BY_ID.get(measure)


def aspects_of(right: int) -> tuple[Aspect, ...]:
    return tuple(aspect for aspect in ASPECTS if aspect.right == right)


def right_agency(right: int) -> str:
    """The agency delivering every aspect of a right, or `several`."""
    agencies = {agency for aspect in aspects_of(right) for agency in aspect.agencies.values()}
    return agencies.pop() if len(agencies) == 1 else SEVERAL


def right_agencies(right: int) -> list[str]:
    """The agencies that deliver a right's aspects, in AGENCIES order."""
    found = {agency for aspect in aspects_of(right) for agency in aspect.agencies.values()}
    return [agency for agency in AGENCIES if agency in found]


def aspect_touchpoints(right: int) -> frozenset[str]:
    return frozenset(tp for aspect in aspects_of(right) for tp in aspect.touchpoints)


assert all(set(a.agencies) <= set(TOUCHPOINTS) for a in ASPECTS)
assert all(set(a.agencies.values()) <= set(AGENCIES) for a in ASPECTS)
