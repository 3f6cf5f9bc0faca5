"""Demo data for trying the service locally (never run in production)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from app.crypto import encrypt
from app.db import session_scope, utcnow
from app.enums import Role
from app.settings import get_settings

BANKS_DIR = Path(__file__).resolve().parent.parent / "question_banks"
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 - a published demo credential
# A fixed TOTP secret so the demo can be tried without first enrolling an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
DEMO_USERS: list[tuple[str, list[Role]]] = [
    ("admin@example.org", [Role.admin]),
    ("analyst@example.org", [Role.analyst]),
    ("partner@example.org", [Role.editor]),
]


def seed_demo() -> Iterator[str]:
    """Seed banks, staff users and a dispatched batch, and say how to try them; idempotent."""
    settings = get_settings()
    if settings.env == "production":
        yield "The demo never runs with VV_ENV=production."
        return
    from app.banks.cli import load

    load(paths=[BANKS_DIR], replace_service_version=False)
    with session_scope() as session:
        yield from _demo_users(session)
    from app.invitations.demo import seed_demo_batch

    with session_scope() as session:
        links = seed_demo_batch(session)
    yield ""
    yield f"Victim Voice demo at {settings.base_url}"
    yield f"Staff sign-in: {settings.base_url}/staff/login"
    yield f"  users: {', '.join(email for email, _ in DEMO_USERS)}; password: {DEMO_PASSWORD}"
    yield (
        "  second factor: add the key "
        f"{DEMO_TOTP_SECRET} to an authenticator app, or run "
        f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    )
    yield "Survey links (as the victims would receive them):"
    yield from (f"  {line}" for line in links)


def _demo_users(session: Session) -> Iterator[str]:
    from app.auth.service import create_user, get_user_by_email

    for email, roles in DEMO_USERS:
        if get_user_by_email(session, email) is not None:
            continue
        user = create_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            roles=roles,
            bank_scopes=["general", "rasso", "vawg"] if Role.editor in roles else [],
            actor="demo",
        )
        user.totp_secret_encrypted = encrypt(DEMO_TOTP_SECRET)
        user.totp_confirmed_at = utcnow()
        yield f"created staff user {email}"
