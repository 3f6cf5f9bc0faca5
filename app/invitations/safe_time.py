"""The `safe_time` of a batch row: when, in UK time, a message may reach the victim safely.

The grammar is fixed and small, so that a force's system can write it and nothing is guessed:

    Mon-Fri 10:00-16:00; Sat 09:00-12:00

Windows are separated by `;`. Each is a day (`Mon` … `Sun`) or a range of days (`Mon-Fri`,
first day before the last), one or more spaces, then a 24-hour time range `HH:MM-HH:MM` that
ends after it starts on the same day (00:00 to 23:59; no window past midnight: write two).
Day names are read in any case. Anything else is refused with what is wrong, never the value.
Pure: no database, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

EXPECTED_FORM = (
    "days and 24-hour UK times such as Mon-Fri 10:00-16:00; Sat 09:00-12:00 "
    "(days Mon to Sun, a day or a range of days, windows separated by ;)"
)
MAX_SAFE_TIME_CHARS = 300
MAX_WINDOWS = 14
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX = {name.lower(): index for index, name in enumerate(DAYS)}
_WINDOW_RE = re.compile(
    r"^([A-Za-z]{3})(?:-([A-Za-z]{3}))? +([0-9]{2}):([0-9]{2})-([0-9]{2}):([0-9]{2})$",
    re.ASCII,
)


class SafeTimeError(ValueError):
    """The text is not in the grammar; the message says what is wrong (never the value)."""


@dataclass(frozen=True, slots=True)
class SafeWindow:
    """Days (0 = Monday) and a time range within each, in Europe/London wall time."""

    first_day: int
    last_day: int
    start: time
    end: time

    def days(self) -> range:
        return range(self.first_day, self.last_day + 1)

    def text(self) -> str:
        days = DAYS[self.first_day]
        if self.last_day != self.first_day:
            days += "-" + DAYS[self.last_day]
        return f"{days} {self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class SafeTime:
    windows: tuple[SafeWindow, ...]

    def text(self) -> str:
        """The canonical spelling (what is stored, encrypted)."""
        return "; ".join(window.text() for window in self.windows)

    def windows_on(self, weekday: int) -> list[tuple[time, time]]:
        """The (start, end) ranges of one weekday, earliest first."""
        return sorted((w.start, w.end) for w in self.windows if weekday in w.days())

    def contains(self, local: datetime) -> bool:
        """Whether a London wall time (naive or aware in Europe/London) is inside a window."""
        at = local.time().replace(tzinfo=None)
        return any(start <= at < end for start, end in self.windows_on(local.weekday()))


def _problem(number: int, total: int, what: str) -> SafeTimeError:
    where = f"window {number}: " if total > 1 else ""
    return SafeTimeError(f"must be {EXPECTED_FORM}; {where}{what}")


def _day(name: str, number: int, total: int) -> int:
    index = _DAY_INDEX.get(name.lower())
    if index is None:
        raise _problem(number, total, "a day must be one of Mon, Tue, Wed, Thu, Fri, Sat, Sun")
    return index


def _clock(hours: str, minutes: str, number: int, total: int) -> time:
    hour, minute = int(hours), int(minutes)
    if hour > 23 or minute > 59:
        raise _problem(number, total, "a time must be from 00:00 to 23:59")
    return time(hour, minute)


def _window(text: str, number: int, total: int) -> SafeWindow:
    match = _WINDOW_RE.match(text)
    if match is None:
        raise _problem(number, total, "it is not a day or day range followed by HH:MM-HH:MM")
    first_name, last_name, sh, sm, eh, em = match.groups()
    first = _day(first_name, number, total)
    last = first if last_name is None else _day(last_name, number, total)
    if last <= first and last_name is not None:
        raise _problem(number, total, "a day range must run forwards, such as Mon-Fri")
    start, end = _clock(sh, sm, number, total), _clock(eh, em, number, total)
    if end <= start:
        raise _problem(number, total, "a time range must end after it starts, on the same day")
    return SafeWindow(first, last, start, end)


def parse_safe_time(text: str) -> SafeTime:
    """Parse the grammar above; SafeTimeError saying what is wrong."""
    if not isinstance(text, str):
        raise SafeTimeError(f"must be text: {EXPECTED_FORM}")
    if len(text) > MAX_SAFE_TIME_CHARS:
        raise SafeTimeError(f"must be at most {MAX_SAFE_TIME_CHARS} characters: {EXPECTED_FORM}")
    parts = [part.strip() for part in text.split(";")]
    if len(parts) > MAX_WINDOWS:
        raise SafeTimeError(f"must have at most {MAX_WINDOWS} windows: {EXPECTED_FORM}")
    if any(not part for part in parts):
        raise SafeTimeError(f"must be {EXPECTED_FORM}; a window is empty (check the ;)")
    return SafeTime(tuple(_window(part, n, len(parts)) for n, part in enumerate(parts, 1)))
