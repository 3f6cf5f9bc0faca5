"""The sums a metric's tallies are read with, from either rollup table (the rollups, or the
characteristic rows): positive, not-positive and counted don't know answers, each as a count
and a key sum."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, case, func

from app.banks.metrics import Metric
from app.reporting.disclosure import Tally, tally
from app.reporting.right_rates import DONT_KNOW

SKIPPED = ""  # the code of a question shown but not answered (app.reporting.rollups)


def side_sums(table: Table, metric: Metric) -> list[ColumnElement[Any]]:
    """SUM columns labelled p, pk (positive), n, nk (not positive), d, dk (don't know)."""
    code = table.c.code
    counted = and_(code != SKIPPED, code.not_in(sorted(metric.excluded_codes)))
    positive = code.in_(sorted(metric.positive_codes))
    negative = and_(counted, ~positive)
    # Counted don't know answers (information rights): a part of the not-positive ones.
    dont_know = and_(negative, code == DONT_KNOW)
    sums: list[ColumnElement[Any]] = []
    for label, condition in (("p", positive), ("n", negative), ("d", dont_know)):
        sums += [
            func.sum(case((condition, table.c.count), else_=0)).label(label),
            func.sum(case((condition, table.c.key_sum), else_=0)).label(f"{label}k"),
        ]
    return sums


def side_tallies(row: Mapping[Any, Any]) -> dict[str, Tally]:
    """The metric tallies of one row read with side_sums."""
    return {
        "positive": tally(row["p"], row["pk"]),
        "negative": tally(row["n"], row["nk"]),
        "dont_know": tally(row["d"], row["dk"]),
    }
