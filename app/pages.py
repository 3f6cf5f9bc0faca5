"""HTML page routers of every domain, gathered in one place."""

from __future__ import annotations

from fastapi import APIRouter

from app import public_pages
from app.auth import pages as auth_pages
from app.banks import pages as bank_pages
from app.handover import assisted_pages as handover_assisted_pages
from app.handover import code_pages as handover_code_pages
from app.handover import pages as handover_pages
from app.invitations import pages as invitation_pages
from app.reporting import (
    comment_pages,
    compliance_pages,
    crosstab_pages,
    results_partner_pages,
    self_assessment_pages,
)
from app.reporting import pages as reporting_pages
from app.survey import pages as survey_pages

pages_router = APIRouter(include_in_schema=False)
pages_router.include_router(auth_pages.router)
pages_router.include_router(bank_pages.router)
pages_router.include_router(survey_pages.router)
pages_router.include_router(reporting_pages.router)
pages_router.include_router(comment_pages.router)
pages_router.include_router(self_assessment_pages.router)
pages_router.include_router(compliance_pages.router)
pages_router.include_router(crosstab_pages.router)
pages_router.include_router(results_partner_pages.router)
pages_router.include_router(invitation_pages.router)
pages_router.include_router(handover_pages.router)
pages_router.include_router(handover_code_pages.router)
pages_router.include_router(handover_assisted_pages.router)
pages_router.include_router(public_pages.router)
