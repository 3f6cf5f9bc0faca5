"""`victim-voice banks check` and `banks schema`: what a partner sees at the command line."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from app.banks.cli import schema_text
from app.cli import app as cli
from tests.banks.conftest import APPROVED_URDU, REPO

runner = CliRunner()
FIXTURES = Path(__file__).parent / "fixtures"


def test_check_passes_a_valid_bank() -> None:
    result = runner.invoke(cli, ["banks", "check", str(APPROVED_URDU)])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr == "1 file(s) checked: 0 error(s), 0 warning(s).\n"


def test_check_prints_file_question_and_message_and_fails_on_errors() -> None:
    path = FIXTURES / "show_if_unknown.yaml"
    result = runner.invoke(cli, ["banks", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:q1: show_if refers to unknown question 'nowhere'\n" in result.stdout
    # 1 + 15 metrics not fed + 12 rights missing at their touchpoints
    assert result.stderr.startswith("1 file(s) checked: 28 error(s), 0 warning(s).")


def test_warnings_alone_do_not_fail(tmp_path: Path) -> None:
    bank = tmp_path / "general.yaml"
    text = APPROVED_URDU.read_text(encoding="utf-8").replace(
        "text: Were you told how the case was going?",
        "text: Were you told how the case was going?\n"
        "        waivers: [{rule: too_long, reason: none needed}]",
    )
    bank.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["banks", "check", str(bank)])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"{bank}:right_6_updates: warning: the waiver for rule too_long is not needed: remove it\n"
    )


def test_a_directory_checks_every_yaml_file_and_the_support_file(tmp_path: Path) -> None:
    shutil.copy(APPROVED_URDU, tmp_path / "general.yaml")
    (tmp_path / "support_services.yaml").write_text(
        "services:\n  - key: helpline\n    name: A helpline\n    helps_with: Someone to talk to.\n"
        "    phone: '0800 000 000'\n    crime_group: everyone\n  - key: no_contact\n"
        "    name: Nowhere\n    helps_with: Nothing.\n",
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not a bank", encoding="utf-8")
    result = runner.invoke(cli, ["banks", "check", str(tmp_path)])
    assert result.exit_code == 1
    support = tmp_path / "support_services.yaml"
    assert result.stdout == (
        f"{support}:helpline: crime_group: must be 'general', 'rasso' or 'vawg'\n"
    )
    assert result.stderr.startswith("2 file(s) checked: 1 error(s)")


def test_support_file_needs_a_way_to_reach_the_service(tmp_path: Path) -> None:
    (tmp_path / "support_services.yaml").write_text(
        "- key: no_contact\n  name: Nowhere\n  helps_with: Nothing.\n"
        "- key: no_contact\n  name: Twice\n  helps_with: Nothing.\n  website: https://example.org\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["banks", "check", str(tmp_path)])
    assert result.exit_code == 1
    support = tmp_path / "support_services.yaml"
    assert result.stdout == (
        f"{support}:no_contact: service key 'no_contact' is used more than once\n"
        f"{support}:no_contact: give a phone number or a website\n"
    )


def test_two_files_with_one_slug(tmp_path: Path) -> None:
    shutil.copy(APPROVED_URDU, tmp_path / "a.yaml")
    shutil.copy(APPROVED_URDU, tmp_path / "b.yaml")
    result = runner.invoke(cli, ["banks", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{tmp_path / 'b.yaml'}:(bank): slug 'general' is also the slug of {tmp_path / 'a.yaml'}\n"
    )


def test_messages_file_is_checked_by_the_messaging_linter(tmp_path: Path) -> None:
    (tmp_path / "messages.yaml").write_text("nothing: here\n", encoding="utf-8")
    result = runner.invoke(cli, ["banks", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == (
        f"{tmp_path / 'messages.yaml'}:messages: the file needs a `messages` mapping\n"
    )


def test_missing_file() -> None:
    result = runner.invoke(cli, ["banks", "check", "no/such/bank.yaml"])
    assert result.exit_code == 1
    assert result.stdout == "no/such/bank.yaml:(bank): no such file\n"


def test_committed_json_schema_is_current(tmp_path: Path) -> None:
    committed = REPO / "docs" / "bank-schema.json"
    assert committed.read_text(encoding="utf-8") == schema_text(), (
        "docs/bank-schema.json is out of date: run `victim-voice banks schema`"
    )
    out = tmp_path / "schema.json"
    result = runner.invoke(cli, ["banks", "schema", "--output", str(out)])
    assert result.exit_code == 0
    assert out.read_text(encoding="utf-8") == schema_text()


def test_json_schema_describes_the_format() -> None:
    import json

    schema = json.loads(schema_text())
    question = schema["$defs"]["Question"]
    assert question["additionalProperties"] is False
    assert question["properties"]["type"]["enum"] == ["single", "multi", "scale", "yes_no", "text"]
    assert set(schema["required"]) == {"slug", "title"}


def test_an_empty_folder_is_an_error(tmp_path: Path) -> None:
    result = runner.invoke(cli, ["banks", "check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout == f"{tmp_path}:(bank): no .yaml files in this folder\n"


def test_check_lints_the_messages_with_the_deployments_own_settings(tmp_path: Path) -> None:
    """The command reads VV_BASE_URL, VV_VERIFY_URL and VV_ORGANISATION from the environment,
    as the service does: the same file passes on a neutral deployment and fails on one whose
    domain names the PCC."""
    shutil.copy(REPO / "question_banks" / "messages.yaml", tmp_path / "messages.yaml")
    neutral = {
        "VV_BASE_URL": "https://yourviews.example.org.uk",
        "VV_VERIFY_URL": "",
        "VV_ORGANISATION": "Office of the Police and Crime Commissioner",
    }
    clean = runner.invoke(cli, ["banks", "check", str(tmp_path)], env=neutral)
    assert clean.exit_code == 0, clean.output
    telling = {**neutral, "VV_BASE_URL": "https://victims.westmidlands-pcc.gov.uk"}
    failing = runner.invoke(cli, ["banks", "check", str(tmp_path)], env=telling)
    assert failing.exit_code == 1
    errors = [line for line in failing.stdout.splitlines() if "as sent, names pcc, victim" in line]
    assert errors and all(":specialist_messages." in line for line in errors)
    assert any("specialist_messages.invitation.sms.body[en]" in line for line in errors)


def test_check_fails_an_smtp_sender_that_names_the_police(tmp_path: Path) -> None:
    shutil.copy(REPO / "question_banks" / "messages.yaml", tmp_path / "messages.yaml")
    neutral = {
        "VV_BASE_URL": "https://yourviews.example.org.uk",
        "VV_VERIFY_URL": "",
        "VV_SENDER": "smtp",
        "VV_SMTP_URL": "smtp://mail.example.org:25?from=no-reply@yourviews.example.org.uk",
    }
    assert runner.invoke(cli, ["banks", "check", str(tmp_path)], env=neutral).exit_code == 0
    telling = {**neutral, "VV_SMTP_URL": "smtp://mail:25?from=surveys@northshire-police.uk"}
    failing = runner.invoke(cli, ["banks", "check", str(tmp_path)], env=telling)
    assert failing.exit_code == 1
    assert "specialist_messages.email.sender: the email sender (VV_SMTP_URL) names police" in (
        failing.stdout
    )
