"""A CSV answer of the reporting API: asked for, and served (one place for every route)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from app.reporting.csv_export import CSV_MEDIA_TYPE, CsvContext, csv_file


def wants_csv(request: Request, format_: str | None) -> bool:
    """`format=csv` decides; without it, an Accept header naming text/csv."""
    if format_ is not None:
        return format_ == "csv"
    return "text/csv" in request.headers.get("accept", "")


def csv_response(
    context: CsvContext, table: tuple[Sequence[str], Sequence[Sequence[Any]]], filename: str
) -> Response:
    """The file as an attachment: `table` is a `*_csv_rows` function's (columns, rows)."""
    columns, rows = table
    return Response(
        content=csv_file(context, columns, rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
