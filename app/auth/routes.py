"""JSON API routes of the auth domain (mounted under /api/v1): thin, calling services."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from app.auth.deps import StaffDep

router = APIRouter(tags=["staff"])


class Me(BaseModel):
    actor: str
    roles: list[str]
    bank_scopes: list[str]


@router.get("/me", response_model=Me)
def who_am_i(caller: StaffDep) -> Me:
    """Who the API key or session is, and its roles."""
    return Me(
        actor=caller.actor,
        roles=sorted(role.value for role in caller.roles),
        bank_scopes=sorted(caller.bank_scopes),
    )
