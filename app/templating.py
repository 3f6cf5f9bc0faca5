"""Jinja2 with the GOV.UK Frontend macros, and the context every page needs."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    PrefixLoader,
    select_autoescape,
)

from app.settings import get_settings

TEMPLATE_DIR = Path(__file__).parent / "templates"

FOOTER_LINKS = [
    {"href": "/accessibility", "text": "Accessibility statement"},
    {"href": "/privacy", "text": "Privacy notice"},
    {"href": "/cookies", "text": "Cookies"},
]


@lru_cache
def get_templates() -> Jinja2Templates:
    env = Environment(
        loader=ChoiceLoader(
            [
                FileSystemLoader(TEMPLATE_DIR),
                PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
            ]
        ),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        # Templates ship with the code: checking them for changes costs every render.
        auto_reload=get_settings().env == "development",
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env)


def page_context(request: Request, **values: Any) -> dict[str, Any]:
    settings = get_settings()
    context: dict[str, Any] = {
        "request": request,
        "service_name": settings.service_name,
        "organisation": settings.organisation,
        "csp_nonce": getattr(request.state, "csp_nonce", ""),
        "footer_links": FOOTER_LINKS,
    }
    context.update(values)
    return context


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    """Render a page with the common context (service name, CSP nonce, footer).

    Pass `html_lang="ur"` and `html_dir="rtl"` for a right-to-left language.
    """
    response: HTMLResponse = get_templates().TemplateResponse(
        request, template, page_context(request, **values), status_code=status_code
    )
    if values.get("html_dir") == "rtl":
        # The GOV.UK page template has no parameter for the <html> element's dir, and the
        # whole page (header, footer, support panel) must read right to left.
        body = bytes(response.body).replace(b'<html lang="', b'<html dir="rtl" lang="', 1)
        response = HTMLResponse(
            body, status_code=status_code, headers={"content-type": "text/html; charset=utf-8"}
        )
    return response
