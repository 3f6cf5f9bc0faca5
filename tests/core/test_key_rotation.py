"""`victim-voice rotate-keys` re-encrypts every encrypted field of every table, so that the old
key can be removed: after it, every stored value decrypts under the new key alone."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlmodel import Session
from typer.testing import CliRunner

from app import models as _all_tables  # noqa: F401  (every table in the metadata)
from app.cli import app as cli_app
from app.crypto import decrypt, encrypt
from app.db import metadata
from app.enums import Role
from app.invitations.dispatch import dispatch_once
from app.invitations.models import Invitation
from app.settings import get_settings
from app.survey.models import ContactRequest, ContactRequestFiled
from tests.auth_helpers import create_staff_user
from tests.invitations.factories import RecordingSender, make_row, upload


def encrypted_columns() -> list[tuple[str, str]]:
    return [
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if column.name.endswith("_encrypted")
    ]


def _store_one_of_each(db: Session) -> None:
    upload(db, [make_row(safe_time="Mon-Sun 00:00-23:59")])
    dispatch_once(sender=RecordingSender())  # a link kept, encrypted, for the reminder
    invitation = db.scalars(select(Invitation)).one()
    request = ContactRequest(
        details_encrypted=encrypt('{"name": "B"}'),
        earlier_details_encrypted=encrypt('[{"details": {"name": "A"}, "given_at": "2026-12-01"}]'),
        crime_group="general",
    )
    db.add(request)
    db.flush()
    db.add(
        ContactRequestFiled(invitation_id=invitation.id, request_ref_encrypted=encrypt(request.id))
    )
    user = create_staff_user(db, Role.analyst)
    user.totp_secret_encrypted = encrypt("JBSWY3DPEHPK3PXP")
    db.add(user)
    db.commit()


def test_every_encrypted_field_decrypts_under_the_new_key_alone(
    db: Session, settings_override: Any
) -> None:
    _store_one_of_each(db)
    old_key = get_settings().encryption_keys
    new_key = Fernet.generate_key().decode()
    settings_override(VV_ENCRYPTION_KEYS=f"{new_key},{old_key}")

    result = CliRunner().invoke(cli_app, ["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "Re-encrypted 1 contact details" in result.output

    settings_override(VV_ENCRYPTION_KEYS=new_key)  # the old key is gone
    columns = encrypted_columns()
    assert len(columns) >= 6
    for table, column in columns:
        values = (
            db.execute(text(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL'))
            .scalars()
            .all()
        )
        assert values, f"{table}.{column}: the test stores none, so it proves nothing"
        for value in values:
            decrypt(value)  # raises if any value is still under the old key alone


def test_the_old_command_name_still_works(db: Session, settings_override: Any) -> None:
    _store_one_of_each(db)
    old_key = get_settings().encryption_keys
    settings_override(VV_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},{old_key}")
    assert CliRunner().invoke(cli_app, ["invitations", "rotate-keys"]).exit_code == 0
