"""The frame of every page a victim may see, whichever domain serves it: the survey, the stop
page, the public pages. Their language (and its direction), the support services for their crime
group and area, "Exit this page", the footer, and no referrer.

It sits above app/banks (support services) and below the domains whose pages use it, so the
stop page (app/invitations) and the survey (app/survey) share it without importing each other.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.banks.support import support_services_for
from app.i18n import Gettext, gettext_for, is_rtl
from app.templating import render

EXIT_URL = "/survey/exit"
START_URL = "/survey/start"
# The safeguarding statement: what happens, and what does not, to what a victim writes. A
# neutral address and title: it is linked from every victim page's footer.
SAFEGUARDING_URL = "/what-happens-to-what-you-write"


def footer_links(_: Gettext) -> list[dict[str, str]]:
    return [
        {"href": "/accessibility", "text": str(_("Accessibility statement"))},
        {"href": "/privacy", "text": str(_("Privacy notice"))},
        {"href": "/cookies", "text": str(_("Cookies"))},
        {"href": SAFEGUARDING_URL, "text": str(_("What happens to what you write"))},
    ]


def render_victim(
    request: Request,
    session: Session,
    template: str,
    *,
    language: str = "en",
    crime_group: str | None = None,
    area: str | None = None,
    status_code: int = 200,
    **values: Any,
) -> HTMLResponse:
    """A victim page: their language, support services, Exit this page, no referrer."""
    _ = gettext_for(language)
    response = render(
        request,
        template,
        status_code=status_code,
        _=_,
        gettext=_,
        html_lang=language,
        html_dir="rtl" if is_rtl(language) else None,
        language=language,
        support_services=support_services_for(session, crime_group, area),
        exit_url=EXIT_URL,
        home_url=START_URL,
        footer_links=footer_links(_),
        **values,
    )
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
