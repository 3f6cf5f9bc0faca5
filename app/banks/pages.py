"""Staff pages of the banks domain: browse versions, preview as a victim sees, compare, draft.

Partners (editors of a bank) draft in the same YAML as the bank files and see the checker's
messages; approvers review a draft whose content they never changed, and approve exactly what
the review page showed them (two-person rule, app/banks/two_person.py). Thin: the work is in
`versions`, `diff` and `localize`.
"""

from __future__ import annotations

from typing import Annotated, Any

import yaml
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import ApproverDep, Caller, EditorDep, StaffDep, deny
from app.banks import localize, service, two_person, versions
from app.banks.diff import diff_documents
from app.banks.models import BankVersion
from app.banks.routes import DENIALS, check_not_contributor
from app.banks.service import VersionNumber
from app.banks.yaml_files import document_as_yaml, read_yaml_text, yaml_message
from app.db import SessionDep
from app.enums import Role, Touchpoint
from app.errors import InvalidInput, NotFound
from app.i18n import is_rtl
from app.templating import render

router = APIRouter(include_in_schema=False)

FormText = Annotated[str, Form()]

TOUCHPOINTS = [touchpoint.value for touchpoint in Touchpoint]
STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "in_review": "govuk-tag--yellow",
    "published": "govuk-tag--green",
    "retired": "govuk-tag--blue",
}


def _page(
    request: Request, caller: Caller, template: str, status_code: int = 200, **values: Any
) -> Response:
    return render(
        request,
        template,
        status_code=status_code,
        staff_user=caller,
        csrf_token=caller.csrf_token,
        status_tags=STATUS_TAGS,
        **values,
    )


def _redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _version(session: SessionDep, slug: str, version: int) -> BankVersion:
    found = service.get_version(session, slug, version)
    if found is None:
        raise NotFound(f"Bank {slug} has no version {version}.")
    return found


def _check_editor(session: SessionDep, request: Request, caller: Caller, slug: str) -> None:
    if not caller.may_edit(slug):
        deny(request, session, caller, reason="not_bank_editor", message=DENIALS["not_bank_editor"])


@router.get("/staff/banks")
def banks_page(request: Request, session: SessionDep, caller: StaffDep) -> Response:
    banks = []
    for bank in service.list_banks(session):
        latest = service.latest_published(session, bank.slug)
        banks.append(
            {
                "slug": bank.slug,
                "title": bank.title,
                "published_version": latest.version if latest else None,
                "may_edit": caller.may_edit(bank.slug),
            }
        )
    return _page(request, caller, "banks/list.html", page_title="Question banks", banks=banks)


@router.get("/staff/banks/{slug}")
def bank_page(slug: str, request: Request, session: SessionDep, caller: StaffDep) -> Response:
    bank = service.get_bank(session, slug)
    if bank is None:
        raise NotFound(f"There is no bank {slug}.")
    rows = service.list_versions(session, slug)
    in_review = [row.id for row in rows if row.id is not None and row.status == service.IN_REVIEW]
    changed_by = two_person.contributors_by_version(session, in_review)
    return _page(
        request,
        caller,
        "banks/bank.html",
        page_title=f"Question bank: {bank.title}",
        bank=bank,
        versions=rows,
        may_edit=caller.may_edit(slug),
        may_approve=caller.has_any(Role.approver),
        # Versions this person changed: the page says someone else must approve them.
        own_changes={row.id for row in rows if caller.person in changed_by.get(row.id or 0, set())},
        notice=request.query_params.get("done"),
    )


@router.get("/staff/banks/{slug}/versions/{version}")
def preview_page(
    slug: str,
    version: VersionNumber,
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    touchpoint: str = Query("reporting"),
    language: str = Query("en"),
) -> Response:
    """The questions of one version at one touchpoint, as a victim would see them."""
    row = _version(session, slug, version)
    document = row.document
    if touchpoint not in TOUCHPOINTS:
        touchpoint = TOUCHPOINTS[0]
    languages = localize.declared_languages(document)
    if language not in languages:
        language = "en"
    questions = localize.questions_for(document, touchpoint, language, include_drafts=True)
    by_id = {q["id"]: q for q in questions}
    sections: list[dict[str, Any]] = []
    for question in questions:
        if not sections or sections[-1]["id"] != question["section"]:
            info = localize.section_info(
                document, question["section"], language, include_drafts=True
            )
            sections.append({"id": question["section"], "info": info, "questions": []})
        sections[-1]["questions"].append({**question, "shown_if": _shown_if(question, by_id)})
    return _page(
        request,
        caller,
        "banks/preview.html",
        page_title=f"Preview: {slug} version {version}",
        slug=slug,
        row=row,
        touchpoint=touchpoint,
        touchpoints=TOUCHPOINTS,
        language=language,
        languages=languages,
        language_status=localize.language_status(document, language),
        text_dir="rtl" if is_rtl(language) else "ltr",
        bank_text=localize.bank_text(document, language, include_drafts=True),
        sections=sections,
    )


def _shown_if(question: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A show_if in words: the earlier question's text and the labels of the answers named."""
    condition = question["show_if"]
    if not condition:
        return None
    earlier = by_id.get(condition["question"])
    if earlier is None:
        return {"question": condition["question"], "answers": list(condition["in"])}
    labels = [o["label"] for o in earlier["options"] if o["code"] in condition["in"]]
    return {"question": earlier["text"], "answers": labels}


@router.get("/staff/banks/{slug}/diff")
def diff_page(
    slug: str,
    request: Request,
    session: SessionDep,
    caller: StaffDep,
    from_version: Annotated[VersionNumber, Query(alias="from")],
    to_version: Annotated[VersionNumber, Query(alias="to")],
) -> Response:
    old = _version(session, slug, from_version)
    new = _version(session, slug, to_version)
    return _page(
        request,
        caller,
        "banks/diff.html",
        page_title=f"Changes to {slug}: version {from_version} to {to_version}",
        slug=slug,
        old=old,
        new=new,
        diff=diff_documents(old.document, new.document),
    )


# --- drafting ---------------------------------------------------------------------------


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
    return _page(
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
            errors=[{"loc": ["document", "(bank)"], "msg": yaml_message(error)}],
        ) from error


@router.get("/staff/banks/{slug}/drafts/new")
def new_draft_page(
    slug: str,
    request: Request,
    session: SessionDep,
    caller: EditorDep,
    start: Annotated[VersionNumber | None, Query(alias="from")] = None,
) -> Response:
    _check_editor(session, request, caller, slug)
    source = (
        _version(session, slug, start)
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


def _save_draft_form(
    request: Request,
    session: SessionDep,
    caller: Caller,
    *,
    slug: str,
    version: int | None,
    document: str,
    change_note: str,
) -> Response:
    """Save the posted draft (a new one when `version` is None) and go back to the bank;
    on lint errors, the form again as typed."""
    _check_editor(session, request, caller, slug)
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
    return _redirect(f"/staff/banks/{slug}?done=saved-{draft.version}")


@router.post("/staff/banks/{slug}/drafts")
def create_draft_form(
    slug: str,
    request: Request,
    session: SessionDep,
    caller: EditorDep,
    document: FormText,
    change_note: Annotated[str, Form()] = "",
) -> Response:
    return _save_draft_form(
        request,
        session,
        caller,
        slug=slug,
        version=None,
        document=document,
        change_note=change_note,
    )


@router.get("/staff/banks/{slug}/drafts/{version}/edit")
def edit_draft_page(
    slug: str, version: VersionNumber, request: Request, session: SessionDep, caller: EditorDep
) -> Response:
    _check_editor(session, request, caller, slug)
    draft = _version(session, slug, version)
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
    document: FormText,
    change_note: Annotated[str, Form()] = "",
) -> Response:
    return _save_draft_form(
        request,
        session,
        caller,
        slug=slug,
        version=version,
        document=document,
        change_note=change_note,
    )


@router.post("/staff/banks/{slug}/drafts/{version}/submit")
def submit_draft_form(
    slug: str, version: VersionNumber, request: Request, session: SessionDep, caller: EditorDep
) -> Response:
    _check_editor(session, request, caller, slug)
    versions.submit_draft(session, slug, version, actor=caller.actor)
    return _redirect(f"/staff/banks/{slug}?done=submitted-{version}")


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
    return _page(
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
    return _review_page(request, session, caller, _version(session, slug, version), slug=slug)


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
    row = _version(session, slug, version)
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
    return _redirect(f"/staff/banks/{slug}?done=published-{version}")
