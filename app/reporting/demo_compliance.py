"""Demo self-assessments: the force's own figures per right × agency × quarter, seeded through
the same service as `PUT /self-assessments/{period}`, so the compliance view shows a gap.

The agencies' rates run higher than the victims' (app/reporting/demo_responses.py), most of all
for the rights victims rarely say were met: the pattern the OPCC's board is there to question.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app import clock
from app.banks.aspects import right_agencies
from app.reporting import periods
from app.reporting.demo_responses import demo_quarters
from app.reporting.models import SelfAssessmentEntry
from app.reporting.self_assessments import RIGHTS, save_self_assessment

ACTOR = "demo"
SEED = 14
# The agencies' own compliance rate per right, before a small rise each quarter.
FORCE_RATE = {
    1: 0.94, 2: 0.91, 3: 0.88, 4: 0.86, 5: 0.83, 6: 0.85,
    7: 0.9, 8: 0.87, 9: 0.92, 10: 0.8, 11: 0.84, 12: 0.78,
}  # fmt: skip
DEFINITIONS = {
    "police": "Crimes where the victim's record shows the right was given, of crimes recorded.",
    "witness_care": "Victims and witnesses with the right recorded by the Witness Care Unit.",
    "cps": "Cases with the CPS victim communication sent on time, of cases charged.",
    "courts": "Hearings where the court recorded the right as met, of hearings listed.",
    "probation": "Victim Contact Scheme cases with the right recorded, of eligible cases.",
}
METHODS = {
    "police": "Dip sample of crime records, 10% of the quarter's crimes.",
    "witness_care": "Witness Care Unit case system, every case of the quarter.",
    "cps": "CPS case management system report for the quarter.",
    "courts": "HMCTS listing data for the quarter.",
    "probation": "Probation victim liaison records for the quarter.",
}


def _rag(rate: float) -> str:
    return "green" if rate >= 0.9 else "amber" if rate >= 0.8 else "red"


def quarter_entries(index: int, rng: random.Random) -> list[dict[str, Any]]:
    """One quarter's entries, every right × agency delivering it (pure)."""
    entries: list[dict[str, Any]] = []
    for right in RIGHTS:
        for agency in right_agencies(right):
            denominator = rng.randrange(180, 900)
            rate = min(0.99, FORCE_RATE[right] + 0.006 * index + rng.uniform(-0.03, 0.03))
            entries.append(
                {
                    "right": right,
                    "agency": agency,
                    "numerator": round(rate * denominator),
                    "denominator": denominator,
                    "definition": DEFINITIONS[agency],
                    "method": METHODS[agency],
                    "rag": _rag(rate),
                    "narrative": _narrative(right, rate),
                }
            )
    return entries


def _narrative(right: int, rate: float) -> str:
    if rate >= 0.9:
        return f"Right {right} is consistently met; the dip sample found few gaps."
    if rate >= 0.8:
        return f"Right {right} is mostly met; gaps are being addressed through supervision."
    return f"Right {right} falls short; an improvement plan is with the Victims Commission."


def seed_demo_self_assessments(session: Session, *, today: date | None = None) -> str:
    """Each of the demo's quarters that has no entries yet gets a full set (idempotent)."""
    rng = random.Random(SEED)
    seeded = []
    for index, first in enumerate(demo_quarters(today or clock.today())):
        period = periods.quarter_label(first)
        entries = quarter_entries(index, rng)
        if session.exec(
            select(SelfAssessmentEntry.id).where(SelfAssessmentEntry.period == period)
        ).first():
            continue
        rights = {
            str(right): round(
                sum(e["numerator"] for e in entries if e["right"] == right)
                / sum(e["denominator"] for e in entries if e["right"] == right),
                3,
            )
            for right in RIGHTS
        }
        save_self_assessment(
            session, period=period, body={"rights": rights, "entries": entries}, actor=ACTOR
        )
        seeded.append(period)
    if not seeded:
        return "self-assessments: already seeded"
    return f"self-assessments: {', '.join(seeded)} (every right × agency)"
