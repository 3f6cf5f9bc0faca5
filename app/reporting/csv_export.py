"""CSV output that a spreadsheet opens as data, never as formulas (pure)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets
# (OWASP "CSV injection"); a leading apostrophe makes it text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

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
