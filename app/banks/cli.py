"""CLI commands of the banks domain, registered by app/cli.py as `victim-voice banks ...`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from app.banks.files import DEFAULT_DIRECTORY, CheckedFiles, check_paths

app = typer.Typer(no_args_is_help=True)

PathsArgument = typer.Argument(
    None, help="Bank files or directories (default: question_banks/)", show_default=False
)
SCHEMA_PATH = Path("docs/bank-schema.json")


def _check_and_print(paths: list[Path] | None) -> CheckedFiles:
    result = check_paths(paths or [DEFAULT_DIRECTORY])
    for problem in result.problems:
        typer.echo(problem.format())
    typer.echo(
        f"{result.files_checked} file(s) checked: {result.errors} error(s), "
        f"{result.warnings} warning(s).",
        err=True,
    )
    return result


@app.command("check")
def check(paths: list[Path] | None = PathsArgument) -> None:
    """Validate and lint bank files; print every problem as file:question_id: message."""
    result = _check_and_print(paths)
    if result.errors:
        raise typer.Exit(1)


@app.command("load")
def load(
    paths: list[Path] | None = PathsArgument,
    replace_service_version: bool = typer.Option(
        False,
        "--replace-service-version",
        help="Publish even over a version made in the service (once the file holds that work)",
    ),
) -> None:
    """Check, then publish each bank whose content changed as a new version (idempotent)."""
    from app.banks.crime_group_check import unapproved_general_groups
    from app.banks.publishing import load_document
    from app.banks.support import load_support_services
    from app.db import session_scope

    result = _check_and_print(paths)
    if result.errors:
        typer.echo("Nothing loaded: fix the errors above first.", err=True)
        raise typer.Exit(1)
    refused = False
    with session_scope() as session:
        unapproved = unapproved_general_groups(session, result.crime_groups)
        for message in unapproved:
            typer.echo(message, err=True)
        if unapproved:
            typer.echo("Nothing loaded: only an approver can make a group general.", err=True)
            raise typer.Exit(1)
        for name, document in result.banks:
            outcome = load_document(
                session,
                document,
                actor="cli",
                file=Path(name).name,
                replace_service_version=replace_service_version,
            )
            typer.echo(outcome.message)
            refused = refused or outcome.status == "refused"
        for path in result.support_files:
            counts = load_support_services(session, path, actor="cli")
            typer.echo(
                "support services: "
                + ", ".join(f"{count} {what}" for what, count in counts.items())
            )
    if refused:
        raise typer.Exit(1)


@app.command("export")
def export(
    slug: str,
    version: int | None = typer.Option(None, help="Version number (default: latest published)"),
) -> None:
    """Print a version of a bank as a bank file (to copy service-made changes into the file)."""
    from app.banks import service
    from app.banks.yaml_files import document_as_yaml
    from app.db import session_scope

    with session_scope() as session:
        found = (
            service.get_version(session, slug, version)
            if version is not None
            else service.latest_published(session, slug)
        )
        if found is None:
            typer.echo(f"{slug}: no such version.", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"# {slug} version {found.version} ({found.status}, made in the "
            f"{'service' if found.source == 'service' else 'file'})"
        )
        typer.echo(document_as_yaml(found.document), nl=False)


@app.command("schema")
def schema(
    output: Path = typer.Option(SCHEMA_PATH, "--output", "-o", help="Where to write it"),
) -> None:
    """Write the JSON Schema of the bank format (docs/bank-schema.json) from the models."""
    output.write_text(schema_text(), encoding="utf-8")
    typer.echo(f"Wrote {output}")


def schema_text() -> str:
    from app.banks.schema import bank_json_schema

    return json.dumps(bank_json_schema(), indent=2, ensure_ascii=False) + "\n"


@app.command("sign-off")
def sign_off(
    slug: str,
    question_id: str,
    partner: str = typer.Option(..., "--partner", help="The partner organisation that reviewed it"),
    by: str = typer.Option(..., "--by", help="The approver recording it (their staff email)"),
) -> None:
    """Record a partner's sign-off of a question awaiting partner review (review: pending):
    its current wording is shown to victims from then on, in every version that has it."""
    from app.auth.service import get_user_by_email
    from app.banks import signoff
    from app.db import session_scope
    from app.enums import Role
    from app.errors import AppError

    try:
        with session_scope() as session:
            user = get_user_by_email(session, by)
            roles = set(user.roles) if user is not None else set()
            if (
                user is None
                or user.disabled_at is not None
                or not roles
                & {
                    Role.approver.value,
                    Role.admin.value,
                }
            ):
                typer.echo(
                    f"{by}: not an approver: only an approver can record a sign-off.", err=True
                )
                raise typer.Exit(1)
            recorded = signoff.sign_off(
                session,
                slug,
                question_id,
                partner=partner,
                approver=f"user:{user.id}",
                actor="cli",
            )
            typer.echo(
                f"{slug} {question_id}: signed off by {recorded.partner} "
                f"(wording {recorded.wording_hash[:12]})."
            )
    except AppError as exc:
        typer.echo(exc.detail, err=True)
        raise typer.Exit(1) from exc
