"""Partner drafts made in the service: create, edit, submit for review and approve.

Approval follows the two-person rule (two_person) and publishes (publishing). Every step is
audited.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from app.banks import service
from app.banks.limits import document_size_problem
from app.banks.lint import check_document
from app.banks.models import BankVersion, QuestionBank
from app.banks.problems import Problem
from app.banks.publishing import (
    ensure_bank,
    flush_new,
    next_version,
    publish,
    record_version_event,
)
from app.banks.schema import BankDocument, normalize
from app.banks.two_person import (
    may_approve,
    published_document,
    record_authorship,
    record_contribution,
)
from app.db import utcnow as now
from app.errors import Conflict, FieldError, Forbidden, InvalidInput, NotFound


def problems_to_errors(problems: list[Problem]) -> list[FieldError]:
    """Lint errors in the API's validation shape: loc names the question (or section, or bank)."""
    return [
        FieldError(("document", problem.question_id), problem.message)
        for problem in problems
        if problem.severity == "error"
    ]


def _checked(slug: str, data: Any) -> tuple[BankDocument, list[str]]:
    if isinstance(data, dict) and data.get("slug") not in (None, slug):
        raise InvalidInput(
            "The document's slug must be the bank's slug.",
            errors=[FieldError(("document", "slug"), f"must be '{slug}'")],
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
            errors=[FieldError(("document", "(bank)"), problem)],
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


def _save_draft(
    session: Session, draft: BankVersion, *, actor: str, action: str, slug: str, **detail: Any
) -> None:
    """Store a change to a draft and audit it."""
    draft.updated_at = now()
    session.add(draft)
    session.flush()
    record_version_event(
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
    bank = ensure_bank(session, document)
    assert bank.id is not None
    stored = normalize(document)
    version = BankVersion(
        bank_id=bank.id,
        version=next_version(session, bank.id),
        status=service.DRAFT,
        document=stored,
        content_hash=service.content_hash(stored),
        source=service.SOURCE_SERVICE,
        change_note=change_note,
        created_by=actor,
        last_edited_by=actor,
    )
    session.add(version)
    flush_new(session)
    record_contribution(session, version, contributor or actor)
    published = published_document(session, bank.id)
    record_authorship(session, bank.id, stored, published, contributor or actor)
    record_version_event(
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
        record_contribution(session, draft, contributor or actor)
        record_authorship(session, draft.bank_id, stored, draft.document, contributor or actor)
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
    record_version_event(
        session,
        actor=actor,
        action="bank.approve",
        slug=slug,
        version=draft.version,
        content_hash=content_hash,
    )
    publish(session, bank, draft, actor)
    return draft
