"""banks load: publish on change only, refuse to overwrite service work; diffs between versions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.audit import AuditEvent
from app.banks import service
from app.banks.models import BankVersion
from app.banks.publishing import load_document
from app.banks.schema import parse_document
from app.banks.versions import approve_draft, create_draft, submit_draft
from app.cli import app as cli
from tests.banks.conftest import find_question

runner = CliRunner()


def _write(directory: Path, document: dict[str, Any], name: str = "general.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _versions(db: Session) -> list[tuple[int, str, str]]:
    db.expire_all()
    rows = db.exec(select(BankVersion).order_by(col(BankVersion.version))).all()
    return [(row.version, row.status, row.source) for row in rows]


def test_load_twice_publishes_once(db: Session, tmp_path: Path, document: dict[str, Any]) -> None:
    path = _write(tmp_path, document)
    first = runner.invoke(cli, ["banks", "load", str(path)])
    assert first.exit_code == 0, first.output
    assert "general: published version 1" in first.output
    second = runner.invoke(cli, ["banks", "load", str(path)])
    assert second.exit_code == 0, second.output
    assert "general: unchanged (version 1)" in second.output
    assert _versions(db) == [(1, "published", "file")]
    loads = db.exec(select(AuditEvent).where(AuditEvent.action == "bank.load")).all()
    assert [event.detail["result"] for event in loads] == ["published", "unchanged"]
    assert all(event.actor == "cli" for event in loads)


def test_editing_one_option_publishes_a_version_whose_diff_flags_it(
    db: Session, tmp_path: Path, document: dict[str, Any]
) -> None:
    path = _write(tmp_path, document)
    assert runner.invoke(cli, ["banks", "load", str(path)]).exit_code == 0
    find_question(document, "report_again")["options"][1]["label"]["en"] = "Yes, I think so"
    _write(tmp_path, document)
    result = runner.invoke(cli, ["banks", "load", str(path)])
    assert result.exit_code == 0, result.output
    assert "general: published version 2" in result.output
    assert _versions(db) == [(1, "retired", "file"), (2, "published", "file")]

    from app.banks.diff import diff_documents

    old = service.get_version(db, "general", 1)
    new = service.get_version(db, "general", 2)
    assert old is not None and new is not None
    assert old.document != new.document  # the published version 1 was never touched
    assert diff_documents(old.document, new.document) == {
        "changes": [
            {
                "question_id": "report_again",
                "change": "changed",
                "fields": ["options"],
                "measures": ["report_again"],
                "breaks_comparability": True,
            }
        ],
        "breaks_comparability": True,
        "measures_affected": ["report_again"],
    }


def test_a_comment_or_reformatting_in_the_file_is_no_change(
    db: Session, tmp_path: Path, document: dict[str, Any]
) -> None:
    path = _write(tmp_path, document)
    assert runner.invoke(cli, ["banks", "load", str(path)]).exit_code == 0
    path.write_text(
        "# a new comment\n" + yaml.safe_dump(document, allow_unicode=True), encoding="utf-8"
    )
    result = runner.invoke(cli, ["banks", "load", str(path)])
    assert "unchanged" in result.output
    assert len(_versions(db)) == 1


def test_load_refuses_to_overwrite_a_version_made_in_the_service(
    db: Session, tmp_path: Path, document: dict[str, Any]
) -> None:
    load_document(db, parse_document(document))
    edited = find_question(document, "comments")
    edited["text"] = "Is there anything else you want to tell us about the service?"
    draft, _ = create_draft(db, "general", document, change_note="partner edit", actor="user:7")
    submit_draft(db, "general", draft.version, actor="user:7")
    approve_draft(
        db,
        "general",
        draft.version,
        actor="user:8",
        approver="user:8",
        content_hash=draft.content_hash,
    )
    db.commit()
    # The file still holds an older text: loading it would silently undo the partner's work.
    edited["text"] = "Something different from both"
    path = _write(tmp_path, document)
    result = runner.invoke(cli, ["banks", "load", str(path)])
    assert result.exit_code == 1
    assert "general: refused: the published version 2 was made and approved in the service" in (
        result.output
    )
    assert _versions(db) == [(1, "retired", "file"), (2, "published", "service")]
    refused = db.exec(select(AuditEvent).where(AuditEvent.action == "bank.load")).all()
    assert [event.detail["result"] for event in refused] == ["published", "refused"]


def test_loading_the_same_content_as_a_service_version_is_unchanged(
    db: Session, document: dict[str, Any]
) -> None:
    draft, _ = create_draft(db, "general", document, change_note="", actor="user:7")
    submit_draft(db, "general", draft.version, actor="user:7")
    approve_draft(
        db,
        "general",
        draft.version,
        actor="user:8",
        approver="user:8",
        content_hash=draft.content_hash,
    )
    result = load_document(db, parse_document(document))
    assert (result.status, result.version) == ("unchanged", 1)


def test_load_refuses_everything_when_a_file_has_errors(
    db: Session, tmp_path: Path, document: dict[str, Any]
) -> None:
    good = _write(tmp_path, document)
    bad = tmp_path / "rasso.yaml"
    bad.write_text(
        "slug: rasso\ntitle: R\nquestions:\n  - id: q1\n    type: text\n", encoding="utf-8"
    )
    result = runner.invoke(cli, ["banks", "load", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:q1: text: this field is required" in result.output
    assert "Nothing loaded" in result.output
    assert _versions(db) == []


def test_latest_published_and_get_version(db: Session, document: dict[str, Any]) -> None:
    assert service.latest_published(db, "general") is None
    load_document(db, parse_document(document))
    find_question(document, "comments")["hint"] = "No names, please."
    load_document(db, parse_document(document))
    latest = service.latest_published(db, "general")
    assert latest is not None and latest.version == 2
    assert latest.document["sections"][1]["questions"][-1]["hint"] == "No names, please."
    first = service.get_version(db, "general", 1)
    assert first is not None and first.status == "retired"
    assert service.get_version(db, "general", 9) is None
    assert service.get_version(db, "rasso", 1) is None
    bank = service.get_bank(db, "general")
    assert bank is not None and bank.title == "Your experience with the police"


def test_export_then_replace_service_version_on_purpose(
    db: Session, tmp_path: Path, document: dict[str, Any]
) -> None:
    load_document(db, parse_document(document))
    find_question(document, "comments")["text"]["en"] = "Anything else to tell us?"
    draft, _ = create_draft(db, "general", document, change_note="partner edit", actor="user:7")
    submit_draft(db, "general", draft.version, actor="user:7")
    approve_draft(
        db,
        "general",
        draft.version,
        actor="user:8",
        approver="user:8",
        content_hash=draft.content_hash,
    )
    db.commit()

    exported = runner.invoke(cli, ["banks", "export", "general"])
    assert exported.exit_code == 0
    assert exported.stdout.startswith("# general version 2 (published, made in the service)\n")
    path = tmp_path / "general.yaml"
    path.write_text(exported.stdout, encoding="utf-8")
    # The file now holds the partner's work: the same content, so nothing to publish.
    assert (
        "general: unchanged (version 2)" in runner.invoke(cli, ["banks", "load", str(path)]).output
    )

    path.write_text(
        exported.stdout.replace("Anything else to tell us?", "Anything else you want to say?"),
        encoding="utf-8",
    )
    assert runner.invoke(cli, ["banks", "load", str(path)]).exit_code == 1
    forced = runner.invoke(cli, ["banks", "load", "--replace-service-version", str(path)])
    assert forced.exit_code == 0, forced.output
    assert "general: published version 3" in forced.output
    assert _versions(db) == [
        (1, "retired", "file"),
        (2, "retired", "service"),
        (3, "published", "file"),
    ]
    last = db.exec(
        select(AuditEvent)
        .where(AuditEvent.action == "bank.load")
        .order_by(col(AuditEvent.id).desc())
    ).first()
    assert last is not None and last.detail["replaced_service_version"] is True


def test_export_of_an_unknown_bank() -> None:
    result = runner.invoke(cli, ["banks", "export", "rasso"])
    assert result.exit_code == 1
    assert "rasso: no such version." in result.stderr
