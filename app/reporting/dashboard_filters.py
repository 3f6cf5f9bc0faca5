"""The dashboard's filters: read from its GET form, checked, and offered back as choices."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlencode

from app.banks.metrics import METRICS, get_metric
from app.enums import Mode
from app.errors import FieldError, PageTexts
from app.reporting import parameters, periods
from app.reporting.cells import NOT_OFFERED
from app.reporting.figure_text import (
    CRIME_GROUP_LABELS,
    TOUCHPOINT_LABELS,
    crime_group_label,
    touchpoint_label,
)
from app.reporting.offered import OTHER_AREAS
from app.reporting.parameters import Kind, Problem

DEFAULT_METRIC = "satisfaction.overall"
# How a response was given (app.enums.Mode), in the dashboard's words.
MODE_LABELS: dict[str, str] = {
    Mode.alone.value: "Answered alone",
    Mode.assisted.value: "Answered with a support worker",
}
DEFAULT_QUARTERS = 4


@dataclass(frozen=True)
class DashboardFilters:
    period_from: str
    period_to: str
    crime_group: str | None = None
    touchpoint: str | None = None
    area: str | None = None
    metric: str = DEFAULT_METRIC
    mode: str | None = None  # self or assisted (app.enums.Mode); None: both

    def aggregate_filters(self) -> dict[str, str | None]:
        """The filters of the figures that count responses."""
        return {**self.invitation_filters(), "mode": self.mode}

    def invitation_filters(self) -> dict[str, str | None]:
        """The filters of the funnel: invitations have no mode (the funnel refuses one)."""
        return {"crime_group": self.crime_group, "touchpoint": self.touchpoint, "area": self.area}

    def api_query(self, *, invitations: bool = False, **extra: str) -> str:
        """Query string for the aggregates API with these filters (and `extra`); for the
        funnel's API (`invitations`), without the mode."""
        chosen = self.invitation_filters() if invitations else self.aggregate_filters()
        values: dict[str, str] = {"from": self.period_from, "to": self.period_to}
        values.update({k: v for k, v in chosen.items() if v})
        values.update(extra)
        return urlencode(values)

    def quarters(self) -> list[str]:
        """Labels of the quarters the (checked) period touches, in order."""
        first = periods.parse_period(self.period_from)[0]
        last = periods.parse_period(self.period_to)[1]
        return periods.quarters_between(first, last)

    def description(self, *, invitations: bool = False) -> str:
        """The filters in words; for the funnel (`invitations`), without the mode."""
        parts = [f"{self.period_from} to {self.period_to}"]
        if self.crime_group:
            parts.append(crime_group_label(self.crime_group))
        if self.touchpoint:
            parts.append(touchpoint_label(self.touchpoint))
        if self.area:
            parts.append(f"area {self.area}")
        if self.mode and not invitations:
            parts.append(MODE_LABELS[self.mode].lower())
        return ", ".join(parts)


def default_period(today: date) -> tuple[str, str]:
    """The last four calendar quarters, this one included."""
    current = periods.quarter_label(today)
    return periods.quarter_label_offset(current, -(DEFAULT_QUARTERS - 1)), current


# The staff pages' words for a crime group or touchpoint not in its list.
CHOICE_TEXTS: PageTexts = {
    ("crime_group", Kind.CHOICE): ("Choose a crime group from the list", "crime_group"),
    ("touchpoint", Kind.CHOICE): ("Choose a touchpoint from the list", "touchpoint"),
    ("mode", Kind.CHOICE): ("Choose how the survey was answered from the list", "mode"),
}
# The dashboard's words for each problem, and the field its error summary links to.
PAGE_TEXTS: PageTexts = {
    ("from", Kind.FORMAT): ("Enter a start like 2026-Q1 or 2026-01", "from"),
    ("to", Kind.FORMAT): ("Enter an end like 2026-Q4 or 2026-12", "to"),
    ("to", Kind.ORDER): ("The start must be before the end", "from"),
    ("to", Kind.SPAN): (
        f"Choose a period of at most {periods.MAX_FINANCIAL_YEARS} financial years "
        "(April to March)",
        "from",
    ),
    **CHOICE_TEXTS,
}

# The dashboard's words for the one filter checked against the data.
DATA_TEXTS: PageTexts = {
    ("area", NOT_OFFERED): (
        f"Enter an area reported on its own in this period, or “{OTHER_AREAS}”",
        "area",
    ),
}


def area_not_offered(errors: Sequence[FieldError]) -> bool:
    """Whether the errors say the area filter names an area not reported on its own."""
    return any((error.field, error.kind) == ("area", NOT_OFFERED) for error in errors)


def _period(params: Mapping[str, str], today: date) -> tuple[str, str, list[Problem]]:
    """The period asked for, blanks filled by the default; a side that does not parse falls
    back to its default, and a period out of order or too long falls back as a whole."""
    default_from, default_to = default_period(today)
    period_from = (params.get("from") or "").strip() or default_from
    period_to = (params.get("to") or "").strip() or default_to
    first, last, problems = parameters.parse_bounds(period_from, period_to)
    if first is None:
        period_from = default_from
    if last is None:
        period_to = default_to
    if first and last and (span := parameters.span_problems(first, last)):
        problems += span
        period_from, period_to = default_from, default_to
    return period_from, period_to, problems


def _area(params: Mapping[str, str], errors: list[dict[str, str]]) -> str | None:
    area = (params.get("area") or "").strip() or None
    if (
        area
        and area != OTHER_AREAS
        and (len(area) > 32 or not area.replace("-", "").replace("_", "").isalnum())
    ):
        errors.append({"text": "Enter an area code of letters and numbers", "href": "#area"})
        return None
    return area


def _metric(params: Mapping[str, str], errors: list[dict[str, str]]) -> str:
    metric = params.get("metric") or DEFAULT_METRIC
    if get_metric(metric) is None:
        errors.append({"text": "Choose a measure from the list", "href": "#metric"})
        return DEFAULT_METRIC
    return metric


def parse_mode(params: Mapping[str, str]) -> tuple[str | None, list[Problem]]:
    """The `mode` a staff page's form chose (self or assisted), or None for both; a value not
    in the list is dropped with a problem."""
    mode = (params.get("mode") or "").strip() or None
    if problem := parameters.choice_problem("mode", mode):
        return None, [problem]
    return mode, []


def parse_dashboard_filters(
    params: Mapping[str, str], today: date
) -> tuple[DashboardFilters, list[dict[str, str]]]:
    """Filters from the GET form; invalid values fall back to defaults with an error each."""
    period_from, period_to, period_problems = _period(params, today)
    choices, choice_problems = parameters.parse_choices(params)
    mode, mode_problems = parse_mode(params)
    choice_problems += mode_problems
    errors = parameters.error_summary([*period_problems, *choice_problems], PAGE_TEXTS)
    area = _area(params, errors)
    metric = _metric(params, errors)
    filters = DashboardFilters(
        period_from=period_from,
        period_to=period_to,
        crime_group=choices["crime_group"],
        touchpoint=choices["touchpoint"],
        area=area,
        metric=metric,
        mode=mode,
    )
    return filters, errors


def filter_options(filters: DashboardFilters) -> dict[str, list[dict[str, Any]]]:
    """Items for the filter form's selects, with the current choice selected."""

    def items(
        pairs: Sequence[tuple[str, str]], chosen: str | None, blank: str | None
    ) -> list[dict[str, Any]]:
        result = [{"value": "", "text": blank, "selected": chosen is None}] if blank else []
        result += [{"value": v, "text": t, "selected": v == chosen} for v, t in pairs]
        return result

    return {
        "crime_group": items(list(CRIME_GROUP_LABELS.items()), filters.crime_group, "All"),
        "touchpoint": items(list(TOUCHPOINT_LABELS.items()), filters.touchpoint, "All"),
        "mode": items(list(MODE_LABELS.items()), filters.mode, "All"),
        "metric": items([(m.id, m.title) for m in METRICS], filters.metric, None),
    }
