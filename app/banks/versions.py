"""Writing bank versions: publishing files (banks load); partner drafts, review and publishing.

A published version never changes; publishing a newer one retires it. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app import audit
from app.banks import provenance, service
from app.banks.limits import document_size_problem
from app.banks.lint import check_document
from app.banks.models import BankContentAuthor, BankVersion, BankVersionContributor, QuestionBank
from app.banks.problems import Problem
from app.banks.schema import BankDocument, normalize
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
    audit.record(
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
    audit.record(
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
    """The version, its row locked until the transaction ends: a save, a submission and an
    approval of one version take turns (PostgreSQL; SQLite's write lock already serialises)."""
    if not 1 <= version <= service.MAX_VERSION:
        raise NotFound(f"Bank {slug} has no version {version}.")  # no column holds it
    statement = (
        select(BankVersion)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(QuestionBank.slug == slug, BankVersion.version == version)
        .with_for_update(of=BankVersion)
        # A row read earlier in the request may be stale: take what was locked.
        .execution_options(populate_existing=True)
    )
    found = session.exec(statement).first()
    if found is None:
        raise NotFound(f"Bank {slug} has no version {version}.")
    return found


# --- the two-person rule ----------------------------------------------------------------------


def _record_contribution(session: Session, version: BankVersion, contributor: str) -> None:
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


def _record_authorship(
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
    published = _published_document(session, version.bank_id)
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


def _published_document(session: Session, bank_id: int) -> dict[str, Any] | None:
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
    session: Session,
    slug: str,
    data: Any,
    *,
    change_note: str,
    actor: str,
    contributor: str | None = None,
) -> tuple[BankVersion, list[str]]:
    """A new draft version made in the service; 422 (InvalidInput) when the lint finds errors.

    `contributor` is the person writing ("user:<id>", also for a key bound to them); it
    defaults to `actor`. Making a draft counts as changing it, even from an unchanged copy.
    """
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
    _record_contribution(session, version, contributor or actor)
    published = _published_document(session, bank.id)
    _record_authorship(session, bank.id, stored, published, contributor or actor)
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
    session: Session,
    slug: str,
    version: int,
    data: Any,
    *,
    change_note: str,
    actor: str,
    contributor: str | None = None,
) -> tuple[BankVersion, list[str]]:
    """Replace a draft's document. A draft in review goes back to draft: it must be resubmitted.

    A save that changes the content makes `contributor` (default `actor`) one of the draft's
    contributors for good, so they can never approve it; a save that changes nothing does not.
    """
    draft = _draft_of(session, slug, version)
    if draft.status not in (service.DRAFT, service.IN_REVIEW):
        raise Conflict(f"Version {version} is {draft.status}: only drafts can change.")
    _check_draft_size(data)
    document, warnings = _checked(slug, data)
    stored = normalize(document)
    digest = service.content_hash(stored)
    if digest != draft.content_hash:
        _record_contribution(session, draft, contributor or actor)
        _record_authorship(session, draft.bank_id, stored, draft.document, contributor or actor)
    draft.document = stored
    draft.content_hash = digest
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


OWN_CHANGES = "You changed the content of this draft: another approver must approve it."
UNBOUND = (
    "Only a key bound to a named person can approve. Approve signed in, "
    "or with a key made with --user."
)


def approve_draft(
    session: Session,
    slug: str,
    version: int,
    *,
    actor: str,
    approver: str | None,
    content_hash: str,
) -> BankVersion:
    """Publish a version in review, exactly as the approver reviewed it (two-person rule).

    `approver` is the person approving ("user:<id>"; None for an unbound key, refused);
    nobody who ever changed the content may approve it. `content_hash` names the content
    reviewed: Conflict (409) if the draft has changed since. The version and the bank are
    locked first, so no save or other approval can slip in between the checks and the publish.
    """
    draft = _draft_of(session, slug, version)
    # One approval per bank at a time (each retires the version published before it), and
    # the published version the rule compares with cannot change under this approval.
    bank = session.get(QuestionBank, draft.bank_id, with_for_update=True, populate_existing=True)
    assert bank is not None
    if approver is None:
        raise Forbidden(UNBOUND)
    if not may_approve(session, draft, approver):
        raise Forbidden(OWN_CHANGES)
    if draft.status == service.DRAFT:
        raise Conflict(f"Version {version} is a draft: it must be submitted for review first.")
    if draft.status != service.IN_REVIEW:
        raise Conflict(
            f"Version {version} is {draft.status}: only a version in review can be approved."
        )
    if draft.content_hash != content_hash:
        raise Conflict(
            f"Version {version} has changed since you reviewed it: review it again, then approve."
        )
    # The registry may have changed since the draft was saved: check again before it goes live.
    _checked(slug, draft.document)
    draft.approved_by = actor
    _record_version_event(
        session,
        actor=actor,
        action="bank.approve",
        slug=slug,
        version=draft.version,
        content_hash=content_hash,
    )
    _publish(session, bank, draft, actor)
    return draft
