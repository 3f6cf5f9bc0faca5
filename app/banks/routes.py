"""JSON API routes of the banks domain (mounted under /api/v1): thin, calling services."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from app.auth.deps import ApproverDep, Caller, EditorDep, StaffDep, deny
from app.banks import service, two_person, versions
from app.banks.diff import diff_documents
from app.banks.models import BankVersion
from app.banks.service import VersionNumber
from app.db import SessionDep
from app.errors import NotFound

router = APIRouter(prefix="/banks", tags=["banks"])


class BankSummary(BaseModel):
    slug: str
    title: str
    published_version: int | None


class BankVersionOut(BaseModel):
    slug: str
    version: int
    status: str
    source: str
    # sha256 of the canonical document: an approval names the content it reviewed by it.
    content_hash: str
    document: dict[str, Any]


class VersionSummary(BaseModel):
    version: int
    status: str
    source: str
    created_by: str
    created_at: datetime
    change_note: str


class DraftIn(BaseModel):
    document: dict[str, Any]
    change_note: str = Field(default="", max_length=2000)


class DraftOut(BaseModel):
    version: int
    status: str
    warnings: list[str] = Field(default_factory=list)


class ApprovalIn(BaseModel):
    """What the approver reviewed: the `content_hash` of the version as they read it."""

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")


class StatusOut(BaseModel):
    version: int
    status: str


class QuestionChange(BaseModel):
    question_id: str
    change: str  # added, removed, changed
    fields: list[str]
    measures: list[str]
    breaks_comparability: bool


class DiffOut(BaseModel):
    slug: str
    from_version: int = Field(serialization_alias="from")
    to_version: int = Field(serialization_alias="to")
    changes: list[QuestionChange]
    breaks_comparability: bool
    measures_affected: list[str]


def _version_out(slug: str, version: BankVersion) -> BankVersionOut:
    return BankVersionOut(
        slug=slug,
        version=version.version,
        status=version.status,
        source=version.source,
        content_hash=version.content_hash,
        document=version.document,
    )


def _existing_version(session: SessionDep, slug: str, version: int) -> BankVersion:
    found = service.get_version(session, slug, version)
    if found is None:
        raise NotFound(f"Bank {slug} has no version {version}.")
    return found


DENIALS = {
    "not_bank_editor": "You cannot edit this bank.",
    "own_draft": versions.OWN_CHANGES,
    "unbound_key": versions.UNBOUND,
    "unbound_editor": (
        "Only a key bound to a named person can change a bank's content. Edit signed in, "
        "or with a key made with --user."
    ),
}


def bank_editor(slug: str, request: Request, session: SessionDep, caller: EditorDep) -> Caller:
    """Dependency: an editor whose scope includes this bank (or an admin)."""
    if not caller.may_edit(slug):
        deny(request, session, caller, reason="not_bank_editor", message=DENIALS["not_bank_editor"])
    return caller


BankEditorDep = Annotated[Caller, Depends(bank_editor)]


def bank_writer(request: Request, session: SessionDep, caller: BankEditorDep) -> Caller:
    """Dependency: a bank editor who is a named person. Content written through an unbound key
    belongs to nobody, so the two-person rule could not keep its writer from approving it."""
    if caller.person is None:
        deny(request, session, caller, reason="unbound_editor", message=DENIALS["unbound_editor"])
    return caller


BankWriterDep = Annotated[Caller, Depends(bank_writer)]


@router.get("", response_model=list[BankSummary])
def list_banks(session: SessionDep, caller: StaffDep) -> list[BankSummary]:
    """Every bank with its published version number (null while none is published)."""
    summaries = []
    for bank in service.list_banks(session):
        latest = service.latest_published(session, bank.slug)
        summaries.append(
            BankSummary(
                slug=bank.slug,
                title=bank.title,
                published_version=latest.version if latest is not None else None,
            )
        )
    return summaries


@router.get("/{slug}", response_model=BankVersionOut)
def get_published(slug: str, session: SessionDep, caller: StaffDep) -> BankVersionOut:
    """The latest published version of a bank."""
    latest = service.latest_published(session, slug)
    if latest is None:
        raise NotFound(f"Bank {slug} has no published version.")
    return _version_out(slug, latest)


@router.get("/{slug}/versions", response_model=list[VersionSummary])
def list_versions(slug: str, session: SessionDep, caller: StaffDep) -> list[VersionSummary]:
    """Every version of a bank, newest first."""
    if service.get_bank(session, slug) is None:
        raise NotFound(f"There is no bank {slug}.")
    return [
        VersionSummary(
            version=version.version,
            status=version.status,
            source=version.source,
            created_by=version.created_by,
            created_at=version.created_at,
            change_note=version.change_note,
        )
        for version in service.list_versions(session, slug)
    ]


@router.get("/{slug}/versions/{version}", response_model=BankVersionOut)
def get_version(
    slug: str, version: VersionNumber, session: SessionDep, caller: StaffDep
) -> BankVersionOut:
    return _version_out(slug, _existing_version(session, slug, version))


@router.post("/{slug}/drafts", status_code=201, response_model=DraftOut)
def create_draft(slug: str, body: DraftIn, session: SessionDep, caller: BankWriterDep) -> DraftOut:
    """A new draft made in the service: 422 with the lint's errors if it has any."""
    draft, warnings = versions.create_draft(
        session,
        slug,
        body.document,
        change_note=body.change_note,
        actor=caller.actor,
        contributor=caller.person,
    )
    return DraftOut(version=draft.version, status=draft.status, warnings=warnings)


@router.put("/{slug}/drafts/{version}", response_model=DraftOut)
def update_draft(
    slug: str,
    version: VersionNumber,
    body: DraftIn,
    session: SessionDep,
    caller: BankWriterDep,
) -> DraftOut:
    draft, warnings = versions.update_draft(
        session,
        slug,
        version,
        body.document,
        change_note=body.change_note,
        actor=caller.actor,
        contributor=caller.person,
    )
    return DraftOut(version=draft.version, status=draft.status, warnings=warnings)


@router.post("/{slug}/drafts/{version}/submit", response_model=StatusOut)
def submit_draft(
    slug: str, version: VersionNumber, session: SessionDep, caller: BankEditorDep
) -> StatusOut:
    draft = versions.submit_draft(session, slug, version, actor=caller.actor)
    return StatusOut(version=draft.version, status=draft.status)


def bound_approver(request: Request, session: SessionDep, caller: ApproverDep) -> Caller:
    """Dependency: an approver who is a named person (signed in, or a key bound to them);
    an unbound key belongs to nobody, so it can never be the second of two persons (403)."""
    if caller.person is None:
        deny(request, session, caller, reason="unbound_key", message=DENIALS["unbound_key"])
    return caller


BoundApproverDep = Annotated[Caller, Depends(bound_approver)]


def check_not_contributor(
    session: SessionDep, request: Request, caller: Caller, slug: str, version: int
) -> None:
    """403 (audited) for an approver who ever changed the draft's content. Call it before
    the request writes anything."""
    draft = _existing_version(session, slug, version)
    if not two_person.may_approve(session, draft, caller.person):
        deny(request, session, caller, reason="own_draft", message=DENIALS["own_draft"])


@router.post("/{slug}/drafts/{version}/approve", response_model=StatusOut)
def approve_draft(
    slug: str,
    version: VersionNumber,
    body: ApprovalIn,
    request: Request,
    session: SessionDep,
    caller: BoundApproverDep,
) -> StatusOut:
    """Publish a version in review exactly as reviewed: body `{"content_hash"}` of the version
    read (409 if it has changed since). 403 for an unbound key, and for anyone who changed its
    content (two-person rule)."""
    check_not_contributor(session, request, caller, slug, version)
    published = versions.approve_draft(
        session,
        slug,
        version,
        actor=caller.actor,
        approver=caller.person,
        content_hash=body.content_hash,
    )
    return StatusOut(version=published.version, status=published.status)


@router.get("/{slug}/diff", response_model=DiffOut, response_model_by_alias=True)
def diff_versions(
    slug: str,
    session: SessionDep,
    from_version: Annotated[VersionNumber, Query(alias="from")],
    to_version: Annotated[VersionNumber, Query(alias="to")],
    caller: StaffDep,
) -> DiffOut:
    """Question-level changes between two versions, flagging broken comparability."""
    old = _existing_version(session, slug, from_version)
    new = _existing_version(session, slug, to_version)
    result = diff_documents(old.document, new.document)
    return DiffOut(
        slug=slug,
        from_version=from_version,
        to_version=to_version,
        changes=[QuestionChange(**change) for change in result["changes"]],
        breaks_comparability=result["breaks_comparability"],
        measures_affected=result["measures_affected"],
    )
