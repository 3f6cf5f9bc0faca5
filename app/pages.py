"""HTML page routers of every domain, gathered in one place."""

from __future__ import annotations

from fastapi import APIRouter

pages_router = APIRouter(include_in_schema=False)
