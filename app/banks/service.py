"""Banks and their versions: reading, and the status rules every writer follows.

Services flush, never commit: the caller's transaction (a request, a CLI command) commits.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sqlmodel import Session, col, select

from app import audit
from app.audit import AuditEvent
from app.banks.models import BankVersion, QuestionBank
from app.db import utcnow as now

DRAFT = "draft"
IN_REVIEW = "in_review"
PUBLISHED = "published"
RETIRED = "retired"
SOURCE_FILE = "file"
SOURCE_SERVICE = "service"


def content_hash(document: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a normalised document: equal content, equal hash."""
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_audit(session: Session, **values: Any) -> AuditEvent:
    """app.audit.record with an aware time (its default is naive, which UTCDateTime refuses)."""
    event = audit.record(session, **values)
    event.occurred_at = now()
    return event


def get_bank(session: Session, slug: str) -> QuestionBank | None:
    return session.exec(select(QuestionBank).where(QuestionBank.slug == slug)).first()


def list_banks(session: Session) -> list[QuestionBank]:
    return list(session.exec(select(QuestionBank).order_by(col(QuestionBank.slug))).all())


def latest_published(session: Session, slug: str) -> BankVersion | None:
    """The version of `slug` victims are asked now, or None if none is published."""
    statement = (
        select(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(QuestionBank.slug == slug, BankVersion.status == PUBLISHED)
        .order_by(col(BankVersion.version).desc())
    )
    return session.exec(statement).first()


# bank_version.version is an INTEGER column (32 bits on PostgreSQL).
MAX_VERSION = 2**31 - 1


def get_version(session: Session, slug: str, version: int) -> BankVersion | None:
    """One version of a bank, whatever its status, or None."""
    if not 1 <= version <= MAX_VERSION:
        # A number from a path or query no column can hold: SQLite would raise OverflowError
        # and PostgreSQL a numeric comparison error, where the answer is simply "no such version".
        return None
    statement = (
        select(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(QuestionBank.slug == slug, BankVersion.version == version)
    )
    return session.exec(statement).first()


def get_version_by_id(session: Session, version_id: int) -> BankVersion | None:
    return session.get(BankVersion, version_id)


def list_versions(session: Session, slug: str) -> list[BankVersion]:
    """Every version of a bank, newest first."""
    statement = (
        select(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(QuestionBank.slug == slug)
        .order_by(col(BankVersion.version).desc())
    )
    return list(session.exec(statement).all())
