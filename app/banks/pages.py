"""Staff pages of the banks domain: browse versions, preview as a victim sees, compare; the
drafting and approval pages are in draft_pages. Thin: the work is in `service`, `diff` and
`localize`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from app.auth.deps import ApproverDep, Caller, StaffDep
from app.banks import draft_pages, localize, service, signoff, two_person
from app.banks.diff import diff_documents
from app.banks.service import VersionNumber
from app.banks.staff_page import FormText, page, redirect, version_or_404
from app.db import SessionDep
from app.enums import TOUCHPOINTS, Role
from app.errors import InvalidInput, NotFound
from app.i18n import is_rtl

router = APIRouter(include_in_schema=False)


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
    return page(request, caller, "banks/list.html", page_title="Question banks", banks=banks)


@router.get("/staff/banks/{slug}")
def bank_page(slug: str, request: Request, session: SessionDep, caller: StaffDep) -> Response:
    return render_bank_page(request, session, caller, slug)


def render_bank_page(
    request: Request,
    session: SessionDep,
    caller: Caller,
    slug: str,
    *,
    errors: list[dict[str, str]] | None = None,
    partner: str = "",
    error_question: str = "",
    status_code: int = 200,
) -> Response:
    """The bank's versions, and the questions awaiting partner review with the approver's
    sign-off form (`sign_off_form` below; shown again with the mistake)."""
    bank = service.get_bank(session, slug)
    if bank is None:
        raise NotFound(f"There is no bank {slug}.")
    rows = service.list_versions(session, slug)
    in_review = [row.id for row in rows if row.id is not None and row.status == service.IN_REVIEW]
    changed_by = two_person.contributors_by_version(session, in_review)
    return page(
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
        awaiting=signoff.awaiting_review(session, slug),
        error_summary=errors or [],
        partner=partner,
        error_question=error_question,
        status_code=status_code,
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
    row = version_or_404(session, slug, version)
    document = row.document
    if touchpoint not in TOUCHPOINTS:
        touchpoint = TOUCHPOINTS[0]
    languages = localize.declared_languages(document)
    if language not in languages:
        language = "en"
    sections = _preview_sections(
        document, touchpoint, language, signoff.released_ids(session, slug, document)
    )
    return page(
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


def _preview_sections(
    document: dict[str, Any], touchpoint: str, language: str, released: frozenset[str]
) -> list[dict[str, Any]]:
    """The touchpoint's questions by section, drafts and questions awaiting partner review
    included (tagged), with each section's module."""
    questions = localize.questions_for(
        document, touchpoint, language, include_drafts=True, include_pending=True
    )
    by_id = {q["id"]: q for q in questions}
    pending = {q["id"] for _s, q in localize.iter_questions(document) if localize.is_pending(q)}
    modules = {s["id"]: localize.module_of(s) for s in document.get("sections") or []}
    sections: list[dict[str, Any]] = []
    for question in questions:
        if not sections or sections[-1]["id"] != question["section"]:
            info = localize.section_info(
                document, question["section"], language, include_drafts=True
            )
            module = modules.get(question["section"] or "")
            sections.append(
                {"id": question["section"], "info": info, "module": module, "questions": []}
            )
        sections[-1]["questions"].append(
            {
                **question,
                "shown_if": _shown_if(question, by_id),
                # Never shown to victims until the partner's sign-off of this wording.
                "awaiting_review": question["id"] in pending and question["id"] not in released,
            }
        )
    return sections


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
    old = version_or_404(session, slug, from_version)
    new = version_or_404(session, slug, to_version)
    return page(
        request,
        caller,
        "banks/diff.html",
        page_title=f"Changes to {slug}: version {from_version} to {to_version}",
        slug=slug,
        old=old,
        new=new,
        diff=diff_documents(old.document, new.document),
    )


@router.post("/staff/banks/{slug}/sign-offs")
def sign_off_form(
    slug: str,
    request: Request,
    session: SessionDep,
    caller: ApproverDep,
    question_id: FormText = "",
    wording_hash: FormText = "",
    partner: FormText = "",
) -> Response:
    """An approver records the partner's sign-off of the wording the page showed (its hash):
    a wording changed since is not signed off unseen."""
    try:
        signoff.sign_off(
            session,
            slug,
            question_id,
            partner=partner,
            approver=caller.person or caller.actor,
            actor=caller.actor,
            digest=wording_hash,
        )
    except (InvalidInput, NotFound) as error:
        return render_bank_page(
            request,
            session,
            caller,
            slug,
            errors=[{"text": error.detail, "href": f"#partner-{question_id}"}],
            partner=partner,
            error_question=question_id,
            status_code=422,
        )
    return redirect(f"/staff/banks/{slug}?done=signed-{question_id}")


# After the pages above, in the order they were always registered.
router.include_router(draft_pages.router)
