"""HTML pages of the invitations domain (the stop page): thin, calling services."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
