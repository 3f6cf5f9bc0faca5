"""When messages may be sent: dispatch delay, quiet hours (Europe/London), reminders, expiry.

Pure functions on aware UTC datetimes; no database, no settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
_QUIET_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A local (Europe/London) window with no messages; `start > end` wraps past midnight."""

    start: time
    end: time

    def contains(self, local: time) -> bool:
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_quiet_hours(value: str) -> QuietHours | None:
    """`"20:00-09:00"` → QuietHours; `"none"` (or empty) → None. Raises ValueError otherwise."""
    if value.strip().lower() in ("", "none", "off"):
        return None
    match = _QUIET_RE.match(value)
    if not match:
        raise ValueError("VV_QUIET_HOURS must look like 20:00-09:00, or be none")
    sh, sm, eh, em = (int(part) for part in match.groups())
    return QuietHours(time(sh, sm), time(eh, em))


def _london_to_utc(day: date, at: time) -> datetime:
    # A wall time that does not exist (the spring gap) resolves to the instant an hour
    # later in wall terms; one that happens twice (autumn) resolves to the first (fold=0).
    local = datetime.combine(day, at, tzinfo=LONDON)
    return local.astimezone(UTC)


def next_send_time(earliest: datetime, quiet: QuietHours | None) -> datetime:
    """The first instant at or after `earliest` (aware) outside quiet hours, in UTC."""
    moment = earliest.astimezone(UTC)
    if quiet is None:
        return moment
    # Two steps at most: leaving one window can't land in the next, but a wall time made
    # odd by a clock change is checked again rather than trusted.
    for _ in range(3):
        local = moment.astimezone(LONDON)
        if not quiet.contains(local.time().replace(tzinfo=None)):
            return moment
        day = local.date()
        if quiet.start > quiet.end and local.time() >= quiet.start:
            day += timedelta(days=1)
        candidate = _london_to_utc(day, quiet.end)
        moment = candidate if candidate > moment else moment + timedelta(minutes=1)
    return moment


def first_due_at(touchpoint_date: date, *, delay_days: int, quiet: QuietHours | None) -> datetime:
    """When the invitation may first be sent: local midnight of the touchpoint date plus the
    delay, moved out of quiet hours."""
    start = _london_to_utc(touchpoint_date + timedelta(days=delay_days), time(0, 0))
    return next_send_time(start, quiet)


def link_expires_at(first_sent_at: datetime, *, ttl_days: int) -> datetime:
    return first_sent_at.astimezone(UTC) + timedelta(days=ttl_days)


def reminder_due_at(
    first_sent_at: datetime,
    *,
    after_days: int,
    quiet: QuietHours | None,
    expires_at: datetime,
    margin: timedelta = timedelta(days=1),
) -> datetime | None:
    """When the one reminder is due, or None when it would come too close to expiry.

    A reminder less than `margin` before the link ends would invite someone to a survey
    they could not finish.
    """
    if after_days <= 0:
        return None
    due = next_send_time(first_sent_at.astimezone(UTC) + timedelta(days=after_days), quiet)
    if due >= expires_at.astimezone(UTC) - margin:
        return None
    return due
