"""Plain factories shared by the domain test packages: a question bank and an invitation."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sqlmodel import Session, select

from app.banks.models import BankVersion, QuestionBank
from app.db import utcnow
from app.invitations.models import Invitation, InvitationBatch


def create_question_bank(db: Session, slug: str, *, title: str | None = None) -> QuestionBank:
    """The bank with this slug, made (and flushed) if it is not there yet: one per slug."""
    bank = db.exec(select(QuestionBank).where(QuestionBank.slug == slug)).first()
    if bank is None:
        bank = QuestionBank(slug=slug, title=title if title is not None else slug.title())
        db.add(bank)
        db.flush()
    assert bank.id is not None
    return bank


def create_sms_invitation(
    db: Session, *, batch: InvitationBatch | None = None, **values: Any
) -> Invitation:
    """An SMS invitation (flushed), in `batch` or in a new batch of its own."""
    if batch is None:
        batch = InvitationBatch(created_by="test")
        db.add(batch)
        db.flush()
    invitation = Invitation(batch_id=batch.id, channel="sms", **values)
    db.add(invitation)
    db.flush()
    return invitation


def create_bank_version(
    db: Session,
    document: Mapping[str, Any],
    *,
    slug: str = "general",
    version: int = 1,
    status: str = "published",
    commit: bool = True,
) -> BankVersion:
    """A bank version holding `document` for bank `slug`, as `banks load` would leave it.

    The document's slug (and crime group, when it names one) become `slug`. Committed, or
    only flushed with `commit=False`.
    """
    content = {**document, "slug": slug}
    if "crime_group" in content:
        content["crime_group"] = slug
    bank = create_question_bank(db, slug)
    assert bank.id is not None
    row = BankVersion(
        bank_id=bank.id,
        version=version,
        status=status,
        document=content,
        content_hash=hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest(),
        source="file",
        created_by="test",
        last_edited_by="test",
        published_at=utcnow() if status == "published" else None,
    )
    db.add(row)
    db.flush()
    if commit:
        db.commit()
    return row


def link_token(db: Session, invitation: Invitation) -> str:
    """The survey link token of `invitation`, made as dispatch makes it (and kept: the same
    token on every call while its encrypted copy is held). Flushes, does not commit."""
    from app.invitations.links import issue_link

    token = issue_link(invitation)
    db.add(invitation)
    db.flush()
    return token


def token_in(body: str, base_url: str = "http://testserver") -> str:
    """The survey token in a sent message's body (the link, not its stop link)."""
    import re

    from app.invitations.links import TOKEN_LENGTH

    match = re.search(re.escape(base_url.rstrip("/")) + r"/s/([^\s/]+)", body)
    assert match, "no survey link in the message"
    token = match.group(1)
    assert len(token) == TOKEN_LENGTH, token
    return token
