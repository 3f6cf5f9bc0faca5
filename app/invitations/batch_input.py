"""Reading a batch upload (JSON rows, or CSV records) without letting one row fail the rest.

What a careless or hostile client sends is turned into rows that `rows.validate_row` can judge
one by one: a JSON row nested too deeply for the parser, or a CSV record the reader refuses (a
field over the csv module's 128 KB limit), becomes an `UnreadableRow` in its place, so the row
indexes of the answer stay right and every other row is still imported. NaN, Infinity and
integers of absurd size become `NotAValue` (refused as "must be text"). Only what concerns
the whole upload is refused whole: a body that is not JSON, a CSV header that lacks or repeats
columns, more rows than `VV_MAX_BATCH_ROWS`.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from app.errors import FieldError, InvalidInput, PayloadTooLarge, UnsupportedMediaType
from app.invitations.column_names import near_miss_message, near_misses
from app.invitations.rows import COLUMNS, NotAValue, UnreadableRow

REQUIRED_COLUMNS = (
    "case_ref",
    "crime_group",
    "touchpoint",
    "touchpoint_date",
    "channel",
    "safe_to_contact",
)
# More digits than any field could use; int() of a 5,000-digit number raises on its own.
MAX_INT_DIGITS = 30
TOO_DEEP = "is nested too deeply to read"

# Strings (skipped whole, so brackets inside them don't count) and structural characters.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]', re.DOTALL)


def _not_a_value(_text: str) -> NotAValue:
    return NotAValue()


def _bounded_int(text: str) -> int | NotAValue:
    return int(text) if len(text.lstrip("-")) <= MAX_INT_DIGITS else NotAValue()


def _loads(text: str) -> Any:
    return json.loads(text, parse_constant=_not_a_value, parse_int=_bounded_int)


def _invalid_json(detail: str = "The body is not valid JSON.") -> InvalidInput:
    return InvalidInput(detail, errors=[FieldError(("body",), "invalid JSON")])


def rows_from_json(body: bytes) -> list[Any]:
    """The rows of a `{"rows": [...]}` body; 422 (InvalidInput) if it is not that shape."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _invalid_json("The body must be JSON in UTF-8.") from exc
    try:
        document = _loads(text)
    except RecursionError:
        document = _document_row_by_row(text)
    except ValueError as exc:
        raise _invalid_json() from exc
    if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
        raise InvalidInput(
            "The body must be an object with a list of rows.",
            errors=[FieldError(("body", "rows"), "a list of rows is required")],
        )
    return list(document["rows"])


def _rows_array_spans(text: str) -> tuple[int, int, list[tuple[int, int]]] | None:
    """Where the top-level "rows" array starts and ends, and the span of each of its elements,
    found by scanning tokens (no recursion, whatever the depth); None if there is none."""
    depth = 0
    key: str | None = None
    last_string: str | None = None
    found: tuple[int, int, list[tuple[int, int]]] | None = None
    elements: list[tuple[int, int]] | None = None
    opened = start = 0
    for match in _JSON_TOKENS.finditer(text):
        token = match.group()
        first = token[0]
        if first == '"':
            if depth == 1:
                last_string = token
        elif first == ":":
            if depth == 1 and last_string is not None:
                key = json.loads(last_string)
        elif first in "[{":
            depth += 1
            if depth == 2 and first == "[" and key == "rows":
                elements, opened, start = [], match.start(), match.end()
        elif first in "]}":
            if depth == 2 and elements is not None and first == "]":
                if elements or text[start : match.start()].strip():
                    elements.append((start, match.start()))
                found, elements = (opened, match.end(), elements), None
            depth -= 1
        elif first == ",":
            if depth == 2 and elements is not None:
                elements.append((start, match.start()))
                start = match.end()
            elif depth == 1:
                key = last_string = None
    return found


def _document_row_by_row(text: str) -> dict[str, Any]:
    """A body too deep for one parse: each row parsed on its own, a too-deep row unreadable."""
    spans = _rows_array_spans(text)
    if spans is None:
        raise _invalid_json(f"The body {TOO_DEEP}.")
    opened, closed, elements = spans
    # Everything but the rows must still be valid, shallow JSON.
    skeleton = text[:opened] + "[]" + text[closed:]
    try:
        document = _loads(skeleton)
    except (ValueError, RecursionError) as exc:
        raise _invalid_json() from exc
    rows: list[Any] = []
    for start, end in elements:
        try:
            rows.append(_loads(text[start:end]))
        except RecursionError:
            rows.append(UnreadableRow(TOO_DEEP))
        except ValueError as exc:
            raise _invalid_json() from exc
    if isinstance(document, dict):
        document["rows"] = rows
    return document if isinstance(document, dict) else {}


def rows_from_upload(content_type: str, body: bytes, max_rows: int) -> tuple[str, Any]:
    """The source ("csv" or "json") and rows of an upload body, by its content type."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("The CSV must be UTF-8 text.") from exc
        check_row_count(count_csv_records(io.StringIO(text, newline=""), max_rows), max_rows)
        return "csv", read_csv_text(text)
    if kind in ("application/json", ""):
        rows = rows_from_json(body)
        check_row_count(len(rows), max_rows)
        return "json", rows
    raise UnsupportedMediaType("Send application/json or text/csv.")


def check_row_count(count: int, limit: int) -> None:
    """413 before anything is stored when an upload holds more rows than one batch may."""
    if count > limit:
        raise PayloadTooLarge(
            f"A batch may hold at most {limit} rows: split the upload.",
            errors=[FieldError(("body", "rows"), f"at most {limit} rows in one batch")],
        )


def _header(reader: Iterator[list[str]]) -> list[str]:
    try:
        record = next(reader)
    except StopIteration:
        record = []
    except csv.Error as exc:
        raise InvalidInput(
            "The CSV header line could not be read.",
            errors=[FieldError(("header",), "could not be read as CSV")],
        ) from exc
    header = [name.strip().lstrip("\ufeff") for name in record]
    errors = [
        FieldError(("header", name), "column is required")
        for name in REQUIRED_COLUMNS
        if name not in header
    ]
    errors += [
        FieldError(("header", name), near_miss_message(column))
        for name, column in near_misses(header, COLUMNS)
    ]
    errors += [
        FieldError(("header", name), "column is given more than once")
        for name in COLUMNS
        if header.count(name) > 1
    ]
    if errors:
        raise InvalidInput(
            "The first line must be a header naming each column once, with the required ones.",
            errors=errors,
        )
    return header


def _csv_problem(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return f"has a field longer than {csv.field_size_limit()} characters"
    return "could not be read as CSV"


def read_csv_rows(lines: Iterable[str]) -> Iterator[dict[str, str | None] | UnreadableRow]:
    """The CSV's records as dicts of the batch columns (others ignored), streamed.

    The header is read at once, so a bad header is refused before anything is stored.
    """
    reader = csv.reader(iter(lines))
    positions = {name: index for index, name in enumerate(_header(reader)) if name in COLUMNS}
    return _records(reader, positions)


def _records(
    reader: Iterator[list[str]], positions: dict[str, int]
) -> Iterator[dict[str, str | None] | UnreadableRow]:
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # The reader drops the rest of the bad line and goes on with the next one.
            yield UnreadableRow(_csv_problem(error))
            continue
        if not record:
            continue  # a blank line is not a row (as csv.DictReader has it)
        yield {
            name: record[index] if index < len(record) else None
            for name, index in positions.items()
        }


def read_csv_text(text: str) -> Iterator[dict[str, str | None] | UnreadableRow]:
    # newline="": lines end only at \n, \r or \r\n (str.splitlines would also split at
    # U+2028 and other separators inside a field).
    return read_csv_rows(io.StringIO(text.lstrip("\ufeff"), newline=""))


def count_csv_records(lines: Iterable[str], stop_after: int | None = None) -> int:
    """Data records in CSV text (blank lines and the header not counted), for the row cap;
    counting stops once past `stop_after`."""
    count = -1
    reader = csv.reader(iter(lines))
    while stop_after is None or count <= stop_after:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error:
            record = ["(unreadable)"]
        if record:
            count += 1
    return max(count, 0)
