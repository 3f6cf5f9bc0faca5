"""Banks and their versions: reading, and the status rules every writer follows.

Services flush, never commit: the caller's transaction (a request, a CLI command) commits.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Annotated, Any

from pydantic import BeforeValidator
from sqlmodel import Session, col, select

from app.banks.models import BankVersion, QuestionBank

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
NOT_A_VERSION = f"A version is a whole number from 1 to {MAX_VERSION}, in the digits 0 to 9."
_PLAIN_DIGITS = re.compile(r"[0-9]{1,10}", re.ASCII)


def _version_number(value: object) -> object:
    """Plain ASCII digits in the range a version can have. Pydantic alone takes "+1", " 1" and
    "1_0" for numbers, and Python's int() takes other scripts' digits ("١٢" is 12), so one
    version would answer to many spellings; a number no column holds would reach the database."""
    if isinstance(value, str):
        if _PLAIN_DIGITS.fullmatch(value) is None:
            raise ValueError(NOT_A_VERSION)
        value = int(value)
    if isinstance(value, int) and not 1 <= value <= MAX_VERSION:
        raise ValueError(NOT_A_VERSION)
    return value


# The type of every version number a route reads from its path or query (422 for any other).
VersionNumber = Annotated[int, BeforeValidator(_version_number)]


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


def list_versions(session: Session, slug: str) -> list[BankVersion]:
    """Every version of a bank, newest first."""
    statement = (
        select(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(QuestionBank.slug == slug)
        .order_by(col(BankVersion.version).desc())
    )
    return list(session.exec(statement).all())
