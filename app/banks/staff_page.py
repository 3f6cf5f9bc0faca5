"""The frame shared by the staff pages of the banks domain: the page with its status tags,
the redirect after a post, a version or 404, and the bank-editor check.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import Caller, deny
from app.banks import service
from app.banks.models import BankVersion
from app.banks.routes import DENIALS
from app.db import SessionDep
from app.errors import NotFound
from app.templating import render

FormText = Annotated[str, Form()]

STATUS_TAGS = {
    "draft": "govuk-tag--grey",
    "in_review": "govuk-tag--yellow",
    "published": "govuk-tag--green",
    "retired": "govuk-tag--blue",
}


def page(
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


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def version_or_404(session: SessionDep, slug: str, version: int) -> BankVersion:
    found = service.get_version(session, slug, version)
    if found is None:
        raise NotFound(f"Bank {slug} has no version {version}.")
    return found


def check_editor(session: SessionDep, request: Request, caller: Caller, slug: str) -> None:
    if not caller.may_edit(slug):
        deny(request, session, caller, reason="not_bank_editor", message=DENIALS["not_bank_editor"])
