"""The public JSON API, version 1: each domain contributes its routes here."""

from __future__ import annotations

from fastapi import APIRouter

from app.auth import routes as auth_routes
from app.banks import routes as bank_routes
from app.invitations import callback_routes
from app.invitations import routes as invitation_routes
from app.reporting import compliance_routes, crosstab_routes, feedback_routes
from app.reporting import routes as reporting_routes
from app.survey import routes as survey_routes

api_router = APIRouter()
api_router.include_router(auth_routes.router)
api_router.include_router(bank_routes.router)
api_router.include_router(invitation_routes.router)
api_router.include_router(survey_routes.router)
api_router.include_router(crosstab_routes.router)  # before /aggregates/{metric_id}
api_router.include_router(reporting_routes.router)
api_router.include_router(feedback_routes.router)
api_router.include_router(compliance_routes.router)
api_router.include_router(callback_routes.router)
