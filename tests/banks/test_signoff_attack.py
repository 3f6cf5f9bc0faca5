"""Attacks on the partner sign-off (issue 13): hostile form input is a GOV.UK error summary,
never a 500 and never a half-written record; a disabled approver records nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.auth.models import StaffUser as User
from app.banks import signoff
from app.banks.models import QuestionSignoff
from app.enums import Role
from tests.auth_helpers import signed_in_client, staff_csrf_token
from tests.banks.test_signoff import bank
from tests.factories import create_bank_version

URL = "/staff/banks/general/sign-offs"


def _form(**values: str) -> dict[str, str]:
    digest = signoff.wording_hash(bank()["sections"][0]["questions"][1])
    return {"question_id": "named_officer", "wording_hash": digest, "partner": "Rape Crisis",
            **values}  # fmt: skip


@pytest.mark.parametrize(
    "values",
    [
        {"partner": "R" * 100_000},  # huge
        {"partner": "Rape Crisis\u202e evil"},  # right-to-left override
        {"partner": "Rape\u200b Crisis"},  # zero-width space
        {"partner": "\u3000\u00a0\n\t"},  # only white space
        {"wording_hash": "0" * 64},  # forged hash
        {"wording_hash": "x" * 10_000},
        {"question_id": "named_officer<script>alert(1)</script>"},
        {"question_id": "q" * 50_000},
        {"question_id": "\u202enamed_officer"},
    ],
)
def test_hostile_sign_off_input_is_an_error_summary_and_records_nothing(
    client: TestClient, db: Session, values: dict[str, str]
) -> None:
    create_bank_version(db, bank())
    approver = signed_in_client(client, db, [Role.approver])
    answer = approver.post(URL, data={**_form(**values), "csrf_token": staff_csrf_token(approver)})
    assert answer.status_code == 422, answer.text[:300]
    assert "govuk-error-summary" in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert db.exec(select(QuestionSignoff)).all() == []


def test_a_disabled_approver_cannot_sign_off(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank())
    approver = signed_in_client(client, db, [Role.approver])
    token = staff_csrf_token(approver)
    for user in db.exec(select(User)).all():
        user.disabled_at = datetime.now(UTC)
        db.add(user)
    db.commit()
    answer = approver.post(URL, data={**_form(), "csrf_token": token}, follow_redirects=False)
    assert answer.status_code in (303, 401, 403)
    if answer.status_code == 303:
        assert "sign-in" in answer.headers["location"] or "login" in answer.headers["location"]
    assert db.exec(select(QuestionSignoff)).all() == []


@pytest.mark.parametrize(
    ("args", "by_disabled"),
    [
        (["general", "named_officer", "--partner", "P" * 100_000], False),
        (["general", "named_officer", "--partner", "Rape\u202eCrisis"], False),
        (["general", "named_officer", "--partner", "\u200b"], False),
        (["general", "q" * 10_000, "--partner", "Rape Crisis"], False),
        (["g\u0301eneral", "named_officer", "--partner", "Rape Crisis"], False),
        (["general", "named_officer", "--partner", "Rape Crisis"], True),  # disabled approver
    ],
)
def test_hostile_cli_sign_off_is_a_clear_error_and_records_nothing(
    db: Session, args: list[str], by_disabled: bool
) -> None:
    from typer.testing import CliRunner

    from app.cli import app as cli
    from tests.auth_helpers import create_staff_user

    create_bank_version(db, bank())
    approver = create_staff_user(db, Role.approver, email="approver@example.org")
    if by_disabled:
        approver.disabled_at = datetime.now(UTC)
        db.add(approver)
        db.commit()
    answer = CliRunner().invoke(cli, ["banks", "sign-off", *args, "--by", approver.email])
    assert answer.exit_code == 1, answer.output
    assert answer.exception is None or isinstance(answer.exception, SystemExit)
    assert answer.output.strip() and "Traceback" not in answer.output
    db.expire_all()
    assert db.exec(select(QuestionSignoff)).all() == []


@pytest.mark.parametrize("slug", ["nope", "g" * 5_000, "general%20x", "..%2f..%2fetc"])
def test_a_sign_off_for_an_unknown_bank_is_not_found_and_records_nothing(
    client: TestClient, db: Session, slug: str
) -> None:
    create_bank_version(db, bank())
    approver = signed_in_client(client, db, [Role.approver])
    answer = approver.post(
        f"/staff/banks/{slug}/sign-offs",
        data={**_form(), "csrf_token": staff_csrf_token(approver)},
    )
    assert answer.status_code in (404, 422), answer.text[:300]
    assert db.exec(select(QuestionSignoff)).all() == []
