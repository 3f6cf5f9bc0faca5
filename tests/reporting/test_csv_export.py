import csv
import io

import pytest

from app.reporting.csv_export import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("B1", "B1"),
        ("", ""),
        (None, ""),
        (True, "true"),
        (False, "false"),
        (-0.25, -0.25),
        (12, 12),
    ],
)
def test_safe_cell(value: object, expected: object) -> None:
    assert safe_cell(value) == expected  # type: ignore[arg-type]


def test_csv_text_round_trips_with_escaping() -> None:
    text = csv_text(["area", "n"], [["=1+2", 12], [None, None]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["area", "n"], ["'=1+2", "12"], ["", ""]]
