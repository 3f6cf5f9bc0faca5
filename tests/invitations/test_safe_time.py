"""The safe_time grammar (pure) and the sending windows it makes with quiet hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from app.invitations.safe_time import (
    EXPECTED_FORM,
    MAX_SAFE_TIME_CHARS,
    SafeTimeError,
    parse_safe_time,
)
from app.invitations.scheduling import LONDON, in_sending_window, next_sending_time
from app.setting_values import QuietHours

QUIET = QuietHours(time(20, 0), time(9, 0))


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("Mon-Fri 10:00-16:00; Sat 09:00-12:00", "Mon-Fri 10:00-16:00; Sat 09:00-12:00"),
        ("Sun 00:00-23:59", "Sun 00:00-23:59"),
        ("mon-fri 10:00-16:00", "Mon-Fri 10:00-16:00"),
        ("  Tue   09:30-10:45 ;Thu 14:00-15:00  ", "Tue 09:30-10:45; Thu 14:00-15:00"),
        ("Sat-Sun 11:00-13:00", "Sat-Sun 11:00-13:00"),
        ("Mon 10:00-12:00; Mon 14:00-16:00", "Mon 10:00-12:00; Mon 14:00-16:00"),
    ],
)
def test_valid_forms(text: str, canonical: str) -> None:
    assert parse_safe_time(text).text() == canonical


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("Mon-Fri", "not a day"),
        ("10:00-16:00", "not a day"),
        ("Monday 10:00-16:00", "not a day"),
        ("Mon-Fri 10-16", "not a day"),
        ("Mon-Fri 10:00 - 16:00", "not a day"),
        ("Mon-Fri 9:00-16:00", "not a day"),
        ("Mon-Fri 10:00-24:00", "00:00 to 23:59"),
        ("Mon-Fri 24:00-23:00", "00:00 to 23:59"),
        ("Mon-Fri 10:60-11:00", "00:00 to 23:59"),
        ("Mon-Fri 16:00-10:00", "end after it starts"),
        ("Mon-Fri 10:00-10:00", "end after it starts"),
        ("Fri-Mon 10:00-16:00", "run forwards"),
        ("Mon-Mon 10:00-16:00", "run forwards"),
        ("Mun-Fri 10:00-16:00", "one of Mon"),
        ("Mon-Fri 10:00-16:00;", "empty"),
        ("; Mon-Fri 10:00-16:00", "empty"),
        ("Mon-Fri 10:00-16:00, Sat 09:00-12:00", "not a day"),
        ("Mon-Fri 10:00-16:00\x00", "not a day"),
        ("Mon\x00-Fri 10:00-16:00", "not a day"),
        ("Mon-Fri １０:００-16:00", "not a day"),  # full-width digits
        ("Mon-Fri 10:00-16:00 GMT", "not a day"),
        ("Mon-Fri\n10:00-16:00", "not a day"),
        ("Mon-Fri 10:00-16:00-17:00", "not a day"),
        ("; ".join(["Mon 10:00-11:00"] * 15), "at most 14 windows"),
        ("Mon-Fri 10:00-16:00; " + "x" * MAX_SAFE_TIME_CHARS, "at most"),
        ("Mon 10:00-11:00" * 100_000, "at most"),
    ],
)
def test_invalid_forms_name_the_expected_form_never_the_value(text: str, why: str) -> None:
    with pytest.raises(SafeTimeError) as caught:
        parse_safe_time(text)
    message = str(caught.value)
    assert EXPECTED_FORM in message
    assert why in message
    assert "GMT" not in message and "Mun" not in message and "x" * 5 not in message


def test_a_problem_names_its_window() -> None:
    with pytest.raises(SafeTimeError, match="window 2: a time range must end"):
        parse_safe_time("Mon 10:00-11:00; Tue 12:00-11:00")


def test_not_text_is_refused() -> None:
    with pytest.raises(SafeTimeError):
        parse_safe_time(123)  # type: ignore[arg-type]


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


SAFE = parse_safe_time("Mon-Fri 10:00-16:00; Sat 09:00-12:00")


def test_inside_and_outside_the_window() -> None:
    # Tuesday 2 December 2026 (GMT).
    assert in_sending_window(_utc(2026, 12, 1, 10, 0), quiet=QUIET, safe=SAFE)
    assert in_sending_window(_utc(2026, 12, 1, 15, 59), quiet=QUIET, safe=SAFE)
    assert not in_sending_window(_utc(2026, 12, 1, 16, 0), quiet=QUIET, safe=SAFE)  # the edge
    assert not in_sending_window(_utc(2026, 12, 1, 9, 59), quiet=QUIET, safe=SAFE)
    assert not in_sending_window(_utc(2026, 12, 6, 10, 0), quiet=QUIET, safe=SAFE)  # Sunday
    assert in_sending_window(_utc(2026, 12, 6, 10, 0), quiet=QUIET, safe=None)


def test_next_time_moves_to_the_next_window() -> None:
    far = _utc(2027, 1, 1)
    # Tuesday 16:00 (the edge) → Wednesday 10:00.
    assert next_sending_time(_utc(2026, 12, 1, 16, 0), quiet=QUIET, safe=SAFE, until=far) == _utc(
        2026, 12, 2, 10, 0
    )
    # Friday evening → Saturday 09:00 (the safe time's window and quiet hours' end agree).
    assert next_sending_time(_utc(2026, 12, 4, 18, 0), quiet=QUIET, safe=SAFE, until=far) == _utc(
        2026, 12, 5, 9, 0
    )
    # Saturday 12:00 → Monday 10:00.
    assert next_sending_time(_utc(2026, 12, 5, 12, 0), quiet=QUIET, safe=SAFE, until=far) == _utc(
        2026, 12, 7, 10, 0
    )
    # Inside a window: now.
    at = _utc(2026, 12, 1, 11, 17)
    assert next_sending_time(at, quiet=QUIET, safe=SAFE, until=far) == at


def test_quiet_hours_cut_into_a_window() -> None:
    early = parse_safe_time("Mon-Sun 07:00-10:00")
    assert next_sending_time(
        _utc(2026, 12, 1, 6, 0), quiet=QUIET, safe=early, until=_utc(2027, 1, 1)
    ) == _utc(2026, 12, 1, 9, 0)


def test_a_window_keeps_its_wall_clock_hours_across_the_clock_change() -> None:
    # The clocks go back at 02:00 BST on Sunday 25 October 2026: Friday 23 is BST (UTC+1),
    # Monday 26 is GMT (UTC+0).
    safe = parse_safe_time("Fri 10:00-11:00; Mon 10:00-11:00")
    until = _utc(2026, 11, 30)
    friday = next_sending_time(_utc(2026, 10, 23, 0, 0), quiet=QUIET, safe=safe, until=until)
    assert friday == _utc(2026, 10, 23, 9, 0)
    assert friday is not None and friday.astimezone(LONDON).hour == 10
    monday = next_sending_time(_utc(2026, 10, 23, 10, 0), quiet=QUIET, safe=safe, until=until)
    assert monday == _utc(2026, 10, 26, 10, 0)
    assert monday is not None and monday.astimezone(LONDON).hour == 10
    # In the week the clocks go forward (Sunday 28 March 2027), 10:00 becomes 09:00 UTC.
    spring = next_sending_time(
        _utc(2027, 3, 26, 12, 0), quiet=QUIET, safe=safe, until=until + timedelta(days=200)
    )
    assert spring == _utc(2027, 3, 29, 9, 0)
    # An instant 10:30 GMT (Monday 26 October) is 10:30 local: inside; 10:30 UTC on the
    # Friday before is 11:30 BST: outside.
    assert in_sending_window(_utc(2026, 10, 26, 10, 30), quiet=QUIET, safe=safe)
    assert not in_sending_window(_utc(2026, 10, 23, 10, 30), quiet=QUIET, safe=safe)


def test_no_safe_time_left_within_the_link_life() -> None:
    saturday_only = parse_safe_time("Sat 10:00-11:00")
    start = _utc(2026, 12, 6, 12, 0)  # Sunday
    assert (
        next_sending_time(start, quiet=QUIET, safe=saturday_only, until=start + timedelta(days=5))
        is None
    )
    assert next_sending_time(
        start, quiet=QUIET, safe=saturday_only, until=start + timedelta(days=7)
    ) == _utc(2026, 12, 12, 10, 0)
    # A safe time wholly inside quiet hours leaves nothing, however long the link lives.
    night = parse_safe_time("Mon-Sun 21:00-23:00")
    assert (
        next_sending_time(start, quiet=QUIET, safe=night, until=start + timedelta(days=60)) is None
    )
    # A window ending after the limit is cut at the limit.
    assert (
        next_sending_time(
            _utc(2026, 12, 12, 10, 30),
            quiet=QUIET,
            safe=saturday_only,
            until=_utc(2026, 12, 12, 10, 30),
        )
        is None
    )


def test_without_a_safe_time_only_quiet_hours_count() -> None:
    assert next_sending_time(
        _utc(2026, 12, 1, 21, 0), quiet=QUIET, safe=None, until=_utc(2026, 12, 5)
    ) == _utc(2026, 12, 2, 9, 0)
