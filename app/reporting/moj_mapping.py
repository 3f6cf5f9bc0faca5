"""The Ministry of Justice's key compliance metrics, mapped to our published figures.

The mapping is data (app/reporting/data/moj_metrics.yaml) because the MoJ's prescribed form
may change: an edit to the file changes the view, with no code change. The file is checked
when it is read (`load_mapping`); a wrong entry raises MojMappingError naming it.

The view gives each MoJ metric with the figures of our metrics it maps to, each an ordinary
metric aggregate (app.reporting.aggregates) over the whole period, so the figures are the ones
the aggregates publish for the same query: same cells, same suppression, same noise.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlmodel import Session

from app.banks import metrics as metric_registry
from app.banks.aspects import AGENCIES, SEVERAL
from app.reporting.aggregates import (
    CSV_DISCLOSURE_COLUMNS,
    aggregate_metric,
    disclosure_csv_values,
)
from app.reporting.disclosure import Disclosure, configured_min_cell

MAPPING_PATH = Path(__file__).parent / "data" / "moj_metrics.yaml"
RIGHTS = range(1, 13)


class MojMappingError(ValueError):
    """The mapping file is not valid; the message names the file and the entry."""


class MojMetric(BaseModel):
    id: str
    title: str
    right: int
    agency: str
    metrics: list[str]
    note: str | None = None


class MojMapping(BaseModel):
    version: str
    source: str
    metrics: list[MojMetric]


def _entry_problems(entry: Any, seen: set[str]) -> list[str]:
    if not isinstance(entry, Mapping):
        return ["is not a mapping"]
    problems: list[str] = []
    unknown = sorted(set(entry) - {"id", "title", "right", "agency", "metrics", "note"})
    if unknown:
        problems.append(f"unknown field(s): {', '.join(map(str, unknown))}")
    for field in ("id", "title"):
        if not isinstance(entry.get(field), str) or not entry[field].strip():
            problems.append(f"{field} must be a non-empty string")
    if isinstance(entry.get("id"), str):
        if entry["id"] in seen:
            problems.append(f"id {entry['id']!r} is used twice")
        seen.add(entry["id"])
    right = entry.get("right")
    if not isinstance(right, int) or isinstance(right, bool) or right not in RIGHTS:
        problems.append("right must be a whole number from 1 to 12")
        right = None
    if entry.get("agency") not in (*AGENCIES, SEVERAL):
        problems.append(f"agency must be one of {', '.join((*AGENCIES, SEVERAL))}")
    ours = entry.get("metrics")
    if not isinstance(ours, list) or not ours:
        problems.append("metrics must be a non-empty list of our metric ids")
        ours = []
    for metric_id in ours:
        metric = metric_registry.get_metric(str(metric_id))
        if metric is None:
            problems.append(f"metrics: {metric_id!r} is not one of our metrics")
        elif right is not None and metric.right != right:
            problems.append(f"metrics: {metric_id!r} is not about right {right}")
    if "note" in entry and not isinstance(entry["note"], str):
        problems.append("note must be a string")
    return problems


def parse_mapping(data: Any, source: str = str(MAPPING_PATH)) -> MojMapping:
    """Check a parsed mapping file; MojMappingError listing every problem."""
    if not isinstance(data, Mapping) or not isinstance(data.get("metrics"), list):
        raise MojMappingError(f"{source}: must be a mapping with a list under 'metrics'")
    problems: list[str] = []
    for field in ("version", "source"):
        if not isinstance(data.get(field), str) or not data[field].strip():
            problems.append(f"{source}: {field} must be a non-empty string")
    seen: set[str] = set()
    for index, entry in enumerate(data["metrics"]):
        name = entry.get("id") if isinstance(entry, Mapping) else None
        label = f"{source}: metrics[{index}]" + (f" ({name})" if name else "")
        problems += [f"{label}: {problem}" for problem in _entry_problems(entry, seen)]
    if not data["metrics"]:
        problems.append(f"{source}: metrics is empty")
    if problems:
        raise MojMappingError("\n".join(problems))
    return MojMapping.model_validate(dict(data))


def load_mapping(path: Path = MAPPING_PATH) -> MojMapping:
    """Read and check a mapping file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise MojMappingError(f"{path}: cannot be read: {exc}") from exc
    return parse_mapping(data, str(path))


@functools.cache
def shipped_mapping() -> MojMapping:
    """The shipped mapping, read once (checked before the service starts: app.startup)."""
    return load_mapping()


# --- the view -------------------------------------------------------------------------------


class MojFigure(BaseModel):
    metric: str
    title: str
    n: int | None
    positive: int | None
    rate: float | None
    ci_low: float | None
    ci_high: float | None
    suppressed: bool
    low_base: bool | None
    dont_know: float | None = None


class MojRow(BaseModel):
    id: str
    title: str
    right: int
    agency: str
    note: str | None
    figures: list[MojFigure]


class MojView(BaseModel):
    source: str
    version: str
    period_from: str
    period_to: str
    crime_group: str | None
    min_cell: int
    metrics: list[MojRow]
    disclosure: Disclosure


def moj_view(
    session: Session,
    period_from: str | None = None,
    period_to: str | None = None,
    *,
    crime_group: str | None = None,
    mapping: MojMapping | None = None,
) -> MojView:
    """Each MoJ metric with our published figures for the period (and crime group)."""
    mapping = mapping or shipped_mapping()
    filters = {"crime_group": crime_group}
    results: dict[str, Any] = {}
    rows: list[MojRow] = []
    for entry in mapping.metrics:
        figures: list[MojFigure] = []
        for metric_id in entry.metrics:
            if metric_id not in results:
                results[metric_id] = aggregate_metric(
                    session, metric_id, None, filters, period_from, period_to
                )
            result = results[metric_id]
            cell = result.cells[0]
            figures.append(
                MojFigure(
                    metric=metric_id,
                    title=result.title,
                    **cell.model_dump(exclude={"group"}),
                )
            )
        rows.append(
            MojRow(
                id=entry.id,
                title=entry.title,
                right=entry.right,
                agency=entry.agency,
                note=entry.note,
                figures=figures,
            )
        )
    first = next(iter(results.values()), None)
    min_cell = first.min_cell if first else configured_min_cell()
    adjustment = max((r.disclosure.max_adjustment for r in results.values()), default=0)
    return MojView(
        source=mapping.source,
        version=mapping.version,
        period_from=first.period_from if first else (period_from or ""),
        period_to=first.period_to if first else (period_to or ""),
        crime_group=crime_group or None,
        min_cell=min_cell,
        metrics=rows,
        disclosure=Disclosure(min_cell=min_cell, max_adjustment=adjustment),
    )


CSV_COLUMNS: Sequence[str] = (
    "moj_id",
    "moj_title",
    "right",
    "agency",
    # Our measure; not "metric", the leading column every CSV file has (csv_export.py).
    "measure",
    "metric_title",
    "n",
    "positive",
    "rate",
    "ci_low",
    "ci_high",
    "suppressed",
    "low_base",
    "dont_know",
)


def moj_csv_rows(view: MojView) -> tuple[list[str], list[list[Any]]]:
    """One CSV row per (MoJ metric, our metric), ending with the disclosure columns."""
    rows = [
        [
            row.id,
            row.title,
            row.right,
            row.agency,
            figure.metric,
            figure.title,
            figure.n,
            figure.positive,
            figure.rate,
            figure.ci_low,
            figure.ci_high,
            figure.suppressed,
            figure.low_base,
            figure.dont_know,
            *disclosure_csv_values(view.disclosure),
        ]
        for row in view.metrics
        for figure in row.figures
    ]
    return [*CSV_COLUMNS, *CSV_DISCLOSURE_COLUMNS], rows
