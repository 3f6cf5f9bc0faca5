"""When messages may be sent: dispatch delay, quiet hours (Europe/London), reminders, expiry.

Pure functions on aware UTC datetimes; no database, no settings (VV_QUIET_HOURS is parsed in
app/setting_values.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.setting_values import QuietHours

LONDON = ZoneInfo("Europe/London")


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
