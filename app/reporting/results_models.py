"""The public results page's table: one frozen quarter per row (app.reporting.results_freeze)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app import clock


class ResultsQuarter(SQLModel, table=True):
    """A closed quarter's published figures, computed once when it closed and never again:
    a later withdrawal, rollup rebuild or change of keys does not touch them."""

    __tablename__ = "results_quarter"

    id: int | None = Field(default=None, primary_key=True)
    # "2026-Q3"; unique, so two freezes racing each other store one row (insert-or-ignore).
    quarter: str = Field(max_length=7, unique=True)
    frozen_at: datetime = Field(default_factory=lambda: clock.now())
    # The published cells only (results_figures.FrozenQuarter), never a count below min_cell.
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
