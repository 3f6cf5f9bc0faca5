"""The two-person rule: nobody approves a bank version whose content they changed, or whose
new words they wrote in any draft of the bank (provenance follows words between drafts).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from app.banks import provenance, service
from app.banks.models import BankContentAuthor, BankVersion, BankVersionContributor
from app.db import utcnow as now


def record_contribution(session: Session, version: BankVersion, contributor: str) -> None:
    """Note that `contributor` changed this version's content (kept once, for good)."""
    values = {
        "bank_version_id": version.id,
        "contributor": contributor,
        "first_changed_at": now(),
    }
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            postgresql.insert(BankVersionContributor).values(values).on_conflict_do_nothing()
        )
    else:
        session.execute(
            sqlite.insert(BankVersionContributor).values(values).on_conflict_do_nothing()
        )


def record_authorship(
    session: Session,
    bank_id: int,
    document: dict[str, Any],
    base: dict[str, Any] | None,
    author: str,
) -> None:
    """Note `author` as a writer of every unit of `document` that differs from `base`."""
    hashes = sorted(provenance.changed_units(document, base))
    if not hashes:
        return
    rows = [
        {"bank_id": bank_id, "unit_hash": digest, "author": author, "first_written_at": now()}
        for digest in hashes
    ]
    if session.get_bind().dialect.name == "postgresql":
        session.execute(postgresql.insert(BankContentAuthor).values(rows).on_conflict_do_nothing())
    else:
        session.execute(sqlite.insert(BankContentAuthor).values(rows).on_conflict_do_nothing())


def authors_of_changes(session: Session, version: BankVersion) -> set[str]:
    """Whoever wrote, in any draft of this bank, a unit where `version` differs from the
    published version: the words being approved, wherever they were first written."""
    published = published_document(session, version.bank_id)
    hashes = provenance.changed_units(version.document, published)
    if not hashes:
        return set()
    return set(
        session.exec(
            select(BankContentAuthor.author).where(
                BankContentAuthor.bank_id == version.bank_id,
                col(BankContentAuthor.unit_hash).in_(sorted(hashes)),
            )
        ).all()
    )


def published_document(session: Session, bank_id: int) -> dict[str, Any] | None:
    latest = session.exec(
        select(BankVersion)
        .where(BankVersion.bank_id == bank_id, BankVersion.status == service.PUBLISHED)
        .order_by(col(BankVersion.version).desc())
    ).first()
    return latest.document if latest is not None else None


def contributors(session: Session, version_id: int) -> set[str]:
    """Everyone who ever changed this version's content ("user:<id>" or "key:<prefix>")."""
    return contributors_by_version(session, [version_id]).get(version_id, set())


def contributors_by_version(session: Session, version_ids: list[int]) -> dict[int, set[str]]:
    rows = session.exec(
        select(BankVersionContributor.bank_version_id, BankVersionContributor.contributor).where(
            col(BankVersionContributor.bank_version_id).in_(version_ids)
        )
    ).all()
    found: dict[int, set[str]] = {}
    for version_id, contributor in rows:
        found.setdefault(version_id, set()).add(contributor)
    return found


def may_approve(session: Session, version: BankVersion, person: str | None) -> bool:
    """True if `person` may approve: a named person who never changed this version's content
    and wrote none of the words it would publish (in this draft or any other)."""
    assert version.id is not None
    if person is None or person in contributors(session, version.id):
        return False
    return person not in authors_of_changes(session, version)
