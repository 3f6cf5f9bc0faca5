"""The Victims' Code comparison as a table (dashboard and report): a row per right, then a row
per delivering agency under a right several agencies deliver, each with the victims' rate,
interval, don't-know share (information rights), count, the agency's own figure and the
verdict on the gap: a called gap, "no clear difference", or not compared."""

from __future__ import annotations

from typing import Any

from app.banks.aspects import INFORMATION_RIGHTS, SEVERAL, right_agency
from app.reporting.compliance_gap import HIGHER, LOWER, NO_CLEAR_DIFFERENCE
from app.reporting.disclosure import LOW_BASE
from app.reporting.figure_text import (
    count_text,
    interval_text,
    percent,
    points,
    suppressed_cell,
    text_cell,
)
from app.reporting.victims_code import RIGHTS, RightPart, RightRow, VictimsCodeView

AGENCY_LABELS = {
    "police": "Police",
    "witness_care": "Witness care",
    "cps": "CPS",
    "courts": "Courts",
    "probation": "Probation",
    "several": "Several agencies",
}

# The first six columns keep their place from before issue 14 (the report reads them too).
HEAD = [
    {"text": "Right"},
    {"text": "Victims say", "format": "numeric"},
    {"text": "95% interval", "format": "numeric"},
    {"text": "Responses", "format": "numeric"},
    {"text": "Self-assessment", "format": "numeric"},
    {"text": "Gap", "format": "numeric"},
]

NO_CLEAR = "No clear difference"


def force_text(item: RightRow | RightPart, agency: str | None = None) -> str:
    """The agency's figure, with its base when its entries gave one (and, on a right one
    agency delivers, whose figure it is)."""
    if item.force_rate is None:
        return "Not given"
    if item.force_denominator:
        base = f"{item.force_numerator or 0:,} of {item.force_denominator:,}"
        text = f"{percent(item.force_rate)} ({base})"
        return f"{AGENCY_LABELS[agency]}: {text}" if agency in AGENCY_LABELS else text
    return percent(item.force_rate)  # a bare rate: no base given


def verdict_text(item: RightRow | RightPart) -> str:
    """The gap as the view may state it: only a called gap is given as a number."""
    if item.suppressed or item.force_rate is None:
        return ""
    if item.low_base:
        return "Not compared"
    if item.gap_call in (HIGHER, LOWER):
        side = "more" if item.gap_call == HIGHER else "less"
        text = f"{points(item.gap)}: victims report it {side} often"
        if item.gap_ci_low is not None and item.gap_ci_high is not None:
            text += f" (95% interval {points(item.gap_ci_low)} to {points(item.gap_ci_high)})"
        return text
    if item.gap_call == NO_CLEAR_DIFFERENCE:
        return NO_CLEAR
    return ""


def rate_text(item: RightRow | RightPart, information: bool) -> str:
    """The victims' rate; beside it, for an information right, the don't-know share."""
    text = percent(item.rate)
    if information and item.dont_know is not None:
        text += f" (don't know {percent(item.dont_know)})"
    return text


def _row(
    label: str, item: RightRow | RightPart, information: bool, agency: str | None = None
) -> list[dict[str, Any]]:
    if item.suppressed:
        victims: list[dict[str, Any]] = [suppressed_cell(3)]
    else:
        victims = [
            text_cell(rate_text(item, information), numeric=True),
            text_cell(interval_text(item.ci_low, item.ci_high), numeric=True),
            text_cell(count_text(item.n, low_base=item.low_base), numeric=True),
        ]
    return [
        {"text": label},
        *victims,
        text_cell(force_text(item, agency), numeric=True),
        text_cell(verdict_text(item), numeric=True),
    ]


def comparison_rows(view: VictimsCodeView) -> list[list[dict[str, Any]]]:
    rows: list[list[dict[str, Any]]] = []
    for row in view.rights:
        information = row.right in INFORMATION_RIGHTS
        single = None if row.agency == SEVERAL else row.agency
        rows.append(_row(f"{row.right}. {row.title}", row, information, single))
        for part in row.parts or []:
            label = f"{row.right}. Delivered by {AGENCY_LABELS.get(part.agency, part.agency)}"
            if part.touchpoints:
                label += f" (at {', '.join(part.touchpoints)})"
            rows.append(_row(label, part, information))
    return rows


def delivered_text() -> str:
    """Who delivers each right, from the aspects' data (app.banks.aspects)."""
    by_agency: dict[str, list[str]] = {}
    for right in RIGHTS:
        by_agency.setdefault(right_agency(right), []).append(str(right))
    parts = [
        f"right{'s' if len(numbers) > 1 else ''} {', '.join(numbers)}: "
        f"{AGENCY_LABELS[agency] if agency == 'cps' else AGENCY_LABELS[agency].lower()}"
        for agency, numbers in by_agency.items()
    ]
    return (
        "Who delivers each right: " + "; ".join(parts) + ". A right several agencies deliver "
        "has a row per agency (CPS: Crown Prosecution Service)."
    )


def comparison_notes(view: VictimsCodeView) -> list[str]:
    return [
        view.comparisons_text,
        "A gap (victims' rate minus the agency's figure, in percentage points) is given only "
        "when the 95% interval of the difference excludes zero (Newcombe's method, from the "
        "victims' published counts and the agency's numerator and denominator) and the "
        f"victims' figure has at least {LOW_BASE} responses. Where the agency gave a rate "
        "with no base, a gap is given only when that rate lies outside the victims' interval. "
        f'Otherwise the table says "{NO_CLEAR.lower()}".',
        "For the information rights, the share who answered don't know is shown beside the "
        "rate: it counts as not received.",
        delivered_text() + " Its victims' figure counts the answers given where that agency "
        "delivers the right, beside that agency's own figure.",
    ]
