"""`victim-voice invitations import` with a hostile file: a clear error, exit 1, and nothing
stored when the file as a whole cannot be imported; one bad row alone otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.cli import app as cli_app
from app.invitations.models import Contact, Invitation, InvitationBatch
from tests.invitations.factories import days_ago, phone_number

NUL_REF = "CR\x002"
HEADER = "case_ref,crime_group,touchpoint,touchpoint_date,channel,phone,safe_to_contact"


def line(i: int, **values: str) -> str:
    row = {
        "case_ref": f"CR/{i}",
        "crime_group": "general",
        "touchpoint": "reporting",
        "touchpoint_date": days_ago(5),
        "channel": "sms",
        "phone": phone_number(i),
        "safe_to_contact": "true",
    }
    row.update(values)
    return ",".join(row[name] for name in HEADER.split(","))


def nothing_stored(db: Session) -> bool:
    db.expire_all()
    empty = not any(
        db.exec(select(model)).first() for model in (InvitationBatch, Invitation, Contact)
    )
    db.rollback()
    return empty


def run_import(path: Path) -> Any:
    return CliRunner().invoke(cli_app, ["invitations", "import", str(path)])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "\n".join([HEADER, line(1), line(2, case_ref=NUL_REF), ""]).encode(),
            "line 3 holds a null character (U+0000); remove it and try again.",
        ),
        (f"{HEADER}\n{line(1)}\n".encode() + b"\xff\xfe\n", "the file must be UTF-8 text."),
        (f"{HEADER},phone\n{line(1)},07911 000000\n".encode(), "  header.phone: column is given"),
    ],
    ids=["NUL", "not UTF-8", "a column twice"],
)
def test_a_file_that_cannot_be_imported_is_refused_whole(
    tmp_path: Path, db: Session, content: bytes, message: str
) -> None:
    path = tmp_path / "batch.csv"
    path.write_bytes(content)
    result = run_import(path)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert "CR/2" not in result.output and "CR/1" not in result.output
    assert nothing_stored(db)


def test_more_rows_than_a_batch_may_hold_is_refused_before_anything_is_stored(
    tmp_path: Path, db: Session, settings_override: Any
) -> None:
    settings_override(VV_MAX_BATCH_ROWS="2")
    path = tmp_path / "batch.csv"
    path.write_text("\n".join([HEADER, line(1), line(2), line(3)]) + "\n")
    result = run_import(path)
    assert result.exit_code == 1
    assert "A batch may hold at most 2 rows: split the upload." in result.stderr
    assert nothing_stored(db)


def test_hostile_rows_are_rejected_alone_and_the_rest_imported(tmp_path: Path, db: Session) -> None:
    path = tmp_path / "batch.csv"
    rows = [
        HEADER,
        line(1),
        line(2, touchpoint_date="9999-12-31"),
        line(3, case_ref="S" * (200 * 1024)),
        line(4, touchpoint_date=days_ago(500)),
        line(5),
    ]
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    result = run_import(path)
    assert result.exit_code == 1  # some rows were rejected
    assert "5 rows, 2 accepted, 3 rejected, 0 skipped" in result.stdout
    assert "row 1: touchpoint_date must not be in the future" in result.stderr
    assert "row 2: row has a field longer than 131072 characters" in result.stderr
    assert "row 3: touchpoint_date must be at most 120 days before the upload" in result.stderr
    assert "SSSS" not in result.output
    db.expire_all()
    batch = db.exec(select(InvitationBatch)).one()
    assert batch.status == "complete" and batch.accepted == 2
