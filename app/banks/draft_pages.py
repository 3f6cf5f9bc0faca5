"""Staff pages for drafting and approving a bank version.

Partners (editors of a bank) draft in the same YAML as the bank files and see the checker's
messages; approvers review a draft whose content they never changed, and approve exactly what
the review page showed them (two-person rule, app/banks/two_person.py). Thin: the work is in
`versions`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import Response

from app.auth.deps import ApproverDep, Caller, EditorDep
from app.banks import service, versions
from app.banks.diff import diff_documents
from app.banks.models import BankVersion
from app.banks.routes import check_not_contributor
from app.banks.service import VersionNumber
from app.banks.staff_page import FormText, check_editor, page, redirect, version_or_404
from app.banks.yaml_files import document_as_yaml, read_yaml_text, yaml_message
from app.db import SessionDep
from app.errors import FieldError, InvalidInput

router = APIRouter(include_in_schema=False)


def _edit_page(
    request: Request,
    caller: Caller,
    *,
    slug: str,
    text: str,
    change_note: str,
    version: int | None = None,
    errors: list[dict[str, Any]] | None = None,
    status_code: int = 200,
) -> Response:
    """The draft form: a new draft when `version` is None, else that draft's edit."""
    if version is None:
        action, heading = f"/staff/banks/{slug}/drafts", "New draft"
    else:
        action, heading = f"/staff/banks/{slug}/drafts/{version}", f"Edit draft version {version}"
    summary = [{"text": f"{e['loc'][-1]}: {e['msg']}", "href": "#document"} for e in errors or []]
    return page(
        request,
        caller,
        "banks/edit.html",
        status_code=status_code,
        page_title=heading,
        error_summary=summary,
        slug=slug,
        text=text,
        change_note=change_note,
        action=action,
        heading=heading,
    )


def _parse_form_document(text: str) -> Any:
    try:
        return read_yaml_text(text)
    except yaml.YAMLError as error:
        raise InvalidInput(
            "The bank is not valid YAML.",
            errors=[FieldError(("document", "(bank)"), yaml_message(error))],
        ) from error


@router.get("/staff/banks/{slug}/drafts/new")
def new_draft_page(
    slug: str,
    request: Request,
    session: SessionDep,
    caller: EditorDep,
    start: Annotated[VersionNumber | None, Query(alias="from")] = None,
) -> Response:
    check_editor(session, request, caller, slug)
    source = (
        version_or_404(session, slug, start)
        if start is not None
        else service.latest_published(session, slug)
    )
    text = document_as_yaml(source.document) if source else f"slug: {slug}\ntitle: \nsections: []\n"
    return _edit_page(
        request,
        caller,
        slug=slug,
        text=text,
        change_note="",
    )


@dataclass(frozen=True)
class DraftForm:
    """The posted draft form: the document as typed, and the change note."""

    document: str
    change_note: str


def _draft_form(document: FormText, change_note: Annotated[str, Form()] = "") -> DraftForm:
    return DraftForm(document=document, change_note=change_note)


DraftFormDep = Annotated[DraftForm, Depends(_draft_form)]


def _save_draft_form(
    request: Request,
    session: SessionDep,
    caller: Caller,
    form: DraftForm,
    *,
    slug: str,
    version: int | None,
) -> Response:
    """Save the posted draft (a new one when `version` is None) and go back to the bank;
    on lint errors, the form again as typed."""
    check_editor(session, request, caller, slug)
    document, change_note = form.document, form.change_note
    try:
        data = _parse_form_document(document)
        if version is None:
            draft, _warnings = versions.create_draft(
                session,
                slug,
                data,
                change_note=change_note,
                actor=caller.actor,
                contributor=caller.person or caller.actor,
            )
        else:
            draft, _warnings = versions.update_draft(
                session,
                slug,
                version,
                data,
                change_note=change_note,
                actor=caller.actor,
                contributor=caller.person or caller.actor,
            )
    except InvalidInput as error:
        return _edit_page(
            request,
            caller,
            slug=slug,
            text=document,
            change_note=change_note,
            version=version,
            errors=error.errors,
            status_code=422,
        )
    return redirect(f"/staff/banks/{slug}?done=saved-{draft.version}")


@router.post("/staff/banks/{slug}/drafts")
def create_draft_form(
    slug: str, request: Request, session: SessionDep, caller: EditorDep, form: DraftFormDep
) -> Response:
    return _save_draft_form(request, session, caller, form, slug=slug, version=None)


@router.get("/staff/banks/{slug}/drafts/{version}/edit")
def edit_draft_page(
    slug: str, version: VersionNumber, request: Request, session: SessionDep, caller: EditorDep
) -> Response:
    check_editor(session, request, caller, slug)
    draft = version_or_404(session, slug, version)
    return _edit_page(
        request,
        caller,
        slug=slug,
        text=document_as_yaml(draft.document),
        change_note=draft.change_note,
        version=version,
    )


@router.post("/staff/banks/{slug}/drafts/{version}")
def update_draft_form(
    slug: str,
    version: VersionNumber,
    request: Request,
    session: SessionDep,
    caller: EditorDep,
    form: DraftFormDep,
) -> Response:
    return _save_draft_form(request, session, caller, form, slug=slug, version=version)


@router.post("/staff/banks/{slug}/drafts/{version}/submit")
def submit_draft_form(
    slug: str, version: VersionNumber, request: Request, session: SessionDep, caller: EditorDep
) -> Response:
    check_editor(session, request, caller, slug)
    versions.submit_draft(session, slug, version, actor=caller.actor)
    return redirect(f"/staff/banks/{slug}?done=submitted-{version}")


def _review_page(
    request: Request,
    session: SessionDep,
    caller: Caller,
    row: BankVersion,
    *,
    slug: str,
    status_code: int = 200,
    errors: list[dict[str, str]] | None = None,
) -> Response:
    """What the approver reads before publishing: the changes from the published version and
    the whole text; its form sends back the content hash of exactly what it shows."""
    published = service.latest_published(session, slug)
    return page(
        request,
        caller,
        "banks/approve.html",
        status_code=status_code,
        page_title=f"Review version {row.version} of {slug}",
        error_summary=errors or [],
        slug=slug,
        row=row,
        published=published,
        diff=diff_documents(published.document, row.document) if published else None,
        text=document_as_yaml(row.document),
    )


@router.get("/staff/banks/{slug}/drafts/{version}/approve")
def review_draft_page(
    slug: str, version: VersionNumber, request: Request, session: SessionDep, caller: ApproverDep
) -> Response:
    check_not_contributor(session, request, caller, slug, version)
    return _review_page(request, session, caller, version_or_404(session, slug, version), slug=slug)


@router.post("/staff/banks/{slug}/drafts/{version}/approve")
def approve_draft_form(
    slug: str,
    version: VersionNumber,
    request: Request,
    session: SessionDep,
    caller: ApproverDep,
    content_hash: FormText = "",
) -> Response:
    check_not_contributor(session, request, caller, slug, version)
    row = version_or_404(session, slug, version)
    if row.status == service.IN_REVIEW and row.content_hash != content_hash:
        # Changed since the page was shown (or the page was not sent whole): show it again.
        message = (
            "This version has changed since you opened it. Review it as it is now, then approve it."
        )
        return _review_page(
            request,
            session,
            caller,
            row,
            slug=slug,
            status_code=409,
            errors=[{"text": message, "href": "#reviewed-text"}],
        )
    versions.approve_draft(
        session,
        slug,
        version,
        actor=caller.actor,
        approver=caller.person,
        content_hash=content_hash,
    )
    return redirect(f"/staff/banks/{slug}?done=published-{version}")
