"""Counting skipped upload rows by reason × crime group × touchpoint, so the report can say who
was not heard. Each skipped row draws a record key (app.cell_key) that is only ever added to
its cell's key sum; nothing else of the row is kept. A crime group or touchpoint the row did
not give validly is counted as "" (not known)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from app.cell_key import KEY_SPACE, new_record_key
from app.enums import CRIME_GROUPS, TOUCHPOINTS
from app.invitations.models import SkippedCount

SkipCell = tuple[str, str, str]  # reason, crime group, touchpoint


def skip_cell(reason: str, crime_group: object, touchpoint: object) -> SkipCell:
    """The cell a skipped row counts in; a value outside the vocabulary counts as not known."""
    group = crime_group if isinstance(crime_group, str) and crime_group in CRIME_GROUPS else ""
    point = touchpoint if isinstance(touchpoint, str) and touchpoint in TOUCHPOINTS else ""
    return (reason, group, point)


def record_skips(
    session: Session, cells: Iterable[SkipCell], *, month: date, is_postgres: bool
) -> None:
    """Add each skipped row to its cell of `month` (one upsert a cell)."""
    counts: Counter[SkipCell] = Counter()
    keys: Counter[SkipCell] = Counter()
    for cell in cells:
        counts[cell] += 1
        keys[cell] = (keys[cell] + new_record_key()) % KEY_SPACE
    if not counts:
        return
    table = SkippedCount.__table__  # type: ignore[attr-defined]
    dialect_insert = pg_insert if is_postgres else sqlite_insert
    for (reason, crime_group, touchpoint), count in sorted(counts.items()):
        statement = dialect_insert(table).values(
            month=month,
            reason=reason,
            crime_group=crime_group,
            touchpoint=touchpoint,
            count=count,
            key_sum=keys[(reason, crime_group, touchpoint)],
        )
        session.execute(
            statement.on_conflict_do_update(
                index_elements=["month", "reason", "crime_group", "touchpoint"],
                set_={
                    "count": table.c.count + statement.excluded.count,
                    "key_sum": (table.c.key_sum + statement.excluded.key_sum) % KEY_SPACE,
                },
            )
        )
