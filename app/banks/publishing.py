"""Publishing bank versions: the steps every new version takes (its bank, its number, the audit
event), making one the published version, and loading bank files (banks load).

A published version never changes; publishing a newer one retires it. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app import audit
from app.banks import service
from app.banks.models import BankVersion, QuestionBank
from app.banks.schema import BankDocument, normalize
from app.db import utcnow as now
from app.errors import Conflict

LoadStatus = Literal["published", "unchanged", "refused"]


@dataclass(frozen=True)
class LoadResult:
    slug: str
    status: LoadStatus
    version: int | None
    message: str


def _english_title(document: BankDocument) -> str:
    title = document.title
    return title if isinstance(title, str) else str(title["en"])


def ensure_bank(session: Session, document: BankDocument) -> QuestionBank:
    bank = service.get_bank(session, document.slug)
    if bank is None:
        bank = QuestionBank(slug=document.slug, title=_english_title(document))
        session.add(bank)
        flush_new(session)
    return bank


def flush_new(session: Session) -> None:
    """Flush a new bank or version; losing a race for its number is a 409, not a 500."""
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(
            "Another change to this bank was saved at the same moment: try again."
        ) from error


def next_version(session: Session, bank_id: int) -> int:
    statement = select(func.max(BankVersion.version)).where(BankVersion.bank_id == bank_id)
    latest = session.exec(statement).one()
    return int(latest or 0) + 1


def record_version_event(
    session: Session, *, actor: str, action: str, slug: str, version: int, **detail: Any
) -> None:
    """Audit an action on one bank version: its detail always names the slug and version."""
    audit.record(
        session,
        actor=actor,
        action=action,
        object_type="bank_version",
        object_id=f"{slug}:{version}",
        detail={"slug": slug, "version": version, **detail},
    )


def publish(session: Session, bank: QuestionBank, version: BankVersion, actor: str) -> None:
    """Make `version` the published one, retiring the one before; the bank takes its title."""
    previous = service.latest_published(session, bank.slug)
    if previous is not None and previous.id != version.id:
        previous.status = service.RETIRED
        previous.updated_at = now()
        session.add(previous)
    version.status = service.PUBLISHED
    version.published_at = now()
    version.updated_at = version.published_at
    bank.title = str(_title_of(version.document))
    session.add_all([version, bank])
    session.flush()
    record_version_event(
        session,
        actor=actor,
        action="bank.publish",
        slug=bank.slug,
        version=version.version,
        source=version.source,
        retired=previous.version if previous is not None else None,
    )


def _title_of(document: dict[str, Any]) -> str:
    title = document.get("title")
    return str(title.get("en") if isinstance(title, dict) else title)


# --- bank files -------------------------------------------------------------------------------


def load_document(
    session: Session,
    document: BankDocument,
    *,
    actor: str = "cli",
    file: str = "",
    replace_service_version: bool = False,
) -> LoadResult:
    """Publish a checked bank file if its content changed since the latest published version.

    Refuses when the latest published version was made in the service: loading the file would
    silently overwrite a partner's approved work. `replace_service_version` is the operator's
    explicit, audited choice to publish anyway, once the file holds that work.
    """
    stored = normalize(document)
    digest = service.content_hash(stored)
    latest = service.latest_published(session, document.slug)
    result = _unpublished(document.slug, latest, digest, replace_service_version)
    if result is None:
        result = _publish_file(session, document, stored, digest, actor=actor, file=file)
    audit.record(
        session,
        actor=actor,
        action="bank.load",
        object_type="question_bank",
        object_id=document.slug,
        detail={
            "slug": document.slug,
            "result": result.status,
            "version": result.version,
            "replaced_service_version": bool(
                replace_service_version
                and result.status == "published"
                and latest is not None
                and latest.source == service.SOURCE_SERVICE
            ),
        },
    )
    return result


def _unpublished(
    slug: str, latest: BankVersion | None, digest: str, replace_service_version: bool
) -> LoadResult | None:
    """Why the file is not published (unchanged, or it would overwrite service work), or None."""
    if latest is not None and latest.content_hash == digest:
        return LoadResult(
            slug, "unchanged", latest.version, f"{slug}: unchanged (version {latest.version})"
        )
    if (
        latest is not None
        and latest.source == service.SOURCE_SERVICE
        and not replace_service_version
    ):
        return LoadResult(
            slug,
            "refused",
            latest.version,
            f"{slug}: refused: the published version {latest.version} was made and approved in "
            "the service, and loading this file would overwrite it. Copy that version into the "
            f"file first (victim-voice banks export {slug}), make your change, then load with "
            "--replace-service-version; or make the change in the service.",
        )
    return None


def _publish_file(
    session: Session,
    document: BankDocument,
    stored: dict[str, Any],
    digest: str,
    *,
    actor: str,
    file: str,
) -> LoadResult:
    bank = ensure_bank(session, document)
    assert bank.id is not None
    version = BankVersion(
        bank_id=bank.id,
        version=next_version(session, bank.id),
        status=service.DRAFT,
        document=stored,
        content_hash=digest,
        source=service.SOURCE_FILE,
        change_note=f"Loaded from {file}" if file else "Loaded from a file",
        created_by=actor,
        last_edited_by=actor,
        approved_by=actor,
    )
    session.add(version)
    flush_new(session)
    publish(session, bank, version, actor)
    slug = document.slug
    return LoadResult(
        slug, "published", version.version, f"{slug}: published version {version.version}"
    )
