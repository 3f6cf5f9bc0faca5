"""Demo data for trying the service locally (never run in production)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from sqlmodel import Session

from app.banks.models import BankVersion
from app.crypto import encrypt
from app.db import session_scope, utcnow
from app.enums import CRIME_GROUPS, Role
from app.settings import get_settings

BANKS_DIR = Path(__file__).resolve().parent.parent / "question_banks"
DEMO_PASSWORD = "demo-password-change-me"  # noqa: S105 - a published demo credential
# A fixed TOTP secret so the demo can be tried without first enrolling an authenticator app.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# (email, roles, banks an editor may draft): the README's table of demo users lists these.
DEMO_USERS: list[tuple[str, list[Role], list[str]]] = [
    ("admin@example.org", [Role.admin], []),
    ("analyst@example.org", [Role.analyst], []),
    ("approver@example.org", [Role.approver], []),
    ("partner@example.org", [Role.editor], list(CRIME_GROUPS)),
    # A second editor, of one bank: the two-person rule (an author never approves) needs two.
    ("partner-vawg@example.org", [Role.editor], ["vawg"]),
    ("isva@example.org", [Role.support_worker], []),
]
# The support service of the demo's support worker and of its handed-over invitation.
DEMO_SUPPORT_SERVICE = "rape_crisis_support_line"


def demo_accounts(session: Session) -> list[str]:
    """The demo's staff accounts in this database that can still sign in (their password and
    authenticator secret are published, so a production service must not start beside one)."""
    from app.auth.service import get_user_by_email

    found = [(email, get_user_by_email(session, email)) for email, _, _ in DEMO_USERS]
    return [email for email, user in found if user is not None and user.disabled_at is None]


def seed_demo() -> Iterator[str]:
    """Seed banks, staff users and a dispatched batch, and say how to try them; idempotent."""
    settings = get_settings()
    if settings.env == "production":
        yield "The demo never runs with VV_ENV=production."
        return
    yield from _load_banks()
    with session_scope() as session:
        yield from _demo_users(session)
    from app.invitations.demo import seed_demo_batch

    with session_scope() as session:
        links = seed_demo_batch(session)
    yield from _seed_figures()
    yield ""
    yield f"Victim Voice demo at {settings.base_url}"
    yield f"Staff sign-in: {settings.base_url}/staff/login"
    yield f"  users: {', '.join(email for email, *_ in DEMO_USERS)}; password: {DEMO_PASSWORD}"
    yield (
        "  second factor: add the key "
        f"{DEMO_TOTP_SECRET} to an authenticator app, or run "
        f".venv/bin/python -c \"import pyotp; print(pyotp.TOTP('{DEMO_TOTP_SECRET}').now())\""
    )
    yield "Survey links (as the victims would receive them):"
    yield from (f"  {line}" for line in links)
    yield (
        f"A survey a support service hands over: sign in as isva@example.org, go to "
        f"{settings.base_url}/staff/support/ and look up the crime reference DEMO-0006; the "
        f"victim types the code at {settings.base_url}/code"
    )


def _seed_figures() -> Iterator[str]:
    """Six quarters of responses, the force's self-assessments and a few actions, so the
    dashboard, the compliance view and the report show real patterns at once."""
    from app.reporting.demo_actions import seed_demo_actions
    from app.reporting.demo_compliance import seed_demo_self_assessments
    from app.reporting.demo_responses import seed_demo_history

    with session_scope() as session:
        yield seed_demo_history(session)
    with session_scope() as session:
        yield seed_demo_self_assessments(session)
    with session_scope() as session:
        yield seed_demo_actions(session)


def _load_banks() -> Iterator[str]:
    """Publish the shipped banks that changed; skip, and say so, any bank whose newest version
    was made in the service (a partner's work, approved or under way, is never loaded over)."""
    from app.banks import service
    from app.banks.files import check_paths
    from app.banks.publishing import load_document
    from app.banks.signoff import DEMO_PARTNER, sign_off_shipped_for_demo
    from app.banks.support import load_support_services

    checked = check_paths([BANKS_DIR])
    yield from (problem.format() for problem in checked.problems if problem.severity == "error")
    if checked.errors:
        yield "Banks not loaded: the shipped files have the errors above."
        return
    with session_scope() as session:
        for name, document in checked.banks:
            newest = _newest_version(session, document.slug)
            if newest is not None and newest.source == service.SOURCE_SERVICE:
                yield (
                    f"{document.slug}: skipped: its newest version ({newest.version}, "
                    f"{newest.status}) was made in the service, so the demo leaves the bank as "
                    f"it is (victim-voice banks export {document.slug} shows the published one)"
                )
                continue
            outcome = load_document(session, document, actor="demo", file=Path(name).name)
            yield outcome.message
        for path in checked.support_files:
            counts = load_support_services(session, path, actor="demo")
            yield "support services: " + ", ".join(f"{n} {what}" for what, n in counts.items())
        # The shipped banks' new questions await a partner's review; the demo shows them whole
        # under a partner name that says it is no review.
        signed = sign_off_shipped_for_demo(session)
        if signed:
            yield f"questions awaiting partner review: {signed} signed off as {DEMO_PARTNER!r}"


def _newest_version(session: Session, slug: str) -> BankVersion | None:
    from app.banks.service import list_versions

    versions = list_versions(session, slug)
    return versions[0] if versions else None


def _demo_users(session: Session) -> Iterator[str]:
    from app.auth.service import create_user, get_user_by_email

    for email, roles, banks in DEMO_USERS:
        if get_user_by_email(session, email) is not None:
            continue
        user = create_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            roles=roles,
            bank_scopes=banks,
            support_scopes=[DEMO_SUPPORT_SERVICE] if Role.support_worker in roles else [],
            actor="demo",
        )
        user.totp_secret_encrypted = encrypt(DEMO_TOTP_SECRET)
        user.totp_confirmed_at = utcnow()
        yield f"created staff user {email}"
