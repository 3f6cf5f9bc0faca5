"""Period, crime-group and touchpoint parameters, checked in one place for the API and the pages.

A check returns `Problem`s naming the parameter and what is wrong with it. They are the app's
field errors (`Problem.field_error`, see app.errors): the API shows them as problem+json field
errors in the wording below; a page shows them as a GOV.UK error summary in its own words
(`error_summary`), each linking to its field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from app import errors
from app.enums import CRIME_GROUPS, MODES, TOUCHPOINTS
from app.reporting import periods


class Kind(StrEnum):
    FORMAT = "format"  # not YYYY-MM or YYYY-Qn
    ORDER = "order"  # the end is before the start
    SPAN = "span"  # more financial years than a query may cover
    CHOICE = "choice"  # not one of the listed values


@dataclass(frozen=True)
class Problem:
    field: str
    kind: Kind
    message: str

    def field_error(self, location: str = "query") -> errors.FieldError:
        return errors.FieldError((location, self.field), self.message, self.kind)

    def api_error(self, location: str = "query") -> dict[str, Any]:
        return self.field_error(location).as_problem()


# The values a choice parameter takes, and how the API names them when one is wrong.
CHOICES: dict[str, tuple[frozenset[str], str]] = {
    "crime_group": (
        frozenset(CRIME_GROUPS),
        "Use general, rasso or vawg.",
    ),
    "touchpoint": (
        frozenset(TOUCHPOINTS),
        "Use reporting, investigation, outcome, court or sentence.",
    ),
    "mode": (
        frozenset(MODES),
        "Use self (answered alone) or assisted (answered with a support worker).",
    ),
}


def parse_bounds(
    period_from: str | None, period_to: str | None
) -> tuple[date | None, date | None, list[Problem]]:
    """First month of `from` and last month of `to` (YYYY-MM or YYYY-Qn); None when not given
    or malformed, with a FORMAT problem for each malformed one."""
    problems: list[Problem] = []
    first = last = None
    if period_from:
        try:
            first = periods.parse_period(period_from)[0]
        except ValueError as exc:
            problems.append(Problem("from", Kind.FORMAT, str(exc)))
    if period_to:
        try:
            last = periods.parse_period(period_to)[1]
        except ValueError as exc:
            problems.append(Problem("to", Kind.FORMAT, str(exc)))
    return first, last, problems


def parse_quarter(value: str, field: str = "period") -> str | Problem:
    """One quarter (YYYY-Qn) as it is stored, without surrounding spaces (so that saving and
    reading a spelling with spaces agree), or a FORMAT problem."""
    try:
        periods.parse_quarter(value)
    except ValueError as exc:
        return Problem(field, Kind.FORMAT, str(exc))
    return value.strip()


def span_problems(first: date, last: date) -> list[Problem]:
    """An ORDER problem when `last` is before `first`, a SPAN problem when the period touches
    more than MAX_FINANCIAL_YEARS financial years."""
    if first > last:
        return [Problem("to", Kind.ORDER, "The end of the period is before its start.")]
    if periods.financial_years_spanned(first, last) > periods.MAX_FINANCIAL_YEARS:
        return [
            Problem(
                "to",
                Kind.SPAN,
                f"A period can cover at most {periods.MAX_FINANCIAL_YEARS} "
                "financial years (April to March).",
            )
        ]
    return []


def choice_problem(name: str, value: str | None) -> Problem | None:
    """A CHOICE problem when `value` is given but is not one of `name`'s listed values."""
    allowed, message = CHOICES[name]
    if value and value not in allowed:
        return Problem(name, Kind.CHOICE, message)
    return None


def parse_choices(params: Mapping[str, str]) -> tuple[dict[str, str | None], list[Problem]]:
    """Crime group and touchpoint; a value not in its list is dropped with a problem."""
    values: dict[str, str | None] = {
        name: params.get(name) or None for name in ("crime_group", "touchpoint")
    }
    problems = [
        problem
        for name, value in values.items()
        if (problem := choice_problem(name, value)) is not None
    ]
    for problem in problems:
        values[problem.field] = None
    return values, problems


def error_summary(problems: Iterable[Problem], texts: errors.PageTexts) -> list[dict[str, str]]:
    """GOV.UK error summary items: `texts` maps (field, kind) to the page's (text, anchor)."""
    return errors.error_summary([problem.field_error() for problem in problems], texts)
