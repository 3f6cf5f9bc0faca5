"""Reading the service's CSV files in tests: the figures, without the leading context columns
every file carries (checked once, in test_csv_files.py)."""

from __future__ import annotations

import csv
import io

from app.reporting.csv_export import CONTEXT_COLUMNS, EXCEL_BOM


def figure_rows(text: str) -> list[list[str]]:
    """Each row's cells after `metric, period_from, period_to, filters` (the BOM checked)."""
    assert text.startswith(EXCEL_BOM)
    rows = list(csv.reader(io.StringIO(text.removeprefix(EXCEL_BOM))))
    assert rows[0][: len(CONTEXT_COLUMNS)] == list(CONTEXT_COLUMNS)
    return [row[len(CONTEXT_COLUMNS) :] for row in rows]


def figures_text(text: str) -> str:
    """The same file as CSV text, as it read before the context columns were added."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(figure_rows(text))
    return buffer.getvalue()
