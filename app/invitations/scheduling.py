"""When messages may be sent: dispatch delay, quiet hours (Europe/London), the row's safe time,
reminders, expiry.

Pure functions on aware UTC datetimes; no database, no settings (VV_QUIET_HOURS is parsed in
app/setting_values.py, a safe time in app/invitations/safe_time.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.invitations.safe_time import SafeTime
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


# A reminder goes at least this long before the link ends (or not at all).
REMINDER_MARGIN = timedelta(days=1)


def reminder_due_at(
    first_sent_at: datetime,
    *,
    after_days: int,
    quiet: QuietHours | None,
    expires_at: datetime,
    margin: timedelta = REMINDER_MARGIN,
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


def in_sending_window(at: datetime, *, quiet: QuietHours | None, safe: SafeTime | None) -> bool:
    """Whether a message may go at `at`: outside quiet hours and inside the safe time (if any)."""
    local = at.astimezone(LONDON)
    if quiet is not None and quiet.contains(local.time().replace(tzinfo=None)):
        return False
    return safe is None or safe.contains(local)


def next_sending_time(
    earliest: datetime, *, quiet: QuietHours | None, safe: SafeTime | None, until: datetime
) -> datetime | None:
    """The first instant at or after `earliest`, before `until`, inside the safe time (when
    given) and outside quiet hours; None when there is none (then nothing is sent).

    Each window is placed on its own London date, so a window keeps its wall-clock hours across
    a change of the clocks.
    """
    moment, until = earliest.astimezone(UTC), until.astimezone(UTC)
    if safe is None:
        due = next_send_time(moment, quiet)
        return due if due < until else None
    day = moment.astimezone(LONDON).date()
    while day <= until.astimezone(LONDON).date():
        for start, end in safe.windows_on(day.weekday()):
            low = max(_london_to_utc(day, start), moment)
            high = min(_london_to_utc(day, end), until)
            if low >= high:
                continue
            due = next_send_time(low, quiet)
            # Checked again on the wall clock: a time made odd by a clock change is not trusted.
            if due < high and in_sending_window(due, quiet=quiet, safe=safe):
                return due
        day += timedelta(days=1)
    return None
