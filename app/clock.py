"""The service's one clock.

Every "now" and "today" in reporting and in the audit trail comes from here, read through the
module (`clock.now()`, never `from app.clock import now`), so that a test that freezes time
patches `app.clock.now` and nothing else.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def now() -> datetime:
    """Aware UTC now: SQLModel's UTCDateTime columns refuse naive values."""
    return datetime.now(UTC)


def today() -> date:
    """Today in UTC, from `now` (so freezing `now` freezes it too)."""
    return now().date()
