"""Writing bank versions: publishing files (banks load); partner drafts, review and publishing.

A published version never changes; publishing a newer one retires it. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.banks import service
from app.banks.limits import document_size_problem
from app.banks.lint import Problem, check_document
from app.banks.models import BankVersion, QuestionBank
from app.banks.schema import BankDocument, normalize
from app.banks.service import record_audit
from app.db import utcnow as now
from app.errors import Conflict, Forbidden, InvalidInput, NotFound

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


def _ensure_bank(session: Session, document: BankDocument) -> QuestionBank:
    bank = service.get_bank(session, document.slug)
    if bank is None:
        bank = QuestionBank(slug=document.slug, title=_english_title(document))
        session.add(bank)
        _flush_new(session)
    return bank


def _flush_new(session: Session) -> None:
    """Flush a new bank or version; losing a race for its number is a 409, not a 500."""
    try:
        session.flush()
    except IntegrityError as error:
        raise Conflict(
            "Another change to this bank was saved at the same moment: try again."
        ) from error


def _next_version(session: Session, bank_id: int) -> int:
    statement = select(func.max(BankVersion.version)).where(BankVersion.bank_id == bank_id)
    latest = session.exec(statement).one()
    return int(latest or 0) + 1


def _record_version_event(
    session: Session, *, actor: str, action: str, slug: str, version: int, **detail: Any
) -> None:
    """Audit an action on one bank version: its detail always names the slug and version."""
    record_audit(
        session,
        actor=actor,
        action=action,
        object_type="bank_version",
        object_id=f"{slug}:{version}",
        detail={"slug": slug, "version": version, **detail},
    )


def _publish(session: Session, bank: QuestionBank, version: BankVersion, actor: str) -> None:
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
    _record_version_event(
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
    slug = document.slug
    latest = service.latest_published(session, slug)
    if latest is not None and latest.content_hash == digest:
        result = LoadResult(
            slug, "unchanged", latest.version, f"{slug}: unchanged (version {latest.version})"
        )
    elif (
        latest is not None
        and latest.source == service.SOURCE_SERVICE
        and not replace_service_version
    ):
        result = LoadResult(
            slug,
            "refused",
            latest.version,
            f"{slug}: refused: the published version {latest.version} was made and approved in "
            "the service, and loading this file would overwrite it. Copy that version into the "
            f"file first (victim-voice banks export {slug}), make your change, then load with "
            "--replace-service-version; or make the change in the service.",
        )
    else:
        bank = _ensure_bank(session, document)
        assert bank.id is not None
        version = BankVersion(
            bank_id=bank.id,
            version=_next_version(session, bank.id),
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
        _flush_new(session)
        _publish(session, bank, version, actor)
        result = LoadResult(
            slug, "published", version.version, f"{slug}: published version {version.version}"
        )
    record_audit(
        session,
        actor=actor,
        action="bank.load",
        object_type="question_bank",
        object_id=slug,
        detail={
            "slug": slug,
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


# --- partner editing in the service ----------------------------------------------------------


def problems_to_errors(problems: list[Problem]) -> list[dict[str, Any]]:
    """Lint errors in the API's validation shape: loc names the question (or section, or bank)."""
    return [
        {"loc": ["document", problem.question_id], "msg": problem.message}
        for problem in problems
        if problem.severity == "error"
    ]


def _checked(slug: str, data: Any) -> tuple[BankDocument, list[str]]:
    if isinstance(data, dict) and data.get("slug") not in (None, slug):
        raise InvalidInput(
            "The document's slug must be the bank's slug.",
            errors=[{"loc": ["document", "slug"], "msg": f"must be '{slug}'"}],
        )
    if isinstance(data, dict) and "slug" not in data:
        data = {"slug": slug, **data}
    document, problems = check_document(data)
    errors = problems_to_errors(problems)
    if document is None or errors:
        raise InvalidInput("The bank has problems to fix before it can be saved.", errors=errors)
    warnings = [f"{p.question_id}: {p.message}" for p in problems if p.severity == "warning"]
    return document, warnings


def _check_draft_size(data: Any) -> None:
    """Refuse a draft too big to be a bank before checking it (the check itself costs)."""
    problem = document_size_problem(data)
    if problem is not None:
        raise InvalidInput(
            "The bank is too big to save.",
            errors=[{"loc": ["document", "(bank)"], "msg": problem}],
        )


def _draft_of(session: Session, slug: str, version: int) -> BankVersion:
    found = service.get_version(session, slug, version)
    if found is None:
        raise NotFound(f"Bank {slug} has no version {version}.")
    return found


def _save_draft(
    session: Session, draft: BankVersion, *, actor: str, action: str, slug: str, **detail: Any
) -> None:
    """Store a change to a draft and audit it."""
    draft.updated_at = now()
    session.add(draft)
    session.flush()
    _record_version_event(
        session, actor=actor, action=action, slug=slug, version=draft.version, **detail
    )


def create_draft(
    session: Session, slug: str, data: Any, *, change_note: str, actor: str
) -> tuple[BankVersion, list[str]]:
    """A new draft version made in the service; 422 (InvalidInput) when the lint finds errors."""
    _check_draft_size(data)
    document, warnings = _checked(slug, data)
    bank = _ensure_bank(session, document)
    assert bank.id is not None
    stored = normalize(document)
    version = BankVersion(
        bank_id=bank.id,
        version=_next_version(session, bank.id),
        status=service.DRAFT,
        document=stored,
        content_hash=service.content_hash(stored),
        source=service.SOURCE_SERVICE,
        change_note=change_note,
        created_by=actor,
        last_edited_by=actor,
    )
    session.add(version)
    _flush_new(session)
    _record_version_event(
        session,
        actor=actor,
        action="bank.draft_create",
        slug=slug,
        version=version.version,
        warnings=len(warnings),
    )
    return version, warnings


def update_draft(
    session: Session, slug: str, version: int, data: Any, *, change_note: str, actor: str
) -> tuple[BankVersion, list[str]]:
    """Replace a draft's document. A draft in review goes back to draft: it must be resubmitted."""
    draft = _draft_of(session, slug, version)
    if draft.status not in (service.DRAFT, service.IN_REVIEW):
        raise Conflict(f"Version {version} is {draft.status}: only drafts can change.")
    _check_draft_size(data)
    document, warnings = _checked(slug, data)
    stored = normalize(document)
    draft.document = stored
    draft.content_hash = service.content_hash(stored)
    draft.change_note = change_note
    draft.last_edited_by = actor
    draft.status = service.DRAFT
    _save_draft(
        session, draft, actor=actor, action="bank.draft_update", slug=slug, warnings=len(warnings)
    )
    return draft, warnings


def submit_draft(session: Session, slug: str, version: int, *, actor: str) -> BankVersion:
    """Send a draft for review (a repeat is harmless)."""
    draft = _draft_of(session, slug, version)
    if draft.status == service.IN_REVIEW:
        return draft
    if draft.status != service.DRAFT:
        raise Conflict(f"Version {version} is {draft.status}: only a draft can be submitted.")
    draft.status = service.IN_REVIEW
    _save_draft(session, draft, actor=actor, action="bank.submit", slug=slug)
    return draft


def approve_draft(session: Session, slug: str, version: int, *, actor: str) -> BankVersion:
    """Publish a version in review. Nobody approves their own work (four eyes)."""
    draft = _draft_of(session, slug, version)
    if actor in (draft.created_by, draft.last_edited_by):
        raise Forbidden("You wrote or last edited this draft: another approver must approve it.")
    if draft.status == service.DRAFT:
        raise Conflict(f"Version {version} is a draft: it must be submitted for review first.")
    if draft.status != service.IN_REVIEW:
        raise Conflict(
            f"Version {version} is {draft.status}: only a version in review can be approved."
        )
    # The registry may have changed since the draft was saved: check again before it goes live.
    _checked(slug, draft.document)
    bank = session.get(QuestionBank, draft.bank_id)
    assert bank is not None
    draft.approved_by = actor
    _publish(session, bank, draft, actor)
    return draft
