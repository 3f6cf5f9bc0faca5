"""How long answers are kept: the month retention starts from (VV_RETENTION_MONTHS).

Shared by the purge job, which deletes what is older, and the rollup rebuild, which recomputes
only what is still stored; neither domain owns the date.
"""

from __future__ import annotations

from datetime import date


def retention_cutoff(today: date, months: int) -> date:
    """First day of the oldest month still kept."""
    index = today.year * 12 + (today.month - 1) - months
    return date(index // 12, index % 12 + 1, 1)
