"""CSV output that a spreadsheet opens as data, never as formulas (pure).

Every CSV file the service gives (the API's `format=csv` answers and the report pack) is made by
`csv_file`: the same leading columns saying what the figures are (`metric`), for which months
(`period_from`, `period_to`) and under which filters (`filters`), so a file saved and opened
later still says what it holds; and the same UTF-8 byte-order mark, without which Excel reads
the file in the machine's legacy code page and garbles every non-ASCII letter.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXCEL_BOM = "\ufeff"
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
CONTEXT_COLUMNS = ("metric", "period_from", "period_to", "filters")
# A published metric cell, in the order every CSV gives it.
METRIC_CELL_COLUMNS = ("n", "positive", "rate", "ci_low", "ci_high", "suppressed", "low_base")
NO_FILTERS = "none"

CellValue = str | int | float | bool | None


def safe_cell(value: CellValue) -> str | int | float:
    """One cell: text that could start a formula gets a leading apostrophe.

    Numbers we compute (a negative gap) are written as numbers: only text can carry a formula.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Sequence[CellValue]]) -> str:
    """A CSV document with a header line, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(column) for column in columns])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return buffer.getvalue()


def filters_text(filters: Mapping[str, object]) -> str:
    """`crime_group=rasso; mode=self`, in the order given; `none` when nothing is filtered."""
    given = [
        f"{name}={','.join(map(str, value)) if isinstance(value, list | tuple) else value}"
        for name, value in filters.items()
        if value not in (None, "", [], (), False)
    ]
    return "; ".join(given) or NO_FILTERS


@dataclass(frozen=True)
class CsvContext:
    """What every row of one CSV file is: which figure, which months, which filters."""

    metric: str
    period_from: str | None
    period_to: str | None
    filters: Mapping[str, object] = field(default_factory=dict)

    def values(self) -> list[CellValue]:
        return [self.metric, self.period_from, self.period_to, filters_text(self.filters)]


def csv_file(
    context: CsvContext, columns: Sequence[str], rows: Iterable[Sequence[CellValue]]
) -> bytes:
    """A whole CSV file: the context columns first on every row, UTF-8 with a byte-order mark."""
    lead = context.values()
    text = csv_text([*CONTEXT_COLUMNS, *columns], ([*lead, *row] for row in rows))
    return (EXCEL_BOM + text).encode("utf-8")
