"""The definition of a closed month (pure parts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from app.reporting.comment_release import CommentCell, cell_closed, upload_window_end


def test_the_upload_window_runs_the_maximum_age_past_the_last_day_and_one_more() -> None:
    # The last touchpoint of July is the 31st; it may be uploaded up to 120 days later
    # (28 November), and a day more covers London against UTC.
    assert upload_window_end(date(2026, 7, 1), max_touchpoint_age_days=120) == datetime(
        2026, 11, 30, tzinfo=UTC
    )
    assert upload_window_end(date(2026, 12, 1), max_touchpoint_age_days=0) == datetime(
        2027, 1, 2, tzinfo=UTC
    )


def test_a_cell_closes_when_the_window_has_ended_and_no_link_lives() -> None:
    cell = CommentCell("general", "reporting", date(2026, 7, 1))
    end = datetime(2026, 11, 30, tzinfo=UTC)

    def closed(at: datetime, open_cells: set[CommentCell]) -> bool:
        return cell_closed(cell, at=at, max_touchpoint_age_days=120, open_cells=open_cells)

    assert not closed(end - timedelta(seconds=1), set())
    assert closed(end, set())
    assert not closed(end + timedelta(days=400), {cell})
    other = CommentCell("general", "court", date(2026, 7, 1))
    assert closed(end, {other})
