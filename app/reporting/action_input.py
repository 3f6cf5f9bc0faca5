"""Checks of an action's fields, for the API and the pages alike (pure, but for today's date).

Each check takes what was sent (JSON values or form strings) and either returns the value to
store or adds a `FieldError` naming the field and the problem; the service raises one
`InvalidInput` with all of them, so nothing is written while any field is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from app import clock
from app.banks import metrics as metric_registry
from app.banks.aspects import AGENCIES
from app.errors import FieldError
from app.reporting import parameters, periods
from app.reporting.redaction import redact_emails, redact_phone_numbers

MAX_ACTION_LENGTH = 1000
MAX_FINDING_LENGTH = 1000
MAX_OWNER_LENGTH = 120
MAX_METRICS = 12
RIGHTS = range(1, 13)
# Listed in the order an action moves through them.
STATUSES: tuple[str, ...] = ("planned", "in_progress", "done")
STATUS_LABELS = {"planned": "Planned", "in_progress": "In progress", "done": "Done"}
EARLIEST_DUE = date(2000, 1, 1)  # a due date before this is a typing slip
LATEST_DUE_YEARS = 10  # nor is one further ahead than this
# The period fields, in pairs: (side, first field, last field).
PERIOD_SIDES = (("before", "before_from", "before_to"), ("after", "after_from", "after_to"))
PERIOD_FIELDS = tuple(name for _, first, last in PERIOD_SIDES for name in (first, last))


class ActionProblem(StrEnum):
    MISSING = "missing"
    TOO_LONG = "too_long"
    CHOICE = "choice"
    FORMAT = "format"
    RANGE = "range"
    ORDER = "order"
    SPAN = "span"
    CONTACT = "contact_details"


def _error(field: str, message: str, kind: str) -> FieldError:
    return FieldError(("body", field), message, kind)


def clean_text(value: Any, errors: list[FieldError]) -> str:
    """What was done: 1 to MAX_ACTION_LENGTH characters once trimmed."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors.append(_error("text", "Enter the text.", ActionProblem.MISSING))
    elif len(text) > MAX_ACTION_LENGTH:
        message = f"At most {MAX_ACTION_LENGTH} characters."
        errors.append(_error("text", message, ActionProblem.TOO_LONG))
    return text


def clean_crime_group(value: Any, errors: list[FieldError]) -> str | None:
    # None, "" and "all": an action for everyone.
    if value in (None, "", "all"):
        return None
    if not isinstance(value, str) or parameters.choice_problem("crime_group", value):
        message = "Use general, rasso, vawg or null."
        errors.append(_error("crime_group", message, parameters.Kind.CHOICE))
        return None
    return value


def _optional_text(
    value: Any, field: str, limit: int, errors: list[FieldError]
) -> tuple[str, bool]:
    if value is None:
        return "", True
    if not isinstance(value, str):
        errors.append(_error(field, "Must be text.", ActionProblem.FORMAT))
        return "", False
    text = value.strip()
    if len(text) > limit:
        errors.append(_error(field, f"At most {limit} characters.", ActionProblem.TOO_LONG))
        return "", False
    return text, True


def clean_finding(value: Any, errors: list[FieldError]) -> str:
    """The finding that prompted the action (optional)."""
    return _optional_text(value, "finding", MAX_FINDING_LENGTH, errors)[0]


def clean_owner(value: Any, errors: list[FieldError]) -> str:
    """A team or role owning the action: never a person's email address or phone number,
    since the log is read by every member of staff and shown beside public figures."""
    owner, ok = _optional_text(value, "owner", MAX_OWNER_LENGTH, errors)
    if ok and (redact_emails(owner) != owner or redact_phone_numbers(owner) != owner):
        message = "Name a team or role, not an email address or phone number."
        errors.append(_error("owner", message, ActionProblem.CONTACT))
        return ""
    return owner


def clean_agency(value: Any, errors: list[FieldError]) -> str | None:
    if value in (None, ""):
        return None
    if value not in AGENCIES:
        message = f"Use one of: {', '.join(AGENCIES)}, or null."
        errors.append(_error("agency", message, ActionProblem.CHOICE))
        return None
    return str(value)


def clean_status(value: Any, errors: list[FieldError]) -> str:
    if value not in STATUSES:
        errors.append(_error("status", f"Use one of: {', '.join(STATUSES)}.", ActionProblem.CHOICE))
        return STATUSES[-1]
    return str(value)


def _is_right(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value in RIGHTS
    # ASCII digits only: int("١") is 1.
    text = str(value).strip()
    return text.isascii() and text.isdecimal() and len(text) <= 2 and int(text) in RIGHTS


def clean_rights(values: Any, errors: list[FieldError]) -> list[int]:
    """Victims' Code rights (1 to 12), sorted, each once."""
    if values in (None, []):
        return []
    if not isinstance(values, list) or not all(_is_right(value) for value in values):
        message = "Rights are whole numbers from 1 to 12."
        errors.append(_error("rights", message, ActionProblem.CHOICE))
        return []
    return sorted({int(value) for value in values})


def clean_metrics(values: Any, errors: list[FieldError]) -> list[str]:
    """Metric ids of GET /metrics, each once, in the order given."""
    if values in (None, []):
        return []
    if not isinstance(values, list) or not all(
        isinstance(value, str) and metric_registry.get_metric(value) for value in values
    ):
        message = "Use metric ids from GET /api/v1/metrics."
        errors.append(_error("metrics", message, ActionProblem.CHOICE))
        return []
    chosen = list(dict.fromkeys(values))
    if len(chosen) > MAX_METRICS:
        message = f"At most {MAX_METRICS} metrics."
        errors.append(_error("metrics", message, ActionProblem.TOO_LONG))
        return []
    return chosen


def clean_due_date(value: Any, errors: list[FieldError]) -> date | None:
    if value in (None, ""):
        return None
    try:
        due = value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    except ValueError:
        errors.append(_error("due_date", "Use a date like 2027-03-31.", ActionProblem.FORMAT))
        return None
    latest = clock.today() + timedelta(days=366 * LATEST_DUE_YEARS)
    if not EARLIEST_DUE <= due <= latest:
        message = f"Use a date from {EARLIEST_DUE.year} to {latest.year}."
        errors.append(_error("due_date", message, ActionProblem.RANGE))
        return None
    return due


def _period_end(value: Any, field: str, errors: list[FieldError], *, last: bool) -> date | None:
    if not isinstance(value, str):
        message = "Use a month like 2026-07 or a quarter like 2026-Q3."
        errors.append(_error(field, message, ActionProblem.FORMAT))
        return None
    try:
        bounds = periods.parse_period(value)
    except ValueError as exc:
        errors.append(_error(field, str(exc), ActionProblem.FORMAT))
        return None
    return bounds[1] if last else bounds[0]


def clean_period(
    first: Any, last: Any, names: tuple[str, str], errors: list[FieldError]
) -> tuple[str | None, str | None, tuple[date, date] | None]:
    """A report period: both ends empty, or `from` (with `to` defaulting to it), ordered and
    bounded like every report period. Returns the stored labels and the months."""
    if first in (None, "") and last in (None, ""):
        return None, None, None
    if first in (None, ""):
        errors.append(_error(names[0], "Enter the first month or quarter.", ActionProblem.MISSING))
        return None, None, None
    last = first if last in (None, "") else last
    start = _period_end(first, names[0], errors, last=False)
    end = _period_end(last, names[1], errors, last=True)
    if start is None or end is None:
        return None, None, None
    span = parameters.span_problems(start, end)
    for problem in span:
        errors.append(_error(names[1], problem.message, problem.kind))
    if span:
        return None, None, None
    return str(first).strip(), str(last).strip(), (start, end)


def check_period_order(
    before: tuple[date, date] | None, after: tuple[date, date] | None, errors: list[FieldError]
) -> None:
    """The figure after an action is measured over a period that starts after the one before."""
    if before is not None and after is not None and after[0] <= before[1]:
        message = "The period after must start after the period before ends."
        errors.append(_error("after_from", message, ActionProblem.ORDER))


def clean_fields(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[FieldError]]:
    """The stored value of every field of an action, from a whole set of values (a new
    action's, or a stored one's with the changes laid over it), and the errors found."""
    errors: list[FieldError] = []
    cleaned: dict[str, Any] = {
        "text": clean_text(values.get("text"), errors),
        "crime_group": clean_crime_group(values.get("crime_group"), errors),
        "finding": clean_finding(values.get("finding"), errors),
        "owner": clean_owner(values.get("owner"), errors),
        "agency": clean_agency(values.get("agency"), errors),
        "status": clean_status(values.get("status", STATUSES[-1]), errors),
        "rights": clean_rights(values.get("rights"), errors),
        "metrics": clean_metrics(values.get("metrics"), errors),
        "due_date": clean_due_date(values.get("due_date"), errors),
    }
    months: dict[str, tuple[date, date] | None] = {}
    for side, first, last in PERIOD_SIDES:
        cleaned[first], cleaned[last], months[side] = clean_period(
            values.get(first), values.get(last), (first, last), errors
        )
    check_period_order(months["before"], months["after"], errors)
    return cleaned, errors
