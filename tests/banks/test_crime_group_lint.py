"""`banks check` and `banks load` on question_banks/crime_groups.yaml: a bank and a message set
for every group, and only an approver can make a group general."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from sqlmodel import Session
from typer.testing import CliRunner

from app.banks.crime_group_check import message_set_for
from app.cli import app as cli
from app.enums import Role
from tests.auth_helpers import create_staff_user
from tests.banks.conftest import REPO

runner = CliRunner()
SHIPPED = REPO / "question_banks"
GROUPS = (
    "groups:\n"
    "  - {slug: general, title: General crime, contact: general}\n"
    "  - {slug: rasso, title: Rape, contact: specialist}\n"
    "  - {slug: vawg, title: VAWG}\n"
)


def _copy(tmp_path: Path, groups: str = GROUPS, *, messages: str | None = None) -> Path:
    for name in ("general.yaml", "rasso.yaml", "vawg.yaml", "messages.yaml"):
        shutil.copy(SHIPPED / name, tmp_path / name)
    (tmp_path / "crime_groups.yaml").write_text(groups, encoding="utf-8")
    if messages is not None:
        (tmp_path / "messages.yaml").write_text(messages, encoding="utf-8")
    return tmp_path


def test_the_shipped_files_pass() -> None:
    result = runner.invoke(cli, ["banks", "check", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    assert "crime_groups.yaml" not in result.stdout


def test_every_group_needs_a_bank(tmp_path: Path) -> None:
    folder = _copy(tmp_path, GROUPS + "  - {slug: hate, title: Hate crime}\n")
    result = runner.invoke(cli, ["banks", "check", str(folder)])
    assert result.exit_code == 1
    assert f"{folder / 'crime_groups.yaml'}:hate: no bank file has crime_group hate\n" in (
        result.stdout
    )


def test_the_file_checked_alone_needs_no_bank(tmp_path: Path) -> None:
    folder = _copy(tmp_path, GROUPS + "  - {slug: hate, title: Hate crime}\n")
    result = runner.invoke(cli, ["banks", "check", str(folder / "crime_groups.yaml")])
    assert result.exit_code == 0, result.output


def test_every_group_needs_a_usable_message_set(tmp_path: Path) -> None:
    # The set general groups are sent from loses its reminder.
    broken = (SHIPPED / "messages.yaml").read_text(encoding="utf-8")
    broken = broken.replace("  reminder:\n", "  reminder_gone:\n", 1)
    folder = _copy(tmp_path, messages=broken)
    result = runner.invoke(cli, ["banks", "check", str(folder / "crime_groups.yaml")])
    assert result.exit_code == 1
    assert ":general: no usable message set for a general group in messages.yaml: the set " in (
        result.stdout
    )
    assert "has no reminder" in result.stdout


def test_message_set_for_a_contact_class() -> None:
    document = yaml.safe_load((SHIPPED / "messages.yaml").read_text(encoding="utf-8"))
    assert message_set_for(document, "general") is document["messages"]
    assert isinstance(message_set_for(document, "specialist"), dict)
    assert message_set_for("not a mapping", "general") is None


def test_a_group_marked_general_without_an_approver_is_an_error(tmp_path: Path) -> None:
    groups = GROUPS.replace("{slug: vawg, title: VAWG}", "{slug: vawg, title: V, contact: general}")
    folder = _copy(tmp_path, groups)
    result = runner.invoke(cli, ["banks", "check", str(folder)])
    assert result.exit_code == 1
    assert "vawg.contact: only an approver can make a group general" in result.stdout


def test_load_refuses_a_general_group_unless_an_active_approver_named_it(
    tmp_path: Path, db: Session
) -> None:
    groups = GROUPS.replace(
        "{slug: vawg, title: VAWG}",
        "{slug: vawg, title: V, contact: general, general_approved_by: Boss@Example.org}",
    )
    folder = _copy(tmp_path, groups)
    assert runner.invoke(cli, ["banks", "check", str(folder)]).exit_code == 0

    refused = runner.invoke(cli, ["banks", "load", str(folder)])
    assert refused.exit_code == 1
    assert "vawg: general_approved_by must name an active user with the approver role" in (
        refused.stderr
    )
    assert "Nothing loaded" in refused.stderr

    create_staff_user(db, Role.editor, email="boss@example.org")
    assert runner.invoke(cli, ["banks", "load", str(folder)]).exit_code == 1

    create_staff_user(db, Role.approver, email="other@example.org")
    approver_groups = groups.replace("Boss@Example.org", "other@example.org")
    (folder / "crime_groups.yaml").write_text(approver_groups, encoding="utf-8")
    loaded = runner.invoke(cli, ["banks", "load", str(folder)])
    assert loaded.exit_code == 0, loaded.output
