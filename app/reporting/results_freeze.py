"""Freezing closed quarters for the public results page, and reading them back.

A quarter's figures are computed once, when it is first found closed
(app.reporting.results_closing), and stored in `results_quarter`; they are never recomputed,
so a later rollup rebuild or change of keys leaves the public page as it was. Freezing runs
from `victim-voice results freeze`, from the dispatch loop's rounds, and from the page itself
when it finds a closed quarter not yet frozen. Two freezes of one quarter racing each other
store one row: the quarter is unique and the insert skips a conflict.

The figures are computed in a read-only transaction and written in a short one of their own, so
on SQLite no victim's save waits for the figures to be computed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Table
from sqlmodel import Session, col, select

from app import audit, clock
from app.db import read_only
from app.reporting.results_closing import closed_quarters
from app.reporting.results_figures import FrozenQuarter, quarter_figures
from app.reporting.results_models import ResultsQuarter
from app.reporting.sql_upsert import dialect_insert
from app.settings import get_settings


def frozen_names(session: Session) -> set[str]:
    return set(session.exec(select(col(ResultsQuarter.quarter))).all())


def store_quarter(session: Session, figures: FrozenQuarter, *, actor: str) -> bool:
    """Insert the quarter's figures unless a row for it exists; True if this call stored it."""
    table: Table = ResultsQuarter.__table__  # type: ignore[attr-defined]
    statement = (
        dialect_insert(session)(table)
        .values(
            quarter=figures.quarter,
            frozen_at=figures.frozen_at,
            payload=figures.model_dump(mode="json"),
        )
        .on_conflict_do_nothing(index_elements=["quarter"])
        .returning(table.c.id)
    )
    # A row comes back only when this insert stored one (rowcount is not reliable here: the
    # PostgreSQL driver may report -1).
    stored = session.execute(statement).first() is not None
    if stored:
        audit.record(
            session,
            actor=actor,
            action="results.freeze",
            object_type="results_quarter",
            object_id=figures.quarter,
        )
    return stored


def freeze_closed_quarters(
    session: Session, *, actor: str, at: datetime | None = None
) -> list[str]:
    """Freeze every closed quarter not yet frozen; the quarters this call stored, oldest first.

    The caller commits (the write is one short transaction after the read)."""
    moment = at or clock.now()
    with read_only(session):
        missing = closed_quarters(session, get_settings(), at=moment, skip=frozen_names(session))
        computed = [quarter_figures(session, quarter, at=moment) for quarter in missing]
    return [figures.quarter for figures in computed if store_quarter(session, figures, actor=actor)]


def frozen_quarters(session: Session) -> list[FrozenQuarter]:
    """Every frozen quarter as it was stored, newest first."""
    rows = session.exec(select(ResultsQuarter).order_by(col(ResultsQuarter.quarter).desc()))
    return [FrozenQuarter.model_validate(row.payload) for row in rows.all()]
