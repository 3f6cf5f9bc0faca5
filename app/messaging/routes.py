"""Provider callbacks (mounted under /api/v1): thin, calling services."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
