"""Quiet hours and reminders, across both clock changes (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from app.invitations.scheduling import (
    LONDON,
    first_due_at,
    next_send_time,
    reminder_due_at,
)
from app.setting_values import parse_quiet_hours

QUIET = parse_quiet_hours("20:00-09:00")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_parse_quiet_hours() -> None:
    assert parse_quiet_hours("none") is None
    assert parse_quiet_hours("NONE") is None
    assert QUIET is not None and QUIET.start.hour == 20 and QUIET.end.hour == 9
    with pytest.raises(ValueError):
        parse_quiet_hours("8pm to 9am")


def test_outside_quiet_hours_unchanged() -> None:
    # 12:00 UTC in winter is 12:00 in London.
    assert next_send_time(utc(2026, 1, 15, 12, 0), QUIET) == utc(2026, 1, 15, 12, 0)


def test_evening_moves_to_next_morning_winter() -> None:
    assert next_send_time(utc(2026, 1, 15, 21, 30), QUIET) == utc(2026, 1, 16, 9, 0)


def test_early_morning_moves_to_same_morning_summer() -> None:
    # 06:00 UTC in July is 07:00 BST; 09:00 BST is 08:00 UTC.
    assert next_send_time(utc(2026, 7, 1, 6, 0), QUIET) == utc(2026, 7, 1, 8, 0)


def test_summer_evening_uses_local_time() -> None:
    # 19:30 UTC in July is 20:30 BST: quiet.
    assert next_send_time(utc(2026, 7, 1, 19, 30), QUIET) == utc(2026, 7, 2, 8, 0)
    # 18:59 UTC is 19:59 BST: allowed.
    assert next_send_time(utc(2026, 7, 1, 18, 59), QUIET) == utc(2026, 7, 1, 18, 59)


def test_march_clock_change() -> None:
    # Clocks go forward at 01:00 UTC on Sunday 29 March 2026. A message held from the
    # Saturday evening goes at 09:00 BST = 08:00 UTC on the Sunday.
    moved = next_send_time(utc(2026, 3, 28, 21, 0), QUIET)
    assert moved == utc(2026, 3, 29, 8, 0)
    assert moved.astimezone(LONDON).hour == 9


def test_october_clock_change() -> None:
    # Clocks go back at 01:00 UTC on Sunday 25 October 2026: 09:00 GMT = 09:00 UTC.
    moved = next_send_time(utc(2026, 10, 24, 19, 30), QUIET)  # 20:30 BST on Saturday
    assert moved == utc(2026, 10, 25, 9, 0)
    assert moved.astimezone(LONDON).hour == 9
    # The repeated hour (01:00-02:00 local twice) is quiet both times.
    assert next_send_time(utc(2026, 10, 25, 0, 30), QUIET) == utc(2026, 10, 25, 9, 0)
    assert next_send_time(utc(2026, 10, 25, 1, 30), QUIET) == utc(2026, 10, 25, 9, 0)


def test_quiet_window_ending_in_the_spring_gap() -> None:
    # 00:30-01:30 local ends inside the missing hour on 29 March: send at 02:30 BST.
    quiet = parse_quiet_hours("00:30-01:30")
    moved = next_send_time(utc(2026, 3, 29, 0, 45), quiet)
    assert not quiet.contains(moved.astimezone(LONDON).time())  # type: ignore[union-attr]
    assert moved >= utc(2026, 3, 29, 0, 45)
    assert moved <= utc(2026, 3, 29, 2, 0)


def test_quiet_hours_none_disables() -> None:
    assert next_send_time(utc(2026, 1, 15, 23, 0), None) == utc(2026, 1, 15, 23, 0)


def test_first_due_after_delay_and_quiet_hours() -> None:
    due = first_due_at(date(2026, 3, 26), delay_days=3, quiet=QUIET)
    # 29 March local midnight is quiet; 09:00 BST that day is 08:00 UTC.
    assert due == utc(2026, 3, 29, 8, 0)
    due = first_due_at(date(2026, 10, 22), delay_days=3, quiet=QUIET)
    assert due == utc(2026, 10, 25, 9, 0)


def test_reminder_within_life_of_link() -> None:
    sent = utc(2026, 1, 10, 10, 0)
    expires = sent + timedelta(days=28)
    assert reminder_due_at(sent, after_days=7, quiet=QUIET, expires_at=expires) == utc(
        2026, 1, 17, 10, 0
    )


def test_reminder_moved_out_of_quiet_hours() -> None:
    sent = utc(2026, 1, 10, 19, 59)
    expires = sent + timedelta(days=28)
    assert reminder_due_at(sent, after_days=7, quiet=QUIET, expires_at=expires) == utc(
        2026, 1, 17, 19, 59
    )
    # Sent at 19:59 BST in October, reminded a week later after the clock change: still
    # 19:59 local? No: a week later is 18:59 GMT by UTC arithmetic, which is allowed.
    sent = utc(2026, 10, 20, 18, 59)
    assert reminder_due_at(
        sent, after_days=7, quiet=QUIET, expires_at=sent + timedelta(days=28)
    ) == utc(2026, 10, 27, 18, 59)


def test_no_reminder_at_or_after_expiry() -> None:
    sent = utc(2026, 1, 10, 10, 0)
    assert (
        reminder_due_at(sent, after_days=7, quiet=QUIET, expires_at=sent + timedelta(days=7))
        is None
    )
    assert (
        reminder_due_at(sent, after_days=0, quiet=QUIET, expires_at=sent + timedelta(days=28))
        is None
    )
